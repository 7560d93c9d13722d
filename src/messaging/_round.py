"""A round: the manager's task list going out, and the answers coming back as one text.

The manager's `TASK` message to the collector carries its task list as the JSON body
`{"assignments": [{"component": "catalogue", "task": "..."}, ...]}`; `encode_assignments`
writes it (the manager's tool uses it) and `decode_assignments` checks it strictly, since an
LLM chose the component names: an unknown or repeated component is an error naming it, which
the collector reports back to the manager rather than waiting for an answer that cannot come.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ._errors import MessageFormatError
from ._message import Message


@dataclass(frozen=True)
class Assignment:
    """One component's task in a round."""

    component: str
    task: str


def encode_assignments(assignments: Sequence[Assignment]) -> str:
    """The body of the manager's `TASK` message to the collector."""
    return json.dumps(
        {"assignments": [{"component": item.component, "task": item.task} for item in assignments]},
        ensure_ascii=False,
    )


def decode_assignments(body: str, components: Collection[str]) -> list[Assignment]:
    """Parse and check a task list against the run's `components`.

    Raises:
        MessageFormatError: not the documented JSON shape, empty, or a component unknown or
            assigned twice; the message says which.
    """
    try:
        document = json.loads(body)
    except json.JSONDecodeError as error:
        raise MessageFormatError(f"task list is not JSON: {error}") from error
    entries = document.get("assignments") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise MessageFormatError('task list must be {"assignments": [{"component": ..., "task": ...}, ...]}, non-empty')
    assignments = [_assignment(entry, index) for index, entry in enumerate(entries)]
    seen: set[str] = set()
    for item in assignments:
        if item.component not in components:
            raise MessageFormatError(
                f"unknown component {item.component!r} in the task list; known: {', '.join(sorted(components))}"
            )
        if item.component in seen:
            raise MessageFormatError(f"component {item.component!r} is assigned twice in the task list")
        seen.add(item.component)
    return assignments


def _assignment(entry: object, index: int) -> Assignment:
    if not isinstance(entry, dict) or set(entry) != {"component", "task"}:
        raise MessageFormatError(f"task list entry {index} must be an object with exactly component and task")
    component, task = entry["component"], entry["task"]
    if not isinstance(component, str) or not isinstance(task, str) or not task.strip():
        raise MessageFormatError(f"task list entry {index}: component and task must be strings, task non-empty")
    return Assignment(component, task)


@dataclass(frozen=True)
class RoundResult:
    """How a round ended: who answered (in assignment order), who did not, within which timeout."""

    round_id: str
    responses: dict[str, Message]
    """Component → its first answer (`RESPONSE` or `ISSUE`) of this round."""
    missing: list[str]
    """Components that did not answer before the timeout."""
    timeout: float

    def render(self) -> str:
        """The aggregated text the manager receives: each answer, then who stayed silent."""
        answered = len(self.responses)
        parts = [f"Round {self.round_id}: {answered} of {answered + len(self.missing)} components answered."]
        parts += [f"{message.type} from component {name}:\n{message.body}" for name, message in self.responses.items()]
        if self.missing:
            parts.append(f"No answer within {self.timeout:g} s from: {', '.join(self.missing)}")
        return "\n\n".join(parts)
