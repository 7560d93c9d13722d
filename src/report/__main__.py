"""`python -m src.report [PATH ...]`: the paper's Tables 3-6 from our records, beside the published numbers.

Reads every `record.json` under each PATH (a run folder, a record file, or a folder searched
recursively; default results/), prints the four tables as markdown on stdout and writes them as CSV
(`table3.csv` .. `table6.csv`) into --out (default results/report/). How records are matched to the
paper's rows and counted is in the `src.report` package.

`--suffix`, `--since` and `--instance` keep only the records of one series, of a time on, or of
some instances (the first two repeatable); a line above the tables says how many they kept.

A record of another schema version is skipped with a warning. A PATH that does not exist, a
malformed record, a bad --since or an unwritable --out is one line on stderr and exit code 2. No
records at all is not an error: the tables show the paper's numbers and the commands that make ours.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from ..config import RESULTS_ROOT
from . import RecordFilter, parse_since, write_report

PROG = "python -m src.report"
EPILOG = (
    "Trial numbers: a record keeps its own `trial`; when several series of one instance repeat trial "
    "numbers, that instance's records are numbered 1..n by started_at (the table notes it)."
)


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _since(text: str) -> datetime:
    try:
        return parse_since(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _parser() -> argparse.ArgumentParser:
    description = (
        "The paper's Tables 3-6 from our records, beside the published numbers (markdown on stdout, CSV in --out)."
    )
    parser = _Parser(prog=PROG, description=description, epilog=EPILOG)
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
    parser.add_argument(
        "--suffix",
        action="append",
        default=[],
        metavar="NAME",
        help="only the series run with this --suffix (repeatable; default: every series, merged per row)",
    )
    parser.add_argument(
        "--since",
        type=_since,
        metavar="WHEN",
        help="only trials started at or after this date or datetime (ISO 8601, e.g. 2026-12-01T14:30; UTC unless a "
        "zone is given)",
    )
    parser.add_argument(
        "--instance", action="append", default=[], metavar="NAME", help="only this dataset instance (repeatable)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    select = RecordFilter(tuple(args.suffix), args.since, tuple(args.instance))
    return write_report(args.paths or [RESULTS_ROOT], args.out, select)


if __name__ == "__main__":
    sys.exit(main())
