"""Outputs are written and compared a slice at a time (no whole-file copies at thousands of tables): the bytes
on disk and every verdict must be what whole-file writing and comparing gave."""

from __future__ import annotations

import pytest

from schemac import outputs

TEXT = "".join(f"line {i}: é→漢字 🙂 \\ ' \"\n" for i in range(40))  # multi-byte characters on every slice boundary


@pytest.fixture(params=[1, 7, 64, 1 << 20])
def sliced(request, monkeypatch):
    monkeypatch.setattr(outputs, "SLICE", request.param)
    return request.param


def test_written_bytes_are_the_text_in_utf8(tmp_path, sliced):
    out = tmp_path / "compiled"
    outputs.write_outputs(str(out), {"a.md": TEXT, "types/b.ts": "", "c.json": "{}\n"}, {})
    assert (out / "a.md").read_bytes() == TEXT.encode("utf-8")
    assert (out / "types" / "b.ts").read_bytes() == b""
    assert outputs.compare(str(out), {"a.md": TEXT, "types/b.ts": "", "c.json": "{}\n"}) == []


@pytest.mark.parametrize(
    "on_disk",
    [
        TEXT[:-40] + "X" + TEXT[-39:],  # one character changed near the end
        "Y" + TEXT[1:],  # at the start
        TEXT + "more\n",  # the file goes on past the text
        TEXT[:-1],  # the file stops short
        TEXT.replace("é", "e", 1),  # same characters' count, fewer bytes
        "",
    ],
)
def test_any_difference_is_stale_with_the_file_read_whole(tmp_path, sliced, on_disk):
    out = tmp_path / "compiled"
    out.mkdir()
    (out / "a.md").write_bytes(on_disk.encode("utf-8"))
    (stale,) = outputs.compare(str(out), {"a.md": TEXT})
    assert (stale.path, stale.state, stale.current, stale.desired) == ("a.md", "stale", on_disk, TEXT)


def test_a_link_or_folder_where_a_file_belongs_is_stale(tmp_path, sliced):
    out = tmp_path / "compiled"
    out.mkdir()
    (tmp_path / "real.md").write_text(TEXT, encoding="utf-8")
    (out / "a.md").symlink_to(tmp_path / "real.md")
    (out / "b.md").mkdir()
    assert [(s.path, s.state) for s in outputs.compare(str(out), {"a.md": TEXT})] == [("a.md", "stale"), ("b.md/", "extra")]
