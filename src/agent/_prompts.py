"""System messages rendered from `prompts/*.md.j2`, the component catalogue and the tools themselves.

The tool section is generated from the functions with `inspect` (signature plus docstring), so the
LLM reads exactly what the code says. Templates use `StrictUndefined`: a missing variable is an
error, not an empty string (the original's Jinja default hid such mistakes).
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from ..config import REPO_ROOT, AgentRoleSettings
from ._catalog import Catalog, Component
from .tools import assign_tasks, query_prometheus, report_result

PROMPTS_DIR = REPO_ROOT / "prompts"
TOOLS_MODULE = "src.agent.tools"
MAINTAINER_TOOLS: tuple[Callable[..., Any], ...] = (query_prometheus, report_result)
MANAGER_TOOLS: tuple[Callable[..., Any], ...] = (assign_tasks,)


def tool_stub(function: Callable[..., Any]) -> str:
    """`def name(signature):` and the docstring, as the LLM should read it."""
    signature = inspect.signature(function, eval_str=True)
    text = str(signature).replace("datetime.datetime", "datetime")
    doc = inspect.getdoc(function) or ""
    return f'def {function.__name__}{text}:\n    """\n{textwrap.indent(doc, "    ")}\n    """\n'


def tool_section(functions: Sequence[Callable[..., Any]]) -> str:
    """Markdown naming the import line and each function's stub."""
    names = ", ".join(function.__name__ for function in functions)
    stubs = "\n".join(tool_stub(function) for function in functions)
    return f"Import them in your code with `from {TOOLS_MODULE} import {names}`.\n\n```python\n{stubs}```\n"


def _environment(directory: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_maintainer(
    component: Component,
    catalog: Catalog,
    role: AgentRoleSettings,
    *,
    directory: Path = PROMPTS_DIR,
) -> str:
    """The system message of `component`'s maintainer.

    It holds nothing that differs from run to run (Prometheus's port is in PROMETHEUS_URL, not in the
    text), so the answer cache recognises the same conversation in another run.
    """
    shown = {
        "name": component.name,
        "description": component.description,
        "namespace": component.namespace,
        "deployment": str(component.deployment),
        "service": str(component.service),
        "downstream": component.downstream,
        "upstream": component.upstream,
    }
    return (
        _environment(directory)
        .get_template("maintainer.md.j2")
        .render(
            component=shown,
            metrics=catalog.metrics,
            tools=tool_section(MAINTAINER_TOOLS),
            tools_module=TOOLS_MODULE,
            executor_timeout=role.executor_timeout,
            max_turns=role.max_turns,
        )
    )


def render_manager(
    components: Sequence[Component],
    catalog: Catalog,
    role: AgentRoleSettings,
    *,
    directory: Path = PROMPTS_DIR,
) -> str:
    """The system message of the cluster manager over `components`."""
    return (
        _environment(directory)
        .get_template("manager.md.j2")
        .render(
            namespace=catalog.namespace,
            components=components,
            tools=tool_section(MANAGER_TOOLS),
            tools_module=TOOLS_MODULE,
            executor_timeout=role.executor_timeout,
            max_turns=role.max_turns,
        )
    )
