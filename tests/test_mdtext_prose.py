"""_prose, rewritten to run in C (translate and one regex), escapes exactly as the character loop it replaced."""

from __future__ import annotations

import html
import random

from schemac.emit import mdtext


def reference_prose(text: str) -> str:
    """The original definition: HTML-escape, then each special as an entity; `_` kept only inside a word."""
    escaped = html.escape(text, quote=False)
    out = []
    for i, ch in enumerate(escaped):
        if ch in mdtext.PROSE_SPECIALS:
            out.append(f"&#{ord(ch)};")
        elif ch == "_":
            before = escaped[i - 1] if i > 0 else " "
            after = escaped[i + 1] if i + 1 < len(escaped) else " "
            out.append("_" if before.isalnum() and after.isalnum() else f"&#{ord(ch)};")
        else:
            out.append(ch)
    return "".join(out)


def test_prose_matches_the_character_by_character_definition():
    rng = random.Random(13)
    alphabet = "ab_1 [](){}|\\`*~<>&é²٣_#!-\n"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert mdtext._prose(text) == reference_prose(text), text


def test_underscores_inside_words_stay_readable():
    assert mdtext._prose("reason_for_visit") == "reason_for_visit"
    assert mdtext._prose("_x_ a__b <_>") == "&#95;x&#95; a&#95;&#95;b &lt;&#95;&gt;"
