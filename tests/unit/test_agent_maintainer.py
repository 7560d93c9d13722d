"""A maintainer's inner chat with a scripted LLM and no cluster: steps, history, LLM failures, stops."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from src.agent import AgentRun, ServiceMaintainer, new_run_id
from src.config import AgentSettings, load_settings
from src.llm import LLMSettings
from tests.scripted_llm import ScriptedLLM

CATALOGUE = 'component "catalogue"'


def _run(tmp_path: Path, llm: LLMSettings) -> AgentRun:
    run_id = new_run_id()
    return AgentRun(
        run_id=run_id,
        results_dir=tmp_path / run_id,
        kubeconfig=tmp_path / "kubeconfig",
        prometheus_url="http://127.0.0.1:9",
        broker_url="amqp://guest:guest@127.0.0.1:1/%2F",
        components=("catalogue",),
        llm=llm,
    )


@pytest.fixture
def agents() -> AgentSettings:
    return load_settings().agents


def test_steps_failures_and_tokens_are_counted_per_task(tmp_path: Path, agents: AgentSettings) -> None:
    script = ["```bash\nexit 3\n```", "Thinking it over.", "```bash\necho fine\n```", "Done.\nTERMINATE"]
    with ScriptedLLM({CATALOGUE: script}) as llm:
        maintainer = ServiceMaintainer("catalogue", agents, _run(tmp_path, llm.settings()))
        outcome = maintainer.solve("Try twice.")
        requests = list(llm.requests)
    assert (outcome.steps, outcome.failed_steps, outcome.terminated) == (4, 1, True)
    assert outcome.final_message == "Done."
    assert outcome.tokens > 0
    assert requests[0].body["messages"][-1]["content"] == "TASK: Try twice."
    assert requests[1].body["messages"][-1]["content"].startswith("exitcode: 3 (execution failed)")
    assert "No code block was found" in requests[2].body["messages"][-1]["content"]


def test_a_later_task_opens_with_the_earlier_ones(tmp_path: Path, agents: AgentSettings) -> None:
    with ScriptedLLM({CATALOGUE: ["All fine.\nTERMINATE", "TERMINATE"]}) as llm:
        maintainer = ServiceMaintainer("catalogue", agents, _run(tmp_path, llm.settings()))
        maintainer.solve("First task.")
        maintainer.solve("Second task.")
        opening = llm.requests[1].body["messages"][-1]["content"]
    assert "1. Task: First task.\n   Your result: All fine." in opening
    assert opening.endswith("New TASK: Second task.")
    transcript = (maintainer.run.results_dir / "catalogue.md").read_text()
    assert transcript.count("## Summary") == 2


def test_the_turn_limit_ends_a_chat_that_never_terminates(tmp_path: Path, agents: AgentSettings) -> None:
    import dataclasses

    agents = dataclasses.replace(agents, maintainer=dataclasses.replace(agents.maintainer, max_turns=4))
    with ScriptedLLM({CATALOGUE: ["```bash\necho 1\n```"] * 10}) as llm:
        outcome = ServiceMaintainer("catalogue", agents, _run(tmp_path, llm.settings())).solve("Loop.")
    assert (outcome.steps, outcome.terminated) == (2, False)
    assert outcome.ended_by == "turn limit reached (4 messages)"


def test_an_llm_that_cannot_be_reached_ends_the_task_with_a_note(tmp_path: Path, agents: AgentSettings) -> None:
    dead = LLMSettings(backend="Other", model="m", base_url="http://127.0.0.1:9/v1", timeout=5, max_retries=0)
    maintainer = ServiceMaintainer("catalogue", agents, _run(tmp_path, dead))
    outcome = maintainer.solve("Anything.")
    assert outcome.ended_by.startswith("LLM error: APIConnectionError")
    assert (outcome.steps, outcome.terminated) == (0, False)
    transcript = (maintainer.run.results_dir / "catalogue.md").read_text()
    assert "LLM error: APIConnectionError" in transcript and "## Summary" in transcript


def test_stop_ends_the_chat_at_the_next_step_and_kills_running_code(tmp_path: Path, agents: AgentSettings) -> None:
    with ScriptedLLM({CATALOGUE: ["```bash\nsleep 1000\n```", "TERMINATE"]}) as llm:
        maintainer = ServiceMaintainer("catalogue", agents, _run(tmp_path, llm.settings()))
        outcomes = []
        worker = threading.Thread(target=lambda: outcomes.append(maintainer.solve("Sleep.")))
        worker.start()
        transcript = maintainer.run.results_dir / "catalogue.md"
        for _ in range(200):
            if "### Step 1" in transcript.read_text():
                break
            worker.join(0.05)
        worker.join(0.5)
        maintainer.stop()
        worker.join(15)
    assert not worker.is_alive()
    assert outcomes[0].ended_by == "stopped by the harness"
    assert outcomes[0].failed_steps == 1


class _Recorded:
    """A `Progress` that keeps every update."""

    def __init__(self) -> None:
        self.updates: list[tuple[int, str]] = []

    def update(self, agent: str, step: int, elapsed: float, activity: str) -> None:
        self.updates.append((step, activity))


def test_the_live_status_says_no_code_when_a_reply_held_none(tmp_path: Path, agents: AgentSettings) -> None:
    script = ["Plan: 1. look 2. report 3. terminate.", "```bash\necho looked\n```", "Done.\nTERMINATE"]
    progress = _Recorded()
    with ScriptedLLM({CATALOGUE: script}) as llm:
        ServiceMaintainer("catalogue", agents, _run(tmp_path, llm.settings()), progress=progress).solve("Look.")
    activities = [activity for step, activity in progress.updates if step == 1]
    assert activities == ["asking the LLM", "LLM replied", "no code"]
    assert [activity for step, activity in progress.updates if step == 2][-2:] == ["running code", "code ran (exit 0)"]


def test_each_steps_code_is_saved_as_a_step_file_the_transcript_names(tmp_path: Path, agents: AgentSettings) -> None:
    comment = "# Find the CPU usage of a component using Prometheus's request_json_api"
    script = [
        "Plan first.",
        f"```python\n{comment}\nprint('cpu')\n```",
        f"Two blocks:\n```bash\n{comment}\necho a\n```\n```bash\necho b\n```",
        "TERMINATE",
    ]
    with ScriptedLLM({CATALOGUE: script}) as llm:
        maintainer = ServiceMaintainer("catalogue", agents, _run(tmp_path, llm.settings()))
        maintainer.solve("Look twice.")
    workspace = maintainer.sandbox.work_dir
    assert sorted(path.name for path in workspace.iterdir() if path.is_file()) == [
        "step-02.py",
        "step-03-2.sh",
        "step-03.sh",
    ]
    assert (workspace / "step-03-2.sh").read_text() == "echo b"
    transcript = (maintainer.run.results_dir / "catalogue.md").read_text()
    assert "Ran `step-02.py` (in the workspace): the python block of step 2 above." in transcript
    assert "Ran `step-03-2.sh` (in the workspace): the bash block of step 3 above." in transcript
