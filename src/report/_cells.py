"""How a table cell reads: numbers, fractions, means and sums as text, and what counts as an outcome.

Counting follows the paper's summaries: fractions are summed as fractions, and means and counts
leave out what does not apply (null). A trial that an error or an interruption ended is not a
trial of the agent: it is shown (`E`, `I`) but counted apart, never as a failure, and the row's
notes cell says how many were left out and why, and whether the row is a smoke test.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ._records import Fraction, Levels, TrialRecord

NULL = "–"
"""A value the record or the paper leaves null (not applicable)."""
NOT_RUN = "-"
"""No record of ours (or no paper row) for this row."""
ERROR = "E"
"""The trial ended with an error; not counted."""
INTERRUPTED = "I"
"""The trial was interrupted (Ctrl-C, SIGTERM); not counted."""
MAX_ERROR_CHARS = 200
"""An error quoted in a note is cut here: the record holds all of it."""


def cell(value: float | None) -> str:
    """A number as written (integers plain, others in `%g`), or `NULL`."""
    if value is None:
        return NULL
    return str(value) if isinstance(value, int) else f"{value:g}"


def cells(values: Iterable[int | None]) -> str:
    """Per-trial numbers as a list: `[3,5,–]`."""
    return "[" + ",".join(cell(value) for value in values) + "]"


def ratio(fraction: Sequence[int] | None) -> str:
    """`n/d`, or `NULL`."""
    return NULL if fraction is None else f"{fraction[0]}/{fraction[1]}"


def mean(values: Iterable[int | None]) -> str:
    """The mean of the values that are not null, to one decimal; `NULL` when none is."""
    present = [value for value in values if value is not None]
    return f"{sum(present) / len(present):.1f}" if present else NULL


def fraction_sum(fractions: Iterable[Fraction | None]) -> str:
    """The fractions that are not null, summed as fractions (numerators and denominators apart)."""
    present = [fraction for fraction in fractions if fraction is not None]
    return ratio((sum(n for n, _ in present), sum(d for _, d in present))) if present else NULL


def count_flags(flags: Iterable[int | None]) -> str:
    """How many of the 0/1 flags that are not null are 1, out of how many: `2/3`."""
    present = [flag for flag in flags if flag is not None]
    return f"{sum(present)}/{len(present)}" if present else NULL


def mark(record: TrialRecord, value: str) -> str:
    """`value`, or `I`/`E` when an interruption or an error ended the trial."""
    if record.interrupted:
        return INTERRUPTED
    return ERROR if record.error is not None else value


def outcome(record: TrialRecord) -> int | None:
    """Overall as counted: None when no evaluation found an issue, or when the trial is not counted."""
    if not record.counted:
        return None
    return record.levels.overall if record.levels else None


def row_notes(records: Sequence[TrialRecord], *, one_trial: bool = False) -> str:
    """A row's notes cell: the trials not counted and why, and whether they ran on the smoke-test model.

    `one_trial`: the row is one trial (Tables 4-6), so the cell says only whether it is counted.
    """
    parts = []
    left_out = [record for record in records if not record.counted]
    if left_out:
        interrupted = sum(record.interrupted for record in left_out)
        if one_trial:
            parts.append(f"not counted ({'interrupted' if interrupted else 'error'})")
        else:
            errors = len(left_out) - interrupted
            why = []
            if errors:
                why.append(f"{errors} error{'' if errors == 1 else 's'}")
            if interrupted:
                why.append(f"{interrupted} interrupted")
            parts.append(f"{len(left_out)} not counted ({', '.join(why)})")
    smoke = sum(record.smoke_test for record in records)
    if smoke:
        parts.append("smoke test" if smoke == len(records) else f"smoke test: {smoke} of {len(records)}")
    return "; ".join(parts)


def levels_of(record: TrialRecord) -> Levels:
    """The record's Table 4/6 columns, all null when it has none."""
    return record.levels or Levels(None, None, None, None, None)


def one_line(text: str) -> str:
    """`text` on one line, cut at `MAX_ERROR_CHARS` (for an error quoted in a note)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_ERROR_CHARS else flat[: MAX_ERROR_CHARS - 1] + "…"
