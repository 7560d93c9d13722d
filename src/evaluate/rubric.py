"""Keyword rules over an agent's report: which root cause it names (L4), and whether it calls the component healthy.

The rules are data (`data/evaluate/rubric.yaml`), checked when loaded, so they can be tuned
without touching code and a typo in a pattern fails at once with the file and field named.

Root cause: each category has weighted regular expressions. Sentences that state a cause ("root
cause", "due to", "because", ...) are scored first, because a report that lists every metric it
looked at mentions CPU, memory and latency alike, and what it blames is in those sentences; only
when they match nothing is the whole report scored. The highest total wins; a tie or no match is
no answer, which fails.

Verdict: phrases that deny a problem ("no errors", "not exceeding") are masked first; then any
phrase naming a problem makes the verdict "unhealthy" (a report that found an issue and fixed it
still found it), else any healthy phrase makes it "healthy", else there is no verdict.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..config import REPO_ROOT
from ._score import Score

logger = logging.getLogger(__name__)

DEFAULT_RUBRIC = REPO_ROOT / "data" / "evaluate" / "rubric.yaml"
HEALTHY, UNHEALTHY = "healthy", "unhealthy"
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


class RubricError(ValueError):
    """The rubric file is malformed; the message names the file, the field and what was expected."""


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class Classification:
    """Which root-cause category a report names, and how each category scored."""

    category: str | None
    scores: dict[str, float]
    basis: str
    """"cause sentences" or "whole report": the text the scores were counted in."""


@dataclass(frozen=True)
class Rubric:
    """The keyword rules: root-cause categories, cause markers, and verdict phrases."""

    categories: dict[str, tuple[Rule, ...]]
    cause_markers: re.Pattern[str]
    denials: tuple[re.Pattern[str], ...]
    problems: tuple[re.Pattern[str], ...]
    healthy: tuple[re.Pattern[str], ...]

    def classify(self, report: str) -> Classification:
        """The root-cause category `report` names (None when it names none, or two equally)."""
        causes = " ".join(s for s in _SENTENCE_END.split(report) if self.cause_markers.search(s))
        for basis, text in (("cause sentences", causes), ("whole report", report)):
            scores = {
                name: sum(rule.weight * len(rule.pattern.findall(text)) for rule in rules)
                for name, rules in self.categories.items()
            }
            best = max(scores.values(), default=0.0)
            if best > 0:
                winners = [name for name, score in scores.items() if score == best]
                return Classification(winners[0] if len(winners) == 1 else None, scores, basis)
        return Classification(None, dict.fromkeys(self.categories, 0.0), "whole report")

    def verdict(self, report: str) -> str | None:
        """`healthy`, `unhealthy`, or None when the report says neither."""
        text = report
        denied = False
        for pattern in self.denials:
            text, count = pattern.subn(" ", text)
            denied = denied or count > 0
        if any(pattern.search(text) for pattern in self.problems):
            return UNHEALTHY
        if denied or any(pattern.search(text) for pattern in self.healthy):
            return HEALTHY
        return None


def check_root_cause(report: str, expected: str, rubric: Rubric | None = None) -> Score:
    """L4: does the report blame the injected fault's category?"""
    classification = (rubric or load_rubric()).classify(report)
    evidence = {
        "expected": expected,
        "found": classification.category,
        "scores": classification.scores,
        "basis": classification.basis,
    }
    if classification.category is None:
        return Score(False, f"the report names no single root cause (expected {expected})", evidence)
    passed = classification.category == expected
    return Score(
        passed,
        f"the report blames {classification.category} (from its {classification.basis}); expected {expected}",
        evidence,
    )


def _fail(path: Path, field: str, expected: str, got: Any) -> RubricError:
    return RubricError(f"{path}: field '{field}' must be {expected}, got {got!r}")


def _pattern(path: Path, field: str, text: Any) -> re.Pattern[str]:
    if not isinstance(text, str) or not text:
        raise _fail(path, field, "a non-empty regular expression", text)
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as err:
        raise _fail(path, field, f"a valid regular expression ({err})", text) from err


def _patterns(path: Path, data: dict[str, Any], field: str) -> tuple[re.Pattern[str], ...]:
    items = data.get(field.rsplit(".", 1)[-1])
    if not isinstance(items, list) or not items:
        raise _fail(path, field, "a non-empty list of regular expressions", items)
    return tuple(_pattern(path, f"{field}[{index}]", item) for index, item in enumerate(items))


def _rules(path: Path, name: str, items: Any) -> tuple[Rule, ...]:
    field = f"categories.{name}"
    if not isinstance(items, list) or not items:
        raise _fail(path, field, "a non-empty list of {pattern, weight}", items)
    rules = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        if not isinstance(item, dict) or set(item) != {"pattern", "weight"}:
            raise _fail(path, where, "a mapping with exactly 'pattern' and 'weight'", item)
        weight = item["weight"]
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise _fail(path, f"{where}.weight", "a number greater than 0", weight)
        rules.append(Rule(_pattern(path, f"{where}.pattern", item["pattern"]), float(weight)))
    return tuple(rules)


@functools.cache
def load_rubric(path: Path = DEFAULT_RUBRIC) -> Rubric:
    """Read and check the rubric file (cached: it is read once per process).

    Raises:
        RubricError: the file is missing, not YAML, or a field is malformed.
    """
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise RubricError(f"{path}: cannot read the rubric ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise RubricError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(data, dict):
        raise RubricError(f"{path}: expected a mapping with categories, cause_markers and verdict")
    categories = data.get("categories")
    if not isinstance(categories, dict) or not categories:
        raise _fail(path, "categories", "a mapping of category names to rules", categories)
    verdict = data.get("verdict")
    if not isinstance(verdict, dict):
        raise _fail(path, "verdict", "a mapping with denials, problems and healthy", verdict)
    markers = _patterns(path, data, "cause_markers")
    return Rubric(
        categories={str(name): _rules(path, str(name), items) for name, items in categories.items()},
        cause_markers=re.compile("|".join(f"(?:{m.pattern})" for m in markers), re.IGNORECASE),
        denials=_patterns(path, verdict, "verdict.denials"),
        problems=_patterns(path, verdict, "verdict.problems"),
        healthy=_patterns(path, verdict, "verdict.healthy"),
    )
