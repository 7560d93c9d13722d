"""Markdown transcripts written as the run goes: one file per agent under `results/<run>/`.

The original harness redirected stdout into a `.md` file, so its "transcripts" were raw console
logs, and a killed consumer lost the buffered tail. Here every entry is appended and flushed the
moment it happens (the file is opened, written and closed per entry), so a crash leaves everything
up to that point. Entries: the title, each task received, each LLM step as a heading with its UTC
timestamp, the code that step ran with its (cut) output, the messages sent and received over
RabbitMQ, notes, and a closing summary table.

Text the harness does not write is either fenced (LLM replies, code, outputs) with a fence longer
than any backtick run inside it, so by CommonMark's rule nothing inside can close it, or block-quoted
(tasks and message bodies), which CommonMark closes with the quote; either way an unbalanced ``` in
a reply stays inside its entry and the headings after it remain headings.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._sandbox import Execution

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def fence(text: str, language: str = "") -> str:
    """`text` in a code fence longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{ticks}{language}\n{body}{ticks}\n"


def quote(text: str) -> str:
    """`text` as a markdown block quote."""
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines()) + "\n"


def _parties(sender: str, recipient: str) -> str:
    if recipient == "collector":
        return f"{sender} to the collector"
    return f"{sender} to {recipient} via the collector"


class Transcript:
    """The markdown record of one agent.

    Args:
        path: the file (`results/<run>/<component>.md`); created with its folder, appended to.
        title: the first heading.
        clock: gives aware UTC datetimes (tests pass a fixed one).
    """

    def __init__(self, path: Path, title: str, *, clock: Clock = _utc_now) -> None:
        self.path = path
        self.clock = clock
        self._lock = threading.Lock()
        self._started = time.monotonic()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._append(f"# {title}\n\n")

    def _append(self, text: str) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()

    def _stamp(self) -> str:
        return self.clock().strftime("%Y-%m-%d %H:%M:%SZ")

    def facts(self, items: dict[str, Any]) -> None:
        """A bullet list of key facts (run id, model, limits)."""
        self._append("".join(f"- **{key}**: {value}\n" for key, value in items.items()) + "\n")

    def task(self, text: str, *, source: str) -> None:
        """A task the agent was given."""
        self._append(f"## Task from {source} ({self._stamp()})\n\n{quote(text)}\n")

    def step(self, number: int, speaker: str, text: str, *, tokens: int | None = None) -> None:
        """One LLM reply, verbatim in a fence of its own: no reply (an unclosed ``` included) can break the page."""
        usage = f", {tokens} tokens" if tokens else ""
        body = fence(text.strip(), "markdown") if text.strip() else "(empty reply)\n"
        self._append(f"### Step {number}: {speaker} ({self._stamp()}{usage})\n\n{body}\n")

    def execution(self, number: int, execution: Execution, *, shown: str = "") -> None:
        """The code step `number` ran, the files it ran from, its exit code and its output as the LLM saw it.

        Blocks already quoted verbatim in `shown` (the step's LLM text) are referred to, not repeated.
        """
        state = "timed out" if execution.timed_out else f"exit code {execution.exit_code}"
        parts = [f"#### Step {number}: code run ({state}, {execution.seconds:.1f} s)\n\n"]
        for index, block in enumerate(execution.blocks):
            file = execution.files[index] if index < len(execution.files) else None
            done = f"Ran `{file}` (in the workspace)" if file else "Not run"
            if block.code.strip() and block.code in shown:
                parts.append(f"{done}: the {block.language or 'plain'} block of step {number} above.\n\n")
            else:
                parts.append(f"{done}:\n\n")
                parts.append(fence(block.code, block.language))
                parts.append("\n")
        parts.append("Output:\n\n")
        parts.append(fence(execution.output or "(no output)", "text"))
        parts.append("\n")
        self._append("".join(parts))
        for sent in execution.sent:
            self.message(
                "sent",
                str(sent.get("type")),
                _parties(str(sent.get("sender")), str(sent.get("recipient"))),
                str(sent.get("body", "")),
                round_id=str(sent.get("round_id") or ""),
            )

    def message(self, direction: str, kind: str, parties: str, body: str, *, round_id: str = "") -> None:
        """A message sent or received over RabbitMQ."""
        where = f", round {round_id}" if round_id else ""
        self._append(f"#### Message {direction}: {kind}, {parties} ({self._stamp()}{where})\n\n{quote(body)}\n")

    def note(self, text: str) -> None:
        """Something the harness (not the LLM) did or noticed."""
        self._append(f"_{self._stamp()}: {text.strip()}_\n\n")

    def summary(self, rows: dict[str, Any]) -> None:
        """The closing table."""
        header = "| " + " | ".join(rows) + " |\n"
        rule = "|" + "|".join("---" for _ in rows) + "|\n"
        values = "| " + " | ".join(str(value) for value in rows.values()) + " |\n"
        self._append(f"## Summary ({self._stamp()})\n\n{header}{rule}{values}\n")
