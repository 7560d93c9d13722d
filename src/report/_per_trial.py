"""Tables 4, 5 and 6: one row per trial (the paper's order, then ours), then both averages.

Table 4 (low-level L3-L5) and Table 6 (high-level L3-L5) sum the L3/L4/L5 fractions and count
First (Table 4) and Overall only where they apply (not null); Table 4's steps per evaluation leave
out trials whose injection failed (`overall` null), as the published 8.8 does. Table 5 (high-level
L1/L2) gives rounds, steps, the share of correct assignments and passed. Each table is a
`_TrialLayout`: how it reads one of our records, one paper row, and both averages. A trial that an
error or an interruption ended keeps its row (marked `E` or `I`) and stays out of the averages;
`Ours notes` says so on its row and counts them on the average's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._cells import NOT_RUN, cell, cells, count_flags, fraction_sum, levels_of, mark, mean, outcome, ratio, row_notes
from ._records import Levels, TrialRecord
from ._rows import OurTrials, Table, blank, make_table, our_trials
from ._specs import SPECS, TableSpec


def _trial_rows(
    paper_table: Mapping[str, Any], ours: OurTrials, name_key: str
) -> list[tuple[str, int, Mapping[str, Any] | None, TrialRecord | None]]:
    """(name, trial, paper row, our record) in the paper's order; our extra trials and instances follow theirs."""
    names: dict[str, str] = {}
    paper_rows: dict[tuple[str, int], Mapping[str, Any]] = {}
    for row in paper_table["rows"]:
        names.setdefault(row["instance"], row[name_key])
        paper_rows[row["instance"], row["trial"]] = row
    for instance, pairs in ours.trials.items():
        names.setdefault(instance, pairs[0][1].title)
    rows = []
    for instance, name in names.items():
        mine = dict(ours.trials.get(instance, []))
        numbers = sorted({trial for key, trial in paper_rows if key == instance} | set(mine))
        rows += [(name, number, paper_rows.get((instance, number)), mine.get(number)) for number in numbers]
    return rows


@dataclass(frozen=True)
class _TrialLayout:
    """How a table with one row per trial (4, 5, 6) reads our record, the paper's row and both averages."""

    spec: TableSpec
    name_key: str
    """The paper rows' name column: `fault` or `task`."""
    columns: tuple[str, ...]
    """Shown twice, as `Ours <column>` and `Paper <column>`."""
    ours: Callable[[TrialRecord], tuple[str, ...]]
    paper: Callable[[Mapping[str, Any]], tuple[str, ...]]
    ours_average: Callable[[list[TrialRecord]], tuple[str, ...]]
    """Over the counted trials only."""
    paper_average: Callable[[Mapping[str, Any]], tuple[str, ...]]


def _per_trial_table(layout: _TrialLayout, records: Sequence[TrialRecord], paper: Mapping[str, Any]) -> Table:
    paper_table = paper[layout.spec.key]
    ours = our_trials(layout.spec, paper_table, records)
    width = len(layout.columns)
    rows = []
    for name, trial, paper_row, record in _trial_rows(paper_table, ours, layout.name_key):
        mine = blank(ours, width + 1) if record is None else (*layout.ours(record), row_notes([record], one_trial=True))
        theirs = (NOT_RUN,) * width if paper_row is None else layout.paper(paper_row)
        rows.append((name, str(trial), *mine, *theirs))
    trials = ours.records()
    counted = [record for record in trials if record.counted]
    if counted:
        mine = (*layout.ours_average(counted), row_notes(trials))
    else:
        mine = (*blank(ours, width), row_notes(trials)) if trials else blank(ours, width + 1)
    rows.append(("Avg", "", *mine, *layout.paper_average(paper_table["summary"])))
    header = (layout.name_key.title(), "Trial", *(f"Ours {c}" for c in layout.columns), "Ours notes")
    return make_table(layout.spec, paper_table, ours, (*header, *(f"Paper {c}" for c in layout.columns)), rows)


def _fractions(levels: Levels) -> tuple[str, str, str]:
    return ratio(levels.l3), ratio(levels.l4), ratio(levels.l5)


