"""The whole report: the four tables from the records, printed as markdown and written as CSV.

`write_report` is what `python -m src.report` runs once its flags are parsed: read the records,
build Tables 3-6 beside the paper's numbers, print them on stdout, write `table3.csv` ..
`table6.csv` into the output folder, and name the CSVs on stderr. No records at all is not an
error: the tables then show the paper's numbers and the commands that make ours.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._filters import RecordFilter
from ._per_trial import build_table4, build_table5, build_table6
from ._reading import ReportInputError, read_records, shown
from ._records import RECORD_VERSION, TrialRecord
from ._render import markdown_report, to_csv
from ._rows import Table
from ._specs import HINT_TRIALS, SPECS, load_paper_tables
from ._table3 import build_table3

EXIT_BAD_INPUT = 2
"""The exit code of input the user must fix: a missing PATH, a malformed record, an unwritable --out."""


def build_tables(records: Sequence[TrialRecord], paper: Mapping[str, Any]) -> list[Table]:
    """Tables 3, 4, 5 and 6, each from the records of its runner."""
    return [build(records, paper) for build in (build_table3, build_table4, build_table5, build_table6)]


def write_report(paths: Sequence[Path], out: Path, select: RecordFilter | None = None) -> int:
    """Read the records under `paths` that `select` keeps, print the tables and write their CSVs into `out`.

    Bad input is one line on stderr, never a traceback.

    Returns:
        0, or `EXIT_BAD_INPUT` when a path, a record or `out` must be fixed.
    """
    select = select or RecordFilter()
    try:
        read = read_records(paths)
    except ReportInputError as err:
        sys.stderr.write(f"error: {err}\n")
        return EXIT_BAD_INPUT
    records = select.select(read)
    paper = load_paper_tables()
    tables = build_tables(records, paper)
    if select.active:
        sys.stdout.write(select.describe(records, read) + "\n\n")
    if not read:
        runners = ", ".join(f"python -m {spec.module}" for spec in SPECS)
        sys.stdout.write(
            f"No version-{RECORD_VERSION} record.json found under {', '.join(map(shown, paths))}. "
            f"Records are made by {runners} (each with --instance NAME --trials {HINT_TRIALS}).\n\n"
        )
    sys.stdout.write(markdown_report(tables, paper))
    try:
        out.mkdir(parents=True, exist_ok=True)
        for table in tables:
            (out / f"{table.key}.csv").write_text(to_csv(table), encoding="utf-8")
    except OSError as err:
        sys.stderr.write(f"error: cannot write the CSVs into {shown(out)}: {err.strerror}\n")
        return EXIT_BAD_INPUT
    sys.stderr.write(f"CSV: {', '.join(shown(out / f'{table.key}.csv') for table in tables)}\n")
    return 0
