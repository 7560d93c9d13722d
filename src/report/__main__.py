"""`python -m src.report [PATH ...]`: the paper's Tables 3-6 from our records, beside the published numbers.

Reads every `record.json` under each PATH (a run folder, a record file, or a folder searched
recursively; default results/), prints the four tables as markdown on stdout and writes them as CSV
(`table3.csv` .. `table6.csv`) into --out (default results/report/). How records are matched to the
paper's rows and counted is in the `src.report` package.

A record of another schema version is skipped with a warning. A PATH that does not exist, a
malformed record or an unwritable --out is one line on stderr and exit code 2. No records at all is
not an error: the tables show the paper's numbers and the commands that make ours.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import RESULTS_ROOT
from . import write_report

PROG = "python -m src.report"
EPILOG = (
    "Trial numbers: a record keeps its own `trial`; when several series of one instance repeat trial "
    "numbers, that instance's records are numbered 1..n by started_at (the table notes it)."
)


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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return write_report(args.paths or [RESULTS_ROOT], args.out)


if __name__ == "__main__":
    sys.exit(main())
