"""`record.json`: what one trial did and how it scored, written atomically so a reader never sees half of it.

The record is the run's lasting result; reports read records, never live runner objects. It is
written once at the end of a trial (also when the trial failed or was interrupted, with `error`
set and `passed` false), through a temporary file in the same folder and `os.replace`
(`src.files`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..evaluate import Score
from ..files import write_text_atomically

RECORD_NAME = "record.json"
RECORD_VERSION = 2


@dataclass(frozen=True)
class PhaseTiming:
    """When a phase started (UTC, ISO 8601) and how long it took."""

    name: str
    started_at: str
    seconds: float


@dataclass
class RunRecord:
    """One trial of one instance, as persisted in `record.json` (the fields are documented in docs/records.md)."""

    instance: str
    level: int
    world: str
    model: str
    seed: int | None
    """AG2's cache seed (None: no cache)."""
    profile: dict[str, Any]
    smoke_test: bool = False
    """The model is the offline SmolLM2 smoke test: the harness ran end to end, the scores mean nothing."""
    suffix: str = ""
    """The runner's `--suffix`, which names a series of trials (also in the run folder's name)."""
    trial: int = 1
    started_at: str = ""
    task: str = ""
    runner: str = ""
    """`low_level_L1_2`, `low_level_L3_4_5`, `high_level_L1_2` or `high_level_L3_4_5`."""
    title: str = ""
    """The task's name in the paper's tables."""
    components: list[str] = field(default_factory=list)
    judge: str | None = None
    """The LLM judge that scored L4 (None: the keyword rubric did)."""
    task_sent_at: str | None = None
    reset: dict[str, Any] | None = None
    """What resetting the shop deleted: {namespace, deleted, not_recreated} (`ShopReset`); None before the reset."""
    phases: list[PhaseTiming] = field(default_factory=list)
    agents: dict[str, dict[str, int]] = field(default_factory=dict)
    """Agent name → {steps, failed_steps, tokens}."""
    steps: int | None = None
    failed_steps: int | None = None
    tokens: int | None = None
    ended_by: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)
    report: str | None = None
    """What the agent reported (its `report_result` message and its last words)."""
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Check name → {passed, explanation, evidence}."""
    scores_before: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The same checks just before the task was sent: a valid instance fails them."""
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    levels: dict[str, Any] | None = None
    flags: list[str] | None = None
    """Changes to Deployments outside the agents' own components; `[]` means there were none.

    None means there is no diff: the trial ended before it, or the Deployments could not be read
    (then `error` says so). Never `[]` for a diff that did not happen."""
    timeline: str | None = None
    passed: bool = False
    error: str | None = None
    """Why the trial did not complete (None when it did)."""
    version: int = RECORD_VERSION

    def add_score(self, name: str, score: Score, *, counts: bool = True) -> None:
        """Keep `score` under `name`; with `counts`, `passed` becomes true only when every counted score passed."""
        self.scores[name] = score_entry(score) | {"counts": counts}
        counted = [entry["passed"] for entry in self.scores.values() if entry["counts"]]
        self.passed = bool(counted) and all(counted) and self.error is None

    def add_error(self, message: str) -> None:
        """Keep `message` in `error`, after any earlier one; a record with an error never passes."""
        self.error = message if self.error is None else f"{self.error}; {message}"
        self.passed = False

    def add_tally(self, agent: str, steps: int, failed_steps: int, tokens: int) -> None:
        """Add an agent's counters (per agent and to the totals)."""
        mine = self.agents.setdefault(agent, {"steps": 0, "failed_steps": 0, "tokens": 0})
        mine["steps"] += steps
        mine["failed_steps"] += failed_steps
        mine["tokens"] += tokens
        self.steps = sum(entry["steps"] for entry in self.agents.values())
        self.failed_steps = sum(entry["failed_steps"] for entry in self.agents.values())
        self.tokens = sum(entry["tokens"] for entry in self.agents.values())

    def summary(self) -> str:
        """One line in the paper's terms (the runners print it per trial)."""
        if self.error is not None:
            return f"error: {self.error}"
        if self.levels is not None:
            levels = self.levels
            parts = [f"{name.upper()} {levels[name][0]}/{levels[name][1]}" for name in ("l3", "l4", "l5")]
            parts += [f"first {_dash(levels['first'])}", f"overall {_dash(levels['overall'])}"]
            return ", ".join(parts)
        verdict = "passed" if self.passed else ("failed" if self.scores else "not scored")
        if self.rounds:
            correct = sum(item["correct"] for entry in self.rounds for item in entry["assignments"])
            total = sum(len(entry["assignments"]) for entry in self.rounds)
            return f"{len(self.rounds)} rounds, {self.steps or 0} steps, assignment {correct}/{total}, {verdict}"
        return verdict

    def to_json(self) -> str:
        """The record as indented JSON (values that JSON cannot hold are written as text)."""
        return json.dumps(asdict(self), indent=2, sort_keys=False, default=str) + "\n"


def _dash(value: int | None) -> str:
    return "-" if value is None else str(value)


def score_entry(score: Score | None) -> dict[str, Any] | None:
    """A score as the record holds it (None stays None: a level not counted)."""
    if score is None:
        return None
    return {"passed": score.passed, "explanation": score.explanation, "evidence": score.evidence}


def write_record(record: RunRecord, run_dir: Path) -> Path:
    """Write `record` to `run_dir/record.json` atomically and return the path."""
    return write_text_atomically(run_dir / RECORD_NAME, record.to_json())


def read_record(path: Path) -> dict[str, Any]:
    """A record as written (a plain mapping)."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document
