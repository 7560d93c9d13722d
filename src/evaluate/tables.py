"""The paper's Tables 3-6 rebuilt from our `record.json` files, beside the published numbers.

`python -m src.report` reads the files; everything here is pure (parsed records and the paper's
data in, rows and text out), so the same rows become markdown and CSV and are tested without files.

Matching. A record belongs to a table by its `runner`, and to a paper row by its `instance` and its
trial number. The trial number is the record's own `trial`, unless two records of one instance share
it (several `--trials` series in the results): then all that instance's records are taken in
`started_at` order and numbered 1..n, and the table says so in a note. Instances or trials the
paper does not have get rows of their own, with "-" in the paper's columns.

Counting follows the paper's summaries: Table 3's averages are the pass rate k/n over all runs of a
level and the mean steps and error steps; Tables 4 and 6 sum the L3/L4/L5 fractions and count
First (Table 4) and Overall only where they apply (not null); Table 4's steps per evaluation leave
out trials whose injection failed (`overall` null), as the published 8.8 does. A record with an
`error` is listed, marked `E` in its passed/overall cell, counted as not passed (Overall 0), and its
error is quoted in a note.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ..config import REPO_ROOT

RECORD_VERSION = 2
"""The `record.json` schema this report reads (docs/records.md)."""
PAPER_TABLES = REPO_ROOT / "data" / "paper" / "tables.yaml"
NULL = "–"
"""A value the record or the paper leaves null (not applicable)."""
NOT_RUN = "-"
"""No record of ours (or no paper row) for this row."""
ERROR = "E"
"""The trial ended with an error; counted as not passed."""
HINT_TRIALS = 3
"""The paper ran three trials of everything; the commands we suggest do the same."""
MAX_ERROR_CHARS = 200
"""An error quoted in a note is cut here: the record holds all of it."""

Fraction = tuple[int, int]


@dataclass(frozen=True)
class TableSpec:
    """Which runner's records fill which of the paper's tables, and the command that makes them."""

    number: int
    runner: str
    module: str

    @property
    def key(self) -> str:
        return f"table{self.number}"


SPECS = (
    TableSpec(3, "low_level_L1_2", "src.empirical_low_level_L1_2"),
    TableSpec(4, "low_level_L3_4_5", "src.empirical_low_level_L3_4_5"),
    TableSpec(5, "high_level_L1_2", "src.empirical_high_level_L1_2"),
    TableSpec(6, "high_level_L3_4_5", "src.empirical_high_level_L3_4_5"),
)
_SPEC_BY_RUNNER = {spec.runner: spec for spec in SPECS}


class RecordError(ValueError):
    """A record that cannot be read as the schema says; the message names the field and the problem."""


class RecordVersionError(RecordError):
    """A record of another schema version: skipped with a warning rather than an error."""


@dataclass(frozen=True)
class Levels:
    """The paper's Table 4/6 columns of one trial."""

    l3: Fraction | None
    l4: Fraction | None
    l5: Fraction | None
    first: int | None
    overall: int | None
    """The last SLO check of the trial; None when no evaluation found an issue (a failed injection)."""


@dataclass(frozen=True)
class TrialRecord:
    """What the tables need of one `record.json`, checked and typed."""

    source: str
    """Where the record came from (its path), for notes and error lines."""
    runner: str
    instance: str
    title: str
    level: int | None
    trial: int
    started_at: datetime
    model: str | None
    world: str | None
    steps: int | None
    failed_steps: int | None
    passed: bool
    error: str | None
    evaluation_steps: tuple[int | None, ...] = ()
    levels: Levels | None = None
    rounds: int = 0
    assignments: Fraction = (0, 0)
    """Correct assignments over all assignments of the manager's rounds."""

    @property
    def succeeded(self) -> bool:
        """Passed and without an error: an errored trial never counts as passed."""
        return self.passed and self.error is None


@dataclass(frozen=True)
class Table:
    """One of the paper's tables with our numbers beside it: cells as text, ready for markdown or CSV."""

    key: str
    title: str
    intro: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]


