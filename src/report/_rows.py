"""What every table shares: its cells as text, our records of its runner, and the notes it carries.

A table is built from parsed records and the paper's data only (no files), so the same rows become
markdown and CSV and are tested without files. Our records of the table's runner are grouped by
instance and numbered (`number_trials`); instances or trials the paper does not have get rows of
their own, with "-" in the paper's columns. A record with an `error` is listed, marked `E`,
counted as not passed, and its error is quoted in a note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._cells import ERROR, NOT_RUN, NULL, one_line
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
    for instance in trials:
        for number, record in trials[instance]:
            if record.error is not None:
                notes.append(f"{ERROR} {instance} trial {number}: {one_line(record.error)} ({record.source})")
    paper_instances = dict.fromkeys(row["instance"] for row in paper_table["rows"])
    command = f"python -m {spec.module} --instance {{}} --trials {HINT_TRIALS}"
    notes += [f"Not run yet: `{command.format(name)}`" for name in paper_instances if name not in trials]
    if not trials:
        intro = f"No records of ours yet (runner `{spec.runner}`); the paper's numbers only."
    else:
        count = sum(len(pairs) for pairs in trials.values())
        models = ", ".join(sorted({record.model or NULL for pairs in trials.values() for _, record in pairs}))
        worlds = ", ".join(sorted({record.world or NULL for pairs in trials.values() for _, record in pairs}))
        intro = f"Ours: {count} record(s) of runner `{spec.runner}` (model {models}; world {worlds})."
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
    """The finished table: its title, our intro, the notes (the error legend first when a record has one)."""
    notes = list(ours.notes)
    if any(record.error for record in ours.records()):
        notes.insert(0, f"{ERROR}: the trial ended with an error; it counts as not passed.")
    title = f"Table {spec.number}: {paper_table['title']}"
    return Table(spec.key, title, ours.intro, columns, tuple(rows), tuple(notes))
