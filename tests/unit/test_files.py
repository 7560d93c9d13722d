"""`src.files`: a file is replaced whole or not at all, and no temporary file is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from src.files import atomic_path, write_text_atomically


def test_a_write_replaces_the_file_whole_and_creates_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "run" / "record.json"
    assert write_text_atomically(path, "first, and longer\n") == path
    write_text_atomically(path, "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert list(path.parent.iterdir()) == [path]


def test_the_temporary_file_is_a_hidden_sibling_of_the_target(tmp_path: Path) -> None:
    path = tmp_path / "timeline.png"
    with atomic_path(path) as temporary:
        assert temporary.parent == tmp_path and temporary.exists()
        assert temporary.name.startswith(".timeline.png.") and temporary.name.endswith(".tmp")
        assert not path.exists()
        temporary.write_bytes(b"\x89PNG")
    assert path.read_bytes() == b"\x89PNG"
    assert list(tmp_path.iterdir()) == [path]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "control.json"
    write_text_atomically(path, '{"users": 5}')
    with pytest.raises(OSError, match="disk full"), atomic_path(path) as temporary:
        temporary.write_text('{"us')
        raise OSError("disk full")
    assert path.read_text(encoding="utf-8") == '{"users": 5}'
    assert list(tmp_path.iterdir()) == [path]