def load_paper_tables(path: Path = PAPER_TABLES) -> dict[str, Any]:
    """The paper's published numbers (`data/paper/tables.yaml`; its header states the conventions)."""
    tables: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tables


_JSON_TYPES: dict[type, str] = {
    type(None): "null",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "an object",
}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _get(document: Mapping[str, Any], key: str, kinds: tuple[type, ...], where: str, *, required: bool = False) -> Any:
    """`document[key]` when its type is one of `kinds` (None allowed when `type(None)` is among them)."""
    name = f"{where}{key}"
    if key not in document:
        if required:
            raise RecordError(f"no '{name}' field")
        return None
    value = document[key]
    if value is None and type(None) in kinds:
        return None
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        expected = " or ".join(_JSON_TYPES[kind] for kind in kinds)
        raise RecordError(f"'{name}' is {_json_type(value)}, expected {expected}")
    return value


def _fraction(value: Any, name: str) -> Fraction | None:
    if value is None:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(part) is int for part in value)):
        raise RecordError(f"'{name}' is not a fraction [numerator, denominator] or null")
    return value[0], value[1]


def _flag(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if value not in (0, 1) or not isinstance(value, int):
        raise RecordError(f"'{name}' is not 0, 1 or null")
    return int(value)


def _levels(value: Any) -> Levels | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(f"'levels' is {_json_type(value)}, expected an object or null")
    l3, l4, l5 = (_fraction(value.get(key), f"levels.{key}") for key in ("l3", "l4", "l5"))
    return Levels(l3, l4, l5, _flag(value.get("first"), "levels.first"), _flag(value.get("overall"), "levels.overall"))


def _objects(document: Mapping[str, Any], key: str, where: str = "") -> list[dict[str, Any]]:
    items: list[Any] = _get(document, key, (list, type(None)), where) or []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise RecordError(f"'{where}{key}[{index}]' is {_json_type(item)}, expected an object")
    return items


def _started_at(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as err:
        raise RecordError(f"'started_at' is not an ISO 8601 time: {text!r}") from err
    if moment.tzinfo is None:
        raise RecordError(f"'started_at' has no time zone: {text!r}")
    return moment


def parse_record(document: Any, source: str) -> TrialRecord:
    """Check a parsed `record.json` against the version-2 schema and keep what the tables use.

    Raises:
        RecordVersionError: the record is of another version.
        RecordError: a field the tables need is missing or of the wrong type.
    """
    if not isinstance(document, dict):
        raise RecordError(f"the record is {_json_type(document)}, expected an object")
    version = _get(document, "version", (int,), "", required=True)
    if version != RECORD_VERSION:
        raise RecordVersionError(f"record version {version}, this report reads version {RECORD_VERSION}")
    runner = _get(document, "runner", (str,), "", required=True)
    if runner not in _SPEC_BY_RUNNER:
        raise RecordError(f"unknown runner {runner!r}, expected one of {', '.join(_SPEC_BY_RUNNER)}")
    instance = _get(document, "instance", (str,), "", required=True)
    rounds = _objects(document, "rounds")
    correct = [
        _get(assignment, "correct", (bool,), f"rounds[{index}].assignments[{position}].", required=True)
        for index, round_ in enumerate(rounds)
        for position, assignment in enumerate(_objects(round_, "assignments", f"rounds[{index}]."))
    ]
    nullable_int, nullable_str = (int, type(None)), (str, type(None))
    return TrialRecord(
        source=source,
        runner=runner,
        instance=instance,
        title=_get(document, "title", nullable_str, "") or instance,
        level=_get(document, "level", nullable_int, ""),
        trial=_get(document, "trial", (int,), "", required=True),
        started_at=_started_at(_get(document, "started_at", (str,), "", required=True)),
        model=_get(document, "model", nullable_str, ""),
        world=_get(document, "world", nullable_str, ""),
        steps=_get(document, "steps", nullable_int, ""),
        failed_steps=_get(document, "failed_steps", nullable_int, ""),
        passed=_get(document, "passed", (bool,), "", required=True),
        error=_get(document, "error", nullable_str, ""),
        evaluation_steps=tuple(
            _get(evaluation, "steps", nullable_int, f"evaluations[{index}].")
            for index, evaluation in enumerate(_objects(document, "evaluations"))
        ),
        levels=_levels(document.get("levels")),
        rounds=len(rounds),
        assignments=(sum(correct), len(correct)),
    )


def number_trials(records: Sequence[TrialRecord]) -> tuple[list[tuple[int, TrialRecord]], bool]:
    """One instance's records with their trial numbers, in trial order, and whether they were renumbered.

    The record's own `trial` is kept while it is unique; when several series share trial numbers,
    `started_at` order (1..n) is the only order that means the same for all of them.
    """
    if len({record.trial for record in records}) == len(records):
        return sorted(((record.trial, record) for record in records), key=lambda pair: pair[0]), False
    ordered = sorted(records, key=lambda record: (record.started_at, record.trial))
    return list(enumerate(ordered, start=1)), True


def _cell(value: float | None) -> str:
    if value is None:
        return NULL
    return str(value) if isinstance(value, int) else f"{value:g}"


def _cells(values: Iterable[int | None]) -> str:
    return "[" + ",".join(_cell(value) for value in values) + "]"


def _ratio(fraction: Sequence[int] | None) -> str:
    return NULL if fraction is None else f"{fraction[0]}/{fraction[1]}"


def _mean(values: Iterable[int | None]) -> str:
    present = [value for value in values if value is not None]
    return f"{sum(present) / len(present):.1f}" if present else NULL


def _sum(fractions: Iterable[Fraction | None]) -> str:
    present = [fraction for fraction in fractions if fraction is not None]
    return _ratio((sum(n for n, _ in present), sum(d for _, d in present))) if present else NULL


def _count(flags: Iterable[int | None]) -> str:
    present = [flag for flag in flags if flag is not None]
    return f"{sum(present)}/{len(present)}" if present else NULL


def _outcome(record: TrialRecord) -> int | None:
    """Overall as counted: an errored trial is a failure even when no evaluation ran."""
    if record.error is not None:
        return 0
    return record.levels.overall if record.levels else None


def _levels_of(record: TrialRecord) -> Levels:
    return record.levels or Levels(None, None, None, None, None)


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_ERROR_CHARS else flat[: MAX_ERROR_CHARS - 1] + "…"


@dataclass(frozen=True)
class _Ours:
    """One table's records, numbered per instance, and what the table must say about them."""

    trials: dict[str, list[tuple[int, TrialRecord]]]
    intro: str
    notes: list[str]

    @property
    def empty(self) -> bool:
        return not self.trials

    def records(self) -> list[TrialRecord]:
        return [record for pairs in self.trials.values() for _, record in pairs]


def _ours(spec: TableSpec, paper_table: Mapping[str, Any], records: Sequence[TrialRecord]) -> _Ours:
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
                notes.append(f"{ERROR} {instance} trial {number}: {_one_line(record.error)} ({record.source})")
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
    return _Ours(trials, intro, notes)


def _blank(ours: _Ours, width: int) -> tuple[str, ...]:
    """Our cells for a row without a record: empty when the table has none at all, else "-"."""
    return ("",) * width if ours.empty else (NOT_RUN,) * width


def build_table3(records: Sequence[TrialRecord], paper: Mapping[str, Any]) -> Table:
    """Low-level L1/L2: one row per task (the paper's order), then the L1 and L2 averages."""
    spec, paper_table = SPECS[0], paper["table3"]
    ours = _ours(spec, paper_table, records)
    by_level: dict[int | None, list[TrialRecord]] = defaultdict(list)

    def our_cells(trials: list[TrialRecord]) -> tuple[str, ...]:
        if not trials:
            return _blank(ours, 3)
        marks = ",".join(ERROR if record.error else str(int(record.passed)) for record in trials)
        passed = f"[{marks}] {sum(record.succeeded for record in trials)}/{len(trials)}"
        return passed, _cells(record.steps for record in trials), _cells(record.failed_steps for record in trials)

    rows = []
    for row in paper_table["rows"]:
        trials = [record for _, record in ours.trials.get(row["instance"], [])]
        by_level[row["level"]] += trials
        paper_passed = f"{_cells(row['passed'])} {sum(row['passed'])}/{len(row['passed'])}"
        rows.append(
            (
                str(row["level"]),
                row["task"],
                *our_cells(trials),
                paper_passed,
                _cells(row["steps"]),
                _cells(row["error_steps"]),
            )
        )
    paper_instances = {row["instance"] for row in paper_table["rows"]}
    for instance, pairs in ours.trials.items():
        if instance not in paper_instances:
            trials = [record for _, record in pairs]
            by_level[trials[0].level] += trials
            rows.append((_cell(trials[0].level), trials[0].title, *our_cells(trials), *(NOT_RUN,) * 3))
    for name, summary in paper_table["summary"].items():
        level = int(name.removeprefix("L"))
        trials = by_level[level]
        if trials:
            succeeded = sum(record.succeeded for record in trials)
            mine: tuple[str, ...] = (
                f"{succeeded}/{len(trials)} ({succeeded / len(trials):.2f})",
                _mean(record.steps for record in trials),
                _mean(record.failed_steps for record in trials),
            )
        else:
            mine = _blank(ours, 3)
        theirs = (f"{_ratio(summary['passed'])} ({summary['pass_rate']:.2f})", _cell(summary["steps"]))
        rows.append((str(level), f"{name} avg", *mine, *theirs, _cell(summary["error_steps"])))
    columns = ("Level", "Task", "Ours passed", "Ours steps", "Ours error steps")
    return _table(spec, paper_table, ours, (*columns, "Paper passed", "Paper steps", "Paper error steps"), rows)


def _trial_rows(
    paper_table: Mapping[str, Any], ours: _Ours, name_key: str
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
    paper_average: Callable[[Mapping[str, Any]], tuple[str, ...]]


def _per_trial_table(layout: _TrialLayout, records: Sequence[TrialRecord], paper: Mapping[str, Any]) -> Table:
    paper_table = paper[layout.spec.key]
    ours = _ours(layout.spec, paper_table, records)
    width = len(layout.columns)
    rows = []
    for name, trial, paper_row, record in _trial_rows(paper_table, ours, layout.name_key):
        mine = _blank(ours, width) if record is None else layout.ours(record)
        theirs = (NOT_RUN,) * width if paper_row is None else layout.paper(paper_row)
        rows.append((name, str(trial), *mine, *theirs))
    trials = ours.records()
    mine = layout.ours_average(trials) if trials else _blank(ours, width)
    rows.append(("Avg", "", *mine, *layout.paper_average(paper_table["summary"])))
    header = (layout.name_key.title(), "Trial", *(f"Ours {c}" for c in layout.columns))
    return _table(layout.spec, paper_table, ours, (*header, *(f"Paper {c}" for c in layout.columns)), rows)


def _fractions(levels: Levels) -> tuple[str, str, str]:
    return _ratio(levels.l3), _ratio(levels.l4), _ratio(levels.l5)


def _overall(record: TrialRecord) -> str:
    return ERROR if record.error else _cell(_levels_of(record).overall)


def _summed(trials: list[TrialRecord]) -> tuple[str, str, str]:
    """L3, L4 and L5 of all trials, summed as fractions."""
    levels = [_levels_of(record) for record in trials]
    return _sum(entry.l3 for entry in levels), _sum(entry.l4 for entry in levels), _sum(entry.l5 for entry in levels)


def _table4_average(trials: list[TrialRecord]) -> tuple[str, ...]:
    injected = [record for record in trials if _outcome(record) is not None]
    steps = _mean(steps for record in injected for steps in record.evaluation_steps)
    first = _count(_levels_of(record).first for record in trials)
    return steps, *_summed(trials), first, _count(_outcome(record) for record in trials)


_TABLE4 = _TrialLayout(
    SPECS[1],
    "fault",
    ("steps", "L3", "L4", "L5", "first", "overall"),
    ours=lambda record: (
        _cells(record.evaluation_steps),
        *_fractions(_levels_of(record)),
        _cell(_levels_of(record).first),
        _overall(record),
    ),
    paper=lambda row: (
        _cells(row["steps"]),
        *(_ratio(row[key]) for key in ("l3", "l4", "l5")),
        _cell(row["first"]),
        _cell(row["overall"]),
    ),
    ours_average=_table4_average,
    paper_average=lambda summary: (
        _cell(summary["steps_per_eval"]),
        *(_ratio(summary[key]) for key in ("l3", "l4", "l5", "first", "overall")),
    ),
)
_TABLE5 = _TrialLayout(
    SPECS[2],
    "task",
    ("rounds", "steps", "assignment", "passed"),
    ours=lambda record: (
        str(record.rounds),
        _cell(record.steps),
        _ratio(record.assignments),
        ERROR if record.error else str(int(record.passed)),
    ),
    paper=lambda row: (str(row["rounds"]), str(row["steps"]), _ratio(row["assignment"]), str(row["passed"])),
    ours_average=lambda trials: (
        _mean(record.rounds for record in trials),
        _mean(record.steps for record in trials),
        _sum(record.assignments for record in trials),
        f"{sum(record.succeeded for record in trials)}/{len(trials)}",
    ),
    paper_average=lambda summary: (
        _cell(summary["rounds"]),
        _cell(summary["steps"]),
        _ratio(summary["assignment"]),
        _ratio(summary["passed"]),
    ),
)
_TABLE6 = _TrialLayout(
    SPECS[3],
    "fault",
    ("rounds", "steps", "L3", "L4", "L5", "overall"),
    ours=lambda record: (str(record.rounds), _cell(record.steps), *_fractions(_levels_of(record)), _overall(record)),
    paper=lambda row: (
        str(row["rounds"]),
        str(row["steps"]),
        *(_ratio(row[key]) for key in ("l3", "l4", "l5")),
        _cell(row["overall"]),
    ),
    ours_average=lambda trials: (
        _mean(record.rounds for record in trials),
        _mean(record.steps for record in trials),
        *_summed(trials),
        _count(_outcome(record) for record in trials),
    ),
    paper_average=lambda summary: (
        _cell(summary["rounds"]),
        _cell(summary["steps"]),
        *(_ratio(summary[key]) for key in ("l3", "l4", "l5", "overall")),
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


def _table(
    spec: TableSpec, paper_table: Mapping[str, Any], ours: _Ours, columns: tuple[str, ...], rows: list[tuple[str, ...]]
) -> Table:
    notes = list(ours.notes)
    if any(record.error for record in ours.records()):
        notes.insert(0, f"{ERROR}: the trial ended with an error; it counts as not passed.")
    title = f"Table {spec.number}: {paper_table['title']}"
    return Table(spec.key, title, ours.intro, columns, tuple(rows), tuple(notes))


def build_tables(records: Sequence[TrialRecord], paper: Mapping[str, Any]) -> list[Table]:
    """Tables 3, 4, 5 and 6, each from the records of its runner."""
    return [build(records, paper) for build in (build_table3, build_table4, build_table5, build_table6)]


def to_markdown(table: Table) -> str:
    """A heading, a line about our records, a pipe table padded for the terminal, and the notes as a list."""
    escaped = [tuple(cell.replace("|", "\\|") for cell in row) for row in (table.columns, *table.rows)]
    widths = [max(len(row[index]) for row in escaped) for index in range(len(table.columns))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    lines = [f"## {table.title}", "", table.intro, "", line(escaped[0])]
    lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    lines += [line(row) for row in escaped[1:]]
    if table.notes:
        lines += ["", *(f"- {note}" for note in table.notes)]
    return "\n".join(lines) + "\n"


def to_csv(table: Table) -> str:
    """The same header and rows as the markdown (notes left out), one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue()


def markdown_report(tables: Sequence[Table], paper: Mapping[str, Any]) -> str:
    """All tables under one heading that names the paper the right-hand columns come from."""
    heading = f"# Ours beside the paper\n\nPaper: {paper['source']} ({paper['model']}).\n"
    return "\n".join([heading, *(to_markdown(table) for table in tables)])
