"""`python -m src.report [PATH ...]`: the paper's Tables 3-6 from our records, beside the published numbers.

Reads every `record.json` under each PATH (a run folder, a record file, or a folder searched
recursively; default results/), prints the four tables as markdown on stdout and writes them as CSV
(`table3.csv` .. `table6.csv`) into --out (default results/report/). How records are matched to the
paper's rows and counted is in `src/evaluate/tables.py`.

A record of another schema version is skipped with a warning. A PATH that does not exist, a
malformed record or an unwritable --out is one line on stderr and exit code 2. No records at all is
not an error: the tables show the paper's numbers and the commands that make ours.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import RESULTS_ROOT
from .evaluate.tables import (
    HINT_TRIALS,
    RECORD_VERSION,
    SPECS,
    RecordError,
    RecordVersionError,
    TrialRecord,
    build_tables,
    load_paper_tables,
    markdown_report,
    parse_record,
    to_csv,
)
from .experiment import RECORD_NAME

PROG = "python -m src.report"
EXIT_BAD_INPUT = 2
EPILOG = (
    "Trial numbers: a record keeps its own `trial`; when several series of one instance repeat trial "
    "numbers, that instance's records are numbered 1..n by started_at (the table notes it)."
)


class ReportInputError(ValueError):
    """A PATH, record or output folder the user must fix; the message names it."""


def _parser() -> argparse.ArgumentParser:
    description = (
        "The paper's Tables 3-6 from our records, beside the published numbers (markdown on stdout, CSV in --out)."
    )
    parser = argparse.ArgumentParser(prog=PROG, description=description, epilog=EPILOG)
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="run folders, record files or folders (default results/)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=RESULTS_ROOT / "report",
        help="where the CSVs go (default results/report/)",
    )
    return parser


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it lies under it: shorter lines, same meaning."""
    return str(path.relative_to(Path.cwd())) if path.is_absolute() and path.is_relative_to(Path.cwd()) else str(path)


def _find_records(paths: Sequence[Path]) -> list[Path]:
    """Every record file under `paths`, each once (however it was reached), in path order."""
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = sorted(path.rglob(RECORD_NAME))
        else:
            raise ReportInputError(f"{_shown(path)}: no such file or folder")
        for candidate in candidates:
            found.setdefault(candidate.resolve(), candidate)
    return list(found.values())


def _load_record(path: Path) -> TrialRecord | None:
    """The record in `path`, or None (with a warning on stderr) when it is of another schema version."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ReportInputError(f"{_shown(path)}: cannot be read ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise ReportInputError(f"{_shown(path)}: not UTF-8 text") from err
    except json.JSONDecodeError as err:
        raise ReportInputError(
            f"{_shown(path)}: not valid JSON ({err.msg}, line {err.lineno} column {err.colno})"
        ) from err
    try:
        return parse_record(document, _shown(path))
    except RecordVersionError as err:
        sys.stderr.write(f"warning: {_shown(path)}: {err}; skipped\n")
        return None
    except RecordError as err:
        raise ReportInputError(f"{_shown(path)}: {err}") from err


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    paths: list[Path] = args.paths or [RESULTS_ROOT]
    try:
        records = [record for path in _find_records(paths) if (record := _load_record(path)) is not None]
    except ReportInputError as err:
        sys.stderr.write(f"error: {err}\n")
        return EXIT_BAD_INPUT
    paper = load_paper_tables()
    tables = build_tables(records, paper)
    if not records:
        runners = ", ".join(f"python -m {spec.module}" for spec in SPECS)
        sys.stdout.write(
            f"No version-{RECORD_VERSION} record.json found under {', '.join(map(_shown, paths))}. "
            f"Records are made by {runners} (each with --instance NAME --trials {HINT_TRIALS}).\n\n"
        )
    sys.stdout.write(markdown_report(tables, paper))
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for table in tables:
            (args.out / f"{table.key}.csv").write_text(to_csv(table), encoding="utf-8")
    except OSError as err:
        sys.stderr.write(f"error: cannot write the CSVs into {_shown(args.out)}: {err.strerror}\n")
        return EXIT_BAD_INPUT
    sys.stderr.write(f"CSV: {', '.join(_shown(args.out / f'{table.key}.csv') for table in tables)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