def _overall(record: TrialRecord) -> str:
    return mark(record, cell(levels_of(record).overall))


def _summed(trials: list[TrialRecord]) -> tuple[str, str, str]:
    """L3, L4 and L5 of all trials, summed as fractions."""
    levels = [levels_of(record) for record in trials]
    return (
        fraction_sum(entry.l3 for entry in levels),
        fraction_sum(entry.l4 for entry in levels),
        fraction_sum(entry.l5 for entry in levels),
    )


def _table4_average(trials: list[TrialRecord]) -> tuple[str, ...]:
    injected = [record for record in trials if outcome(record) is not None]
    steps = mean(steps for record in injected for steps in record.evaluation_steps)
    first = count_flags(levels_of(record).first for record in trials)
    return steps, *_summed(trials), first, count_flags(outcome(record) for record in trials)


_TABLE4 = _TrialLayout(
    SPECS[1],
    "fault",
    ("steps", "L3", "L4", "L5", "first", "overall"),
    ours=lambda record: (
        cells(record.evaluation_steps),
        *_fractions(levels_of(record)),
        cell(levels_of(record).first),
        _overall(record),
    ),
    paper=lambda row: (
        cells(row["steps"]),
        *(ratio(row[key]) for key in ("l3", "l4", "l5")),
        cell(row["first"]),
        cell(row["overall"]),
    ),
    ours_average=_table4_average,
    paper_average=lambda summary: (
        cell(summary["steps_per_eval"]),
        *(ratio(summary[key]) for key in ("l3", "l4", "l5", "first", "overall")),
    ),
)
_TABLE5 = _TrialLayout(
    SPECS[2],
    "task",
    ("rounds", "steps", "assignment", "passed"),
    ours=lambda record: (
        str(record.rounds),
        cell(record.steps),
        ratio(record.assignments),
        mark(record, str(int(record.passed))),
    ),
    paper=lambda row: (str(row["rounds"]), str(row["steps"]), ratio(row["assignment"]), str(row["passed"])),
    ours_average=lambda trials: (
        mean(record.rounds for record in trials),
        mean(record.steps for record in trials),
        fraction_sum(record.assignments for record in trials),
        f"{sum(record.succeeded for record in trials)}/{len(trials)}",
    ),
    paper_average=lambda summary: (
        cell(summary["rounds"]),
        cell(summary["steps"]),
        ratio(summary["assignment"]),
        ratio(summary["passed"]),
    ),
)
_TABLE6 = _TrialLayout(
    SPECS[3],
    "fault",
    ("rounds", "steps", "L3", "L4", "L5", "overall"),
    ours=lambda record: (str(record.rounds), cell(record.steps), *_fractions(levels_of(record)), _overall(record)),
    paper=lambda row: (
        str(row["rounds"]),
        str(row["steps"]),
        *(ratio(row[key]) for key in ("l3", "l4", "l5")),
        cell(row["overall"]),
    ),
    ours_average=lambda trials: (
        mean(record.rounds for record in trials),
        mean(record.steps for record in trials),
        *_summed(trials),
        count_flags(outcome(record) for record in trials),
    ),
    paper_average=lambda summary: (
        cell(summary["rounds"]),
        cell(summary["steps"]),
        *(ratio(summary[key]) for key in ("l3", "l4", "l5", "overall")),
    ),
)


def build_table4(records: Sequence[TrialRecord], paper: Mapping[str, Any]) -> Table:
    """Low-level L3-L5: one row per fault and trial, then the averages as the paper sums them."""
    return _per_trial_table(_TABLE4, records, paper)


def build_table5(records: Sequence[TrialRecord], paper: Mapping[str, Any]) -> Table:
    """High-level L1/L2: one row per task and trial (rounds, steps, assignments, passed), then the averages."""
    return _per_trial_table(_TABLE5, records, paper)


def build_table6(records: Sequence[TrialRecord], paper: Mapping[str, Any]) -> Table:
    """High-level L3-L5: one row per fault and trial (one evaluation each), then the averages."""
    return _per_trial_table(_TABLE6, records, paper)
