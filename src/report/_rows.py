"""What every table shares: its cells as text, our records of its runner, and the notes it carries.

A table is built from parsed records and the paper's data only (no files), so the same rows become
markdown and CSV and are tested without files. Our records of the table's runner are grouped by
instance and numbered (`number_trials`); instances or trials the paper does not have get rows of
their own, with "-" in the paper's columns. A record with an `error` is listed, marked `E` (`I`
when interrupted), left out of the counts and averages (the row's `Ours notes` says so), and its
error is quoted in a note. An instance whose records come from several `--suffix` series gets a
note naming them, and the intro counts the smoke-test records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._cells import ERROR, INTERRUPTED, NOT_RUN, NULL, mark, one_line
from ._records import TrialRecord, number_trials
from ._specs import HINT_TRIALS, TableSpec


@dataclass(frozen=True)
class Table:
    """One of the paper's tables with our numbers beside it: cells as text, ready for markdown or CSV."""

    key: str
    title: str
    intro: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class OurTrials:
    """One table's records, numbered per instance, and what the table must say about them."""

    trials: dict[str, list[tuple[int, TrialRecord]]]
    intro: str
    notes: list[str]

    @property
    def empty(self) -> bool:
        return not self.trials

    def records(self) -> list[TrialRecord]:
        return [record for pairs in self.trials.values() for _, record in pairs]


def our_trials(spec: TableSpec, paper_table: Mapping[str, Any], records: Sequence[TrialRecord]) -> OurTrials:
    """The records of `spec`'s runner, numbered per instance, with the intro line and the notes they call for."""
    by_instance: dict[str, list[TrialRecord]] = defaultdict(list)
    for record in records:
        if record.runner == spec.runner:
            by_instance[record.instance].append(record)
    trials: dict[str, list[tuple[int, TrialRecord]]] = {}
    notes: list[str] = []
    for instance in sorted(by_instance):
        trials[instance], renumbered = number_trials(by_instance[instance])
        if renumbered:
            notes.append(f"{instance}: trial numbers repeat across series; numbered 1..n by started_at.")
        suffixes = sorted({record.suffix or "?" for record in by_instance[instance]})
        if len(suffixes) > 1:
            notes.append(f"{instance}: series {', '.join(suffixes)} merged (`--suffix NAME` reports one).")
    for instance in trials:
        for number, record in trials[instance]:
            if record.error is not None:
                label = mark(record, ERROR)
                notes.append(f"{label} {instance} trial {number}: {one_line(record.error)} ({record.source})")
    paper_instances = dict.fromkeys(row["instance"] for row in paper_table["rows"])
    command = f"python -m {spec.module} --instance {{}} --trials {HINT_TRIALS}"
    notes += [f"Not run yet: `{command.format(name)}`" for name in paper_instances if name not in trials]
    if not trials:
        intro = f"No records of ours yet (runner `{spec.runner}`); the paper's numbers only."
    else:
        mine = [record for pairs in trials.values() for _, record in pairs]
        models = ", ".join(sorted({record.model or NULL for record in mine}))
        worlds = ", ".join(sorted({record.world or NULL for record in mine}))
        intro = f"Ours: {len(mine)} record(s) of runner `{spec.runner}` (model {models}; world {worlds})."
        left_out = sum(not record.counted for record in mine)
        if left_out:
            intro += f" {left_out} ended by an error or interrupted: shown, not counted."
        smoke = sum(record.smoke_test for record in mine)
        if smoke:
            intro += f" {smoke} ran on the SmolLM2 smoke test: their numbers mean nothing."
    if paper_table.get("notes"):
        notes.append(f"Paper: {paper_table['notes']}")
    return OurTrials(trials, intro, notes)


def blank(ours: OurTrials, width: int) -> tuple[str, ...]:
    """Our cells for a row without a record: empty when the table has none at all, else "-"."""
    return ("",) * width if ours.empty else (NOT_RUN,) * width


def make_table(
    spec: TableSpec,
    paper_table: Mapping[str, Any],
    ours: OurTrials,
    columns: tuple[str, ...],
    rows: list[tuple[str, ...]],
) -> Table:
    """The finished table: its title, our intro, the notes (the legend of `E` and `I` first when a record has one)."""
    notes = list(ours.notes)
    if any(not record.counted for record in ours.records()):
        notes.insert(
            0,
            f"{ERROR}: the trial ended with an error; {INTERRUPTED}: it was interrupted. Neither counts in the "
            "passed fractions and averages (`Ours notes` says how many were left out).",
        )
    title = f"Table {spec.number}: {paper_table['title']}"
    return Table(spec.key, title, ours.intro, columns, tuple(rows), tuple(notes))
