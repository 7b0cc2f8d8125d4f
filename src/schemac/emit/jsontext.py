"""Indented JSON text, exactly as `json.dumps(value, indent=2, ensure_ascii=False)` writes it, but fast.

The standard library's C encoder is used only without `indent`; with it, every value goes
through the pure-Python encoder. orjson writes the same bytes for strings, integers,
booleans, null, lists and mappings with text keys (same escapes, same two-space layout),
so it does the work. Floats are the one value it spells differently (`1e16` for `1e+16`):
emitters wrap them in `ExactFloat`, which orjson hands back to be spelled as `json`
spells it. A document orjson refuses (a lone surrogate from a YAML escape, an integer
beyond 64 bits) is written by the standard library instead.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import orjson


class ExactFloat(float):
    """A float written as Python's `json` writes it (`1e+16`, `Infinity`), whichever encoder runs."""


def dumps_indented(document: Any) -> str:
    """The document as indented JSON with a trailing newline."""
    return dumps_built(lambda: document)


def dumps_built(build: Callable[[], Any]) -> str:
    """The document `build()` returns as indented JSON, as dumps_indented writes it. The document is built
    here so it is freed before the encoded bytes are decoded: at 5,000 tables a document, its bytes and its
    text are each about 100 MB, and compile's peak memory would otherwise hold all three."""
    data = _encoded(build)
    return data if isinstance(data, str) else data.decode()


def encode_built(build: Callable[[], Any]) -> bytes:
    """The UTF-8 bytes of dumps_built's text: what compile writes, without decoding them into a second copy."""
    data = _encoded(build)
    return data.encode("utf-8") if isinstance(data, str) else data


def _encoded(build: Callable[[], Any]) -> bytes | str:
    """orjson's bytes, or the standard library's text for a document orjson refuses; the document is gone on return."""
    document = build()
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE, default=_float_text)
    except TypeError:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _float_text(value: Any) -> Any:
    if isinstance(value, ExactFloat):
        return orjson.Fragment(json.dumps(float(value)))
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
