"""What every check returns, and the one error that means "could not look", not "failed".

A check that ran and found the task undone returns a failing `Score`; a check that could not
observe the world (kubectl or Prometheus unreachable, an answer it cannot read) raises
`EvaluationError`, so a broken harness is never recorded as an agent's failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class EvaluationError(RuntimeError):
    """The cluster or Prometheus could not be read; the message says which and why."""


@dataclass(frozen=True)
class Score:
    """The verdict of one check, with the measurements it rests on."""

    passed: bool
    explanation: str
    """One or two sentences a reader of the results can check against the evidence."""
    evidence: dict[str, Any] = field(default_factory=dict)
    """What was measured (values, thresholds, object names), JSON-serialisable."""
