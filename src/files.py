"""Writing a file so that a reader sees either the old content or the new, never half of either.

Records, the timeline, the load's control file and Locust's final figures are read while (or
after) something else writes them: a report run in parallel, the locustfile polling its control
file once a second, a trial interrupted mid-write. Each is written to a temporary file in the same
folder (a rename is atomic only within one file system), flushed to disk, and renamed over the
target with `os.replace`; on any failure the temporary file is removed and the old file stays.

Standard library only: the locustfile imports this in Locust's monkey-patched process, and every
package may use it (the twin keeps its own copy, as it imports nothing but `src.config`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "write_text_atomically"]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write; when the block ends without error it replaces `path`.

    The temporary file exists (empty) when the block starts, is hidden (`.<name>.<random>.tmp`)
    and unique to this writer, so two writers of one target never share it. The folder is created
    when missing.

    Raises:
        OSError: the folder or the file could not be written; `path` is then unchanged.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Replace `path` with `text` in one step (see `atomic_path`); return `path`."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding=encoding)
    return path
