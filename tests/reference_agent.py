"""Scripts for the scripted test LLM that play an instance's reference solution, or do nothing (a test fixture).

`maintainer_script(instance)` is the conversation of a competent maintainer: a plan, one bash step
per reference command (run from the repository root, as the dataset states them), then a Python
step that reads the report's figures from Prometheus and sends the rendered report with
`report_result`, then TERMINATE. `manager_script(components, task)` assigns the task to every
maintainer once, then ends. `NO_OP` reports nothing useful and ends.
"""

from __future__ import annotations

import re
import shlex

from src.config import REPO_ROOT
from src.experiment import Instance

NO_OP = ["I looked around; nothing to add.\nTERMINATE"]
MANAGER_KEY = "You are the cluster manager"


def key(component: str) -> str:
    """The marker the scripted LLM routes a maintainer's requests by."""
    return f'component "{component}"'


def bash_step(command: str) -> str:
    return f"Next step.\n```bash\n{command}\n```"


def python_step(code: str) -> str:
    return f"Next step.\n```python\n{code}\n```"


REPORT_CODE = """\
import json, math, os, urllib.parse, urllib.request
from src.agent.tools import report_result


def value(query):
    url = os.environ["PROMETHEUS_URL"] + "/api/v1/query?" + urllib.parse.urlencode({{"query": query}})
    result = json.load(urllib.request.urlopen(url))["data"]["result"]
    return float(result[0]["value"][1]) if result else math.nan


values = {{name: value(query) for name, query in {queries!r}.items()}}
print(report_result({component!r}, {text!r}.format(**values), {kind!r}))
"""


def report_step(component: str, text: str, queries: dict[str, str] | None = None, kind: str = "RESPONSE") -> str:
    """A Python step that fills `text`'s placeholders from Prometheus and reports it."""
    return python_step(REPORT_CODE.format(queries=queries or {}, component=component, text=text, kind=kind))


def own_commands(instance: Instance, component: str) -> list[str]:
    """The reference commands `component`'s maintainer runs: under a manager, only those on its own Deployment.

    Each maintainer holds a Role for its own component (kubernetes/rbac/), as an on-call engineer does.
    """
    commands = list(instance.reference_solution.commands)
    if instance.scope != "high":
        return commands
    own = re.compile(rf"\bdeployment(/|\s+){re.escape(component)}\b")
    return [command for command in commands if own.search(command)]


def maintainer_script(instance: Instance, component: str | None = None, *, commands: bool = True) -> list[str]:
    """The reference solution as a maintainer's conversation (`commands=False`: only the report)."""
    component = component or instance.component
    solution = instance.reference_solution
    steps = ["Plan: follow the runbook for this task, verify, then report."]
    if commands:
        steps += [
            bash_step(f"cd {shlex.quote(str(REPO_ROOT))}\n{command}") for command in own_commands(instance, component)
        ]
    template = solution.report
    if template is not None:
        steps.append(report_step(component, template.text, dict(template.values), template.message_type))
    else:
        steps.append(report_step(component, f"{component}: done; the commands succeeded and I verified the result."))
    return [*steps, "Done and verified.\nTERMINATE"]


def manager_script(components: list[str], task: str) -> list[str]:
    """Assign `task` to every maintainer in one round, then end."""
    code = (
        f"from src.agent.tools import assign_tasks\nprint(assign_tasks({components!r}, {[task] * len(components)!r}))"
    )
    return [python_step(code), "All maintainers answered; the task is done.\nTERMINATE"]
