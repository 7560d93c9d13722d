"""What an agent's run amounts to, and the tallies kept while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AgentOutcome:
    """The result of one agent's work on one task (a maintainer) or one request (the manager)."""

    steps: int
    """LLM calls (one planner reply each)."""
    failed_steps: int
    """Steps whose code exited non-zero (timeouts included)."""
    tokens: int
    """Prompt plus completion tokens, cached answers included."""
    final_message: str
    """The agent's last words: its summary without the TERMINATE marker."""
    terminated: bool
    """True when the agent itself declared it was done (TERMINATE); False when it was cut off."""
    wall_seconds: float = 0.0
    ended_by: str = ""
    """Why it stopped, in words ("TERMINATE", "max turns (100) reached", "LLM error: ...")."""
    reported_by_harness: bool = False
    """True when the agent's code never reported and the harness sent the RESPONSE in its stead: that
    message is the harness's note quoting `final_message`, not the agent's report."""


@dataclass(frozen=True)
class Action:
    """One code block an agent ran: when it ended (seconds since the epoch), what it was, how it exited."""

    at: float
    agent: str
    language: str
    code: str
    exit_code: int


@dataclass
class Tally:
    """Running counters of one agent over all its inner chats."""

    steps: int = 0
    failed_steps: int = 0
    tokens: int = 0
    actions: list[Action] = field(default_factory=list)
    """Every code block run so far, in order (experiments mark them on the timeline)."""
