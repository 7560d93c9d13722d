"""The LLM agents: a `ServiceMaintainer` per Sock Shop component and a `ClusterManager` over them.

    run = AgentRun(run_id, results_dir, kubeconfig, prometheus_url, broker_url, components, llm)
    maintainer = ServiceMaintainer("catalogue", settings.agents, run)
    outcome = maintainer.solve("Scale to 2 replicas.")       # or bus.consume(queue, maintainer.handle, ...)

The tools the agents' code calls live in the public module `src.agent.tools`. Names here are
loaded on first use, so that agent code importing `src.agent.tools` in a sandboxed subprocess does
not pay for importing AG2.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._catalog import Catalog, Component, load_catalog, parse_components
    from ._errors import SessionError
    from ._maintainer import ServiceMaintainer
    from ._manager import ClusterManager
    from ._outcome import Action, AgentOutcome, Tally
    from ._progress import NoProgress, Progress, StreamProgress
    from ._prompts import render_maintainer, render_manager, tool_section
    from ._run import AgentRun, new_run_id
    from ._runner import HierarchyResult, SingleAgent, SingleResult, run_hierarchy, run_single
    from ._sandbox import Execution, SandboxEnvironment, SandboxExecutor
    from ._session import Services, Session, agent_session, session_services

__all__ = [
    "Action",
    "AgentOutcome",
    "AgentRun",
    "Catalog",
    "ClusterManager",
    "Component",
    "Execution",
    "HierarchyResult",
    "NoProgress",
    "Progress",
    "SandboxEnvironment",
    "SandboxExecutor",
    "ServiceMaintainer",
    "Services",
    "Session",
    "SessionError",
    "SingleAgent",
    "SingleResult",
    "StreamProgress",
    "Tally",
    "agent_session",
    "load_catalog",
    "new_run_id",
    "parse_components",
    "render_maintainer",
    "render_manager",
    "run_hierarchy",
    "run_single",
    "session_services",
    "tool_section",
]

_HOMES = {
    "Action": "._outcome",
    "AgentOutcome": "._outcome",
    "Tally": "._outcome",
    "HierarchyResult": "._runner",
    "SingleAgent": "._runner",
    "SingleResult": "._runner",
    "run_hierarchy": "._runner",
    "run_single": "._runner",
    "Services": "._session",
    "Session": "._session",
    "SessionError": "._errors",
    "agent_session": "._session",
    "session_services": "._session",
    "AgentRun": "._run",
    "new_run_id": "._run",
    "Catalog": "._catalog",
    "Component": "._catalog",
    "load_catalog": "._catalog",
    "parse_components": "._catalog",
    "ClusterManager": "._manager",
    "ServiceMaintainer": "._maintainer",
    "Execution": "._sandbox",
    "SandboxEnvironment": "._sandbox",
    "SandboxExecutor": "._sandbox",
    "NoProgress": "._progress",
    "Progress": "._progress",
    "StreamProgress": "._progress",
    "render_maintainer": "._prompts",
    "render_manager": "._prompts",
    "tool_section": "._prompts",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
