"""How a table cell reads: numbers, fractions, means and sums as text, and what counts as an outcome.

Counting follows the paper's summaries: fractions are summed as fractions, means and counts leave
out what does not apply (null), and a record with an `error` counts as a failure (Overall 0)
even when no evaluation ran.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ._records import Fraction, Levels, TrialRecord

NULL = "–"
"""A value the record or the paper leaves null (not applicable)."""
NOT_RUN = "-"
"""No record of ours (or no paper row) for this row."""
ERROR = "E"
"""The trial ended with an error; counted as not passed."""
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


def outcome(record: TrialRecord) -> int | None:
    """Overall as counted: an errored trial is a failure even when no evaluation ran."""
    if record.error is not None:
        return 0
    return record.levels.overall if record.levels else None


def levels_of(record: TrialRecord) -> Levels:
    """The record's Table 4/6 columns, all null when it has none."""
    return record.levels or Levels(None, None, None, None, None)


def one_line(text: str) -> str:
    """`text` on one line, cut at `MAX_ERROR_CHARS` (for an error quoted in a note)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_ERROR_CHARS else flat[: MAX_ERROR_CHARS - 1] + "…"
