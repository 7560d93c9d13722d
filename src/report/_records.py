"""A `record.json` read for the report: checked against the schema, typed, and numbered within its instance.

Only the fields the tables use are kept (`TrialRecord`); a field of the wrong type is a
`RecordError` naming it, and a record of another schema version a `RecordVersionError`, which the
report skips with a warning. The fields are documented in docs/records.md.

Trial numbers: a record keeps its own `trial` while it is unique within its instance; when two
records of one instance share it (several `--trials` series in the results), all that instance's
records are taken in `started_at` order and numbered 1..n (`number_trials`).

Two things a record may lack, because older trials did not write them: its `suffix` is then read
from its run folder's name (`<instance>-<suffix>-<YYYYmmdd-HHMMSS>[-t<N>]`), and `smoke_test`
from a `model` naming SmolLM2 (the Local backend's default, the offline smoke test).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from ._specs import RUNNERS

RECORD_VERSION = 2
"""The `record.json` schema this report reads (docs/records.md)."""
INTERRUPTED = "interrupted"
"""The `error` of a trial stopped by Ctrl-C or SIGTERM (after any error met before)."""
SMOKE_TEST_MODEL = re.compile(r"smollm2", re.IGNORECASE)
"""A `model` naming the offline smoke-test model, for records without `smoke_test`."""
RUN_FOLDER_TIME = r"-\d{8}-\d{6}(?:-t\d+)?"
"""What follows the suffix in a run folder's name: the start time, and the trial after the first."""

Fraction = tuple[int, int]


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
    suffix: str | None = None
    """The runner's `--suffix` (None when neither the record nor its folder's name says it)."""
    smoke_test: bool = False

    @property
    def succeeded(self) -> bool:
        """Passed and without an error: an errored trial never counts as passed."""
        return self.passed and self.error is None

    @property
    def interrupted(self) -> bool:
        """Stopped by Ctrl-C or SIGTERM."""
        return self.error is not None and self.error.split("; ")[-1] == INTERRUPTED

    @property
    def counted(self) -> bool:
        """The trial completed: neither an error nor an interruption ended it, so the tables count it."""
        return self.error is None


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


def _suffix(document: Mapping[str, Any], instance: str, source: str) -> str | None:
    written = _get(document, "suffix", (str, type(None)), "")
    if written is not None:
        return str(written)
    folder = PurePath(source).parent.name
    found = re.fullmatch(rf"{re.escape(instance)}-(.+?){RUN_FOLDER_TIME}", folder)
    return found.group(1) if found else None


def _smoke_test(document: Mapping[str, Any], model: str | None) -> bool:
    written = _get(document, "smoke_test", (bool, type(None)), "")
    if written is not None:
        return bool(written)
    return model is not None and SMOKE_TEST_MODEL.search(model) is not None


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
    if runner not in RUNNERS:
        raise RecordError(f"unknown runner {runner!r}, expected one of {', '.join(RUNNERS)}")
    instance = _get(document, "instance", (str,), "", required=True)
    rounds = _objects(document, "rounds")
    correct = [
        _get(assignment, "correct", (bool,), f"rounds[{index}].assignments[{position}].", required=True)
        for index, round_ in enumerate(rounds)
        for position, assignment in enumerate(_objects(round_, "assignments", f"rounds[{index}]."))
    ]
    nullable_int, nullable_str = (int, type(None)), (str, type(None))
    model = _get(document, "model", nullable_str, "")
    return TrialRecord(
        source=source,
        runner=runner,
        instance=instance,
        title=_get(document, "title", nullable_str, "") or instance,
        level=_get(document, "level", nullable_int, ""),
        trial=_get(document, "trial", (int,), "", required=True),
        started_at=_started_at(_get(document, "started_at", (str,), "", required=True)),
        model=model,
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
        suffix=_suffix(document, instance, source),
        smoke_test=_smoke_test(document, model),
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
