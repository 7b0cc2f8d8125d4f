"""libyaml's composer (the fast path) and PyYAML's Python composer give the same loaded spec.

load_yaml composes with libyaml and falls back to the Python composer for any text libyaml
rejects. Each case here is loaded both ways and everything a later step can see is compared:
data, key and value positions, value spans, and every message with its FILE:LINE:COL.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from schemac.errors import SpecErrors
from schemac.spec import load
from schemac.spec.load import load_yaml

from conftest import REPO_SPEC
from test_fuzz_spec import HOSTILE_VALUES, mutate

GOLDEN = Path(__file__).parent / "golden"

HOSTILE = [
    "a: 1\na: 2\n",  # duplicate key
    "tables:\n  t: {x: 1, x: 2}\n",
    "a: &x {b: 1}\nc: *x\n",  # anchor and alias
    "a: &x hello\nb: *x\n",
    "a: &x hello\n",  # an anchor alone
    "a: R&D\nb: Tom & Jerry\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n",  # merge key
    "a: !!python/object:os.system x\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!int x\n",
    "a: !!null x\n",
    "a: !!float abc\n",
    "a: !!map [1]\n",
    "a: !!seq {b: 1}\n",
    "a: !!str [1]\n",
    "a: !custom x\n",
    "? [a, b]\n: c\n",
    "a:\n  - 1\n  - 2\n  - {b: [x, {c: d}]}\n",
    "a: 'unclosed\nb: 2\n",
    'a: "unclosed\nb: 2\n',
    "a: [1, 2\n",
    "a: b: c\n",
    "a:\n\t- tab\n",
    "a: \"\\x01 escaped control\"\n",
    "a: \"\\0 nul\"\n",
    "a: \"\\ud800\"\n",
    "a: x\x85y\n",
    "a: \x85\n",
    "a: x\u2028y\nb: 2\n",
    "a: \"q\u2028r\"\nb: 2\n",
    "a: 1\rb: 2\r",  # lone CR
    "a: 1\r\nb: 2\r\n",
    "\ufeffa: 1\n",
    "a: 1\n\ufeffb: 2\n",
    "a: x\x07y\n",  # a control character the reader refuses
    "a: x\x7fy\n",
    "a: é日本🩺\nb: '🩺'\nc: |\n  🩺 line\n  two\nd: >\n  folded\n  text\n",
    "a: 2026-01-01\nb: 09:00\nc: 0x1F\nd: 1_000\ne: .inf\nf: yes\ng: ~\nh: 1e309\ni: 0o17\nj: 1:30\n",
    "a: " + "x" * (70 * 1024) + "\n",
    ("k" * (70 * 1024)) + ": 1\n",
    "a: " + "[" * 70 + "]" * 70 + "\n",
    "a: " + "[" * 400 + "]" * 400 + "\n",
    "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "v: 1\n",
    "%YAML 1.1\n---\na: 1\n",
    "---\na: 1\n---\nb: 2\n",
    "",
    "# only a comment\n",
    "- 1\n- 2\n",
    "just text\n",
    "null: 1\n~: 2\n",
    "1: one\ntrue: t\n",
    "a: 'it''s'\nb: \"say \\\"hi\\\"\"\n",
    # the same text plain, quoted and tagged, again and again: each plain one's tag resolved once, never a quoted one's
    "a: 123\nb: '123'\nc: 123\nd: \"123\"\ne: !!str 123\nf: 123\ng: [123, '123', true, 'true', ~, '~']\nh: true\ni: ~\n",
]


def outcome(text: str):
    """Everything a later step can see of the loaded text, or the messages it was refused with."""
    try:
        loaded = load_yaml(text, "schema.yaml")
    except SpecErrors as exc:
        return ("refused", [str(e) for e in exc.errors])
    return (
        repr(loaded.data),
        loaded.places,
        [str(e) for e in loaded.errors],
        {path: str(loaded.pos(path)) for path in loaded.places},
    )


def both(text: str, monkeypatch):
    fast = outcome(text)
    with monkeypatch.context() as m:
        m.setattr(load, "CSafeLoader", None)
        slow = outcome(text)
    return fast, slow


def test_libyaml_is_there():
    """The fast path is used: PyYAML was installed with its libyaml binding."""
    assert yaml.__with_libyaml__ and load.CSafeLoader is not None


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_yaml_loads_the_same_either_way(text, monkeypatch):
    fast, slow = both(text, monkeypatch)
    assert fast == slow


SPECS = [REPO_SPEC, *sorted(GOLDEN.glob("*/schema.yaml"))]


@pytest.mark.parametrize("spec", SPECS, ids=[p.parent.name for p in SPECS])
def test_specs_load_the_same_either_way(spec, monkeypatch):
    fast, slow = both(spec.read_text(encoding="utf-8"), monkeypatch)
    assert fast == slow
    assert fast[0] != "refused"


def _mutate_characters(text: str, rng: random.Random) -> str:
    """Character-level damage: YAML indicators, quotes, breaks and tabs dropped into random places."""
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.6:
            chars.insert(i, rng.choice([":", "'", '"', "&a ", "*a", "- ", "{", "}", "[", "]", "\t", "\r", "\u2028", "\x85", "#", "!", "|", ">", "? ", ",", "\\", "%", "@", "`"]))
        else:
            del chars[i]
    return "".join(chars)


@pytest.mark.parametrize("seed", range(150))
def test_mutated_specs_load_the_same_either_way(seed, monkeypatch):
    rng = random.Random(seed)
    text = REPO_SPEC.read_text(encoding="utf-8")
    text = mutate(text, rng) if seed % 2 else _mutate_characters(text, rng)
    fast, slow = both(text, monkeypatch)
    assert fast == slow


def test_repeated_texts_keep_their_own_types():
    """The fast composer resolves each distinct plain text's tag once: a quoted or tagged copy stays text."""
    loaded = load_yaml("a: 123\nb: '123'\nc: 123\nd: !!str 123\ne: [true, 'true', true, ~, '~', '']\nf: 1.5\ng: '1.5'\n", "s.yaml")
    assert loaded.data == {"a": 123, "b": "123", "c": 123, "d": "123", "e": [True, "true", True, None, "~", ""], "f": 1.5, "g": "1.5"}
    assert [type(v) for v in loaded.data.values()][:4] == [int, str, int, str]


