"""Finding `record.json` files under the paths given and reading each as a `TrialRecord`.

A path is a run folder, a record file, or a folder searched recursively; a record reached twice is
read once. A path that does not exist, a file that is not UTF-8 JSON, or a record that breaks the
schema is a `ReportInputError` whose message names the file; a record of another schema version
is skipped with a warning on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ..experiment import RECORD_NAME
from ._records import RecordError, RecordVersionError, TrialRecord, parse_record


class ReportInputError(ValueError):
    """A PATH, record or output folder the user must fix; the message names it."""


def shown(path: Path) -> str:
    """`path` relative to the working directory when it lies under it: shorter lines, same meaning."""
    return str(path.relative_to(Path.cwd())) if path.is_absolute() and path.is_relative_to(Path.cwd()) else str(path)


def find_records(paths: Sequence[Path]) -> list[Path]:
    """Every record file under `paths`, each once (however it was reached), in path order.

    Raises:
        ReportInputError: a path does not exist.
    """
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = sorted(path.rglob(RECORD_NAME))
        else:
            raise ReportInputError(f"{shown(path)}: no such file or folder")
        for candidate in candidates:
            found.setdefault(candidate.resolve(), candidate)
    return list(found.values())


def load_record(path: Path) -> TrialRecord | None:
    """The record in `path`, or None (with a warning on stderr) when it is of another schema version.

    Raises:
        ReportInputError: the file cannot be read, is not UTF-8 JSON, or breaks the schema.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ReportInputError(f"{shown(path)}: cannot be read ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise ReportInputError(f"{shown(path)}: not UTF-8 text") from err
    except json.JSONDecodeError as err:
        raise ReportInputError(
            f"{shown(path)}: not valid JSON ({err.msg}, line {err.lineno} column {err.colno})"
        ) from err
    try:
        return parse_record(document, shown(path))
    except RecordVersionError as err:
        sys.stderr.write(f"warning: {shown(path)}: {err}; skipped\n")
        return None
    except RecordError as err:
        raise ReportInputError(f"{shown(path)}: {err}") from err


def read_records(paths: Sequence[Path]) -> list[TrialRecord]:
    """The records under `paths` of the version this report reads (others skipped with a warning).

    Raises:
        ReportInputError: a path does not exist, or a record cannot be read (the message names it).
    """
    return [record for path in find_records(paths) if (record := load_record(path)) is not None]
