"""`AgentRun`: what every agent of one run shares (ids, where things are, the LLM)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..llm import LLMSettings


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, filesystem-safe run id: `20250501-120000-3fa2c1`."""
    moment = now or datetime.now(UTC)
    return f"{moment.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class AgentRun:
    """One run of agents: its id, its folder, the world they act on, the broker and the LLM."""

    run_id: str
    results_dir: Path
    """`results/<run_id>/`: transcripts, and `workspace/` where agent code runs."""
    kubeconfig: Path
    prometheus_url: str
    broker_url: str
    components: tuple[str, ...]
    """The components with a maintainer in this run (what `assign_tasks` accepts)."""
    llm: LLMSettings
    queue_prefix: str = ""
    """Prefix of this run's queue names (tests on a shared broker); "" normally."""

    @property
    def workspace(self) -> Path:
        """Where agents' code runs; each agent gets a folder below it."""
        return self.results_dir / "workspace"

    def broker_environ(self) -> dict[str, str]:
        """The variables `src.messaging.send_to_*` read, for sends made by the harness itself."""
        environ = {"SOCKSHOP_BROKER_URL": self.broker_url}
        if self.queue_prefix:
            environ["SOCKSHOP_QUEUE_PREFIX"] = self.queue_prefix
        return environ
