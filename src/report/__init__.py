"""The paper's Tables 3-6 rebuilt from our `record.json` files, beside the published numbers.

Reporting reads persisted records only, never live runner objects (scoring a live trial is
`src.evaluate`'s job), so a report can be re-rendered from old results. The pieces, in the order
the data flows:

- `_reading`: find the `record.json` files under the paths given and read each one.
- `_records`: check a record against the schema and keep what the tables use (`TrialRecord`).
- `_specs`: which runner fills which table, and the paper's numbers (`data/paper/tables.yaml`).
- `_rows`, `_table3`, `_per_trial`: the tables, pure (parsed records and the paper's data in, rows
  of text out), with `_cells` for how a cell reads and counts.
- `_render`: a table as markdown or CSV; `_report`: the whole report as `python -m src.report`
  writes it (`__main__` only parses the flags).

Matching. A record belongs to a table by its `runner`, and to a paper row by its `instance` and its
trial number. The trial number is the record's own `trial`, unless two records of one instance share
it (several `--trials` series in the results): then all that instance's records are taken in
`started_at` order and numbered 1..n, and the table says so in a note. Instances or trials the
paper does not have get rows of their own, with "-" in the paper's columns.

Counting follows the paper's summaries: Table 3's averages are the pass rate k/n over all runs of a
level and the mean steps and error steps; Tables 4 and 6 sum the L3/L4/L5 fractions and count
First (Table 4) and Overall only where they apply (not null); Table 4's steps per evaluation leave
out trials whose injection failed (`overall` null), as the published 8.8 does. A record with an
`error` is listed, marked `E` in its passed/overall cell (`I` when it was interrupted), left out of
every count and average (the trial did not complete: it says nothing about the agent), and its
error is quoted in a note; the `Ours notes` column says per row how many were left out and marks
rows of the SmolLM2 smoke test.

Selecting: `RecordFilter` (`--suffix`, `--since`, `--instance`, in `_filters`) keeps the records of
one series, of a time on, or of some instances; without it, every series under the paths is merged.
"""

from ._cells import ERROR, INTERRUPTED, NOT_RUN, NULL
from ._filters import RecordFilter, parse_since
from ._per_trial import build_table4, build_table5, build_table6
from ._reading import ReportInputError, find_records, load_record, read_records
from ._records import RECORD_VERSION, Levels, RecordError, RecordVersionError, TrialRecord, number_trials, parse_record
from ._render import markdown_report, to_csv, to_markdown
from ._report import EXIT_BAD_INPUT, build_tables, write_report
from ._rows import Table
from ._specs import HINT_TRIALS, PAPER_TABLES, SPECS, TableSpec, load_paper_tables
from ._table3 import build_table3

__all__ = [
    "ERROR",
    "EXIT_BAD_INPUT",
    "HINT_TRIALS",
    "INTERRUPTED",
    "NOT_RUN",
    "NULL",
    "PAPER_TABLES",
    "RECORD_VERSION",
    "SPECS",
    "Levels",
    "RecordError",
    "RecordFilter",
    "RecordVersionError",
    "ReportInputError",
    "Table",
    "TableSpec",
    "TrialRecord",
    "build_table3",
    "build_table4",
    "build_table5",
    "build_table6",
    "build_tables",
    "find_records",
    "load_paper_tables",
    "load_record",
    "markdown_report",
    "number_trials",
    "parse_record",
    "parse_since",
    "read_records",
    "to_csv",
    "to_markdown",
    "write_report",
]