def test_places_hold_each_key_value_and_scalar_span_of_every_style(monkeypatch):
    """Loaded.places packs four numbers in one int; each must come back whole whatever the style bits beside it."""
    text = "a: plain\nb: 'single'\nc: \"double\"\nd: |\n  block\ne: >\n  folded\nf: [x, 'y']\n"
    for composer in ("libyaml", "python"):
        with monkeypatch.context() as m:
            if composer == "python":
                m.setattr(load, "CSafeLoader", None)
            loaded = load_yaml(text, "schema.yaml")
        for key, style, written in (("a", None, "plain"), ("b", "'", "'single'"), ("c", '"', '"double"'), ("d", "|", "|"), ("e", ">", ">")):
            key_at = text.index(f"\n{key}:") + 1 if key != "a" else 0
            start, end, found_style = loaded.span((key,))
            assert (loaded.key_index((key,)), loaded.value_index((key,)), found_style) == (key_at, key_at + 3, style), composer
            assert text[start:end].startswith(written), composer
        assert loaded.span(("f",)) is None and loaded.value_index(("f",)) == text.index("[x")
        assert loaded.key_index(("f", 1)) is None and loaded.span(("f", 1)) == (text.index("'y'"), text.index("'y'") + 3, "'")
        assert str(loaded.pos_in_value(("b",), "single", 2)) == f"schema.yaml:2:{text.index('ngle') - text.index('b:') + 1}"
