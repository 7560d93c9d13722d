"""Table 3 (low-level L1/L2): one row per task in the paper's order, then the L1 and L2 averages.

The averages are the paper's: the pass rate k/n over all runs of a level, and the mean steps and
error steps. A run that an error or an interruption ended is shown in the row's list (`E`, `I`)
but counted in neither k/n nor the means; `Ours notes` says how many were left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from ._cells import NOT_RUN, cell, cells, mark, mean, ratio, row_notes
from ._records import TrialRecord
from ._rows import Table, blank, make_table, our_trials
from ._specs import SPECS


def build_table3(records: Sequence[TrialRecord], paper: Mapping[str, Any]) -> Table:
    """Low-level L1/L2: one row per task (the paper's order), then the L1 and L2 averages."""
    spec, paper_table = SPECS[0], paper["table3"]
    ours = our_trials(spec, paper_table, records)
    by_level: dict[int | None, list[TrialRecord]] = defaultdict(list)

    def our_cells(trials: list[TrialRecord]) -> tuple[str, ...]:
        if not trials:
            return blank(ours, 4)
        marks = ",".join(mark(record, str(int(record.passed))) for record in trials)
        counted = [record for record in trials if record.counted]
        passed = f"[{marks}] {sum(record.succeeded for record in counted)}/{len(counted)}"
        steps = cells(record.steps for record in trials), cells(record.failed_steps for record in trials)
        return passed, *steps, row_notes(trials)

    rows = []
    for row in paper_table["rows"]:
        trials = [record for _, record in ours.trials.get(row["instance"], [])]
        by_level[row["level"]] += trials
        paper_passed = f"{cells(row['passed'])} {sum(row['passed'])}/{len(row['passed'])}"
        rows.append(
            (
                str(row["level"]),
                row["task"],
                *our_cells(trials),
                paper_passed,
                cells(row["steps"]),
                cells(row["error_steps"]),
            )
        )
    paper_instances = {row["instance"] for row in paper_table["rows"]}
    for instance, pairs in ours.trials.items():
        if instance not in paper_instances:
            trials = [record for _, record in pairs]
            by_level[trials[0].level] += trials
            rows.append((cell(trials[0].level), trials[0].title, *our_cells(trials), *(NOT_RUN,) * 3))
    for name, summary in paper_table["summary"].items():
        level = int(name.removeprefix("L"))
        counted = [record for record in by_level[level] if record.counted]
        if counted:
            succeeded = sum(record.succeeded for record in counted)
            mine: tuple[str, ...] = (
                f"{succeeded}/{len(counted)} ({succeeded / len(counted):.2f})",
                mean(record.steps for record in counted),
                mean(record.failed_steps for record in counted),
                row_notes(by_level[level]),
            )
        elif by_level[level]:
            mine = (NOT_RUN, NOT_RUN, NOT_RUN, row_notes(by_level[level]))
        else:
            mine = blank(ours, 4)
        theirs = (f"{ratio(summary['passed'])} ({summary['pass_rate']:.2f})", cell(summary["steps"]))
        rows.append((str(level), f"{name} avg", *mine, *theirs, cell(summary["error_steps"])))
    columns = ("Level", "Task", "Ours passed", "Ours steps", "Ours error steps", "Ours notes")
    return make_table(spec, paper_table, ours, (*columns, "Paper passed", "Paper steps", "Paper error steps"), rows)
