"""Agents driven by a scripted LLM against a real twin, a real RabbitMQ node and real kubectl.

Each test gets its own run id and queue prefix, so tests share the session's broker safely. The
scripts are what an LLM would answer; the scripted server routes requests by a marker in the
system message (`component "catalogue"`, `You are the cluster manager`).
"""

from __future__ import annotations

import dataclasses
import json
import signal
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import psutil
import pytest

from src.agent import AgentRun, ServiceMaintainer, load_catalog, new_run_id, run_hierarchy, run_single
from src.agent._session import Session
from src.agent.tools import query_prometheus
from src.config import REPO_ROOT, AgentSettings, load_settings
from src.environment.prometheus import PrometheusServer
from src.messaging import BrokerHandle, Bus
from tests.conftest import Cluster
from tests.integration.entry import Harness, descendants, own_world_flags, scripted_secret, still_running
from tests.polling import poll
from tests.scripted_llm import Delayed, ScriptedLLM

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CATALOGUE = 'component "catalogue"'
FRONT_END = 'component "front-end"'
MANAGER = "You are the cluster manager"
NO_PROMETHEUS = "http://127.0.0.1:9"


def _bash(code: str, before: str = "") -> str:
    return f"{before}\n```bash\n{code}\n```".strip()


def _python(code: str, before: str = "") -> str:
    return f"{before}\n```python\n{code}\n```".strip()


def _report(component: str, text: str) -> str:
    return _python(f"from src.agent.tools import report_result\nprint(report_result({component!r}, {text!r}))")


@pytest.fixture
def agents() -> AgentSettings:
    return load_settings().agents


@pytest.fixture
def session_factory(rabbitmq: BrokerHandle, tmp_path: Path) -> Iterator[object]:
    buses: list[Bus] = []

    def make(kubeconfig: Path, llm: ScriptedLLM, components: Sequence[str], prometheus: str = NO_PROMETHEUS) -> Session:
        run_id = new_run_id()
        prefix = f"t{uuid.uuid4().hex[:8]}-"
        bus = Bus(rabbitmq.url)
        buses.append(bus)
        bus.declare_topology(components, prefix)
        run = AgentRun(
            run_id=run_id,
            results_dir=tmp_path / "results" / run_id,
            kubeconfig=kubeconfig,
            prometheus_url=prometheus,
            broker_url=rabbitmq.url,
            components=tuple(components),
            llm=llm.settings(),
            queue_prefix=prefix,
        )
        return Session(run, bus)

    yield make
    for bus in buses:
        bus.close()


def test_a_maintainer_scales_catalogue_verifies_reports_and_terminates(
    shop: Cluster, session_factory: object, agents: AgentSettings
) -> None:
    script = [
        "Plan:\n1. Scale the deployment to 2 replicas.\n2. Check it.\n3. Report the result.\n4. Terminate.",
        _bash("kubectl scale deployment catalogue --replicas=2 -n sock-shop", "Step 1: scale."),
        _bash(
            "kubectl rollout status deployment/catalogue -n sock-shop --timeout=60s\n"
            "kubectl get deployment catalogue -n sock-shop",
            "Step 2: verify.",
        ),
        _report("catalogue", "catalogue now runs 2 replicas, 2/2 ready."),
        "The report was sent.\nTERMINATE",
    ]
    with ScriptedLLM({CATALOGUE: script}) as llm:
        session = session_factory(shop.kubeconfig, llm, ["catalogue"])  # type: ignore[operator]
        result = run_single(
            session,
            agents,
            load_catalog(),
            "catalogue",
            "Scale catalogue to 2 replicas.",
            timeout=60,
            progress=_Quiet(),
        )

    deployment = json.loads(shop.kubectl("get", "deployment", "catalogue", "-n", "sock-shop", "-o", "json"))
    assert deployment["spec"]["replicas"] == 2
    assert deployment["status"]["readyReplicas"] == 2
    assert result.round.missing == []
    answer = result.round.responses["catalogue"]
    assert (answer.type, answer.sender, answer.body) == (
        "RESPONSE",
        "catalogue",
        "catalogue now runs 2 replicas, 2/2 ready.",
    )
    outcome = result.outcome
    assert outcome is not None
    assert (outcome.steps, outcome.failed_steps, outcome.terminated) == (5, 0, True)
    assert outcome.tokens > 0
    assert outcome.final_message == "The report was sent."
    transcript = (session.run.results_dir / "catalogue.md").read_text()
    for step in range(1, 6):
        assert f"### Step {step}: catalogue-planner" in transcript
    assert "kubectl scale deployment catalogue --replicas=2 -n sock-shop" in transcript
    assert "#### Step 3: code run (exit code 0" in transcript
    assert 'deployment "catalogue" successfully rolled out' in transcript
    assert "#### Message sent: RESPONSE, catalogue to manager via the collector" in transcript
    assert "| 5 | 0 |" in transcript and "TERMINATE |" in transcript
    assert len(llm.requests) == 5


def test_a_manager_assigns_two_maintainers_and_gets_both_answers_in_one_round(
    shop: Cluster, session_factory: object, agents: AgentSettings
) -> None:
    assign = _python(
        "from src.agent.tools import assign_tasks\n"
        "question = 'How many replicas do you run?'\n"
        "print(assign_tasks(['catalogue', 'front-end'], [question, question]))",
        "Both maintainers should say how many replicas they run.",
    )
    scripts = {
        CATALOGUE: [
            _bash("kubectl get deployment catalogue -n sock-shop -o jsonpath='{.spec.replicas}'"),
            _report("catalogue", "catalogue runs 1 replica."),
            "TERMINATE",
        ],
        FRONT_END: [_report("front-end", "front-end runs 1 replica."), "TERMINATE"],
        MANAGER: [assign, "Both components run one replica each.\nTERMINATE"],
    }
    with ScriptedLLM(scripts) as llm:
        session = session_factory(shop.kubeconfig, llm, ["catalogue", "front-end"])  # type: ignore[operator]
        result = run_hierarchy(
            session,
            agents,
            load_catalog(),
            ["catalogue", "front-end"],
            "How many replicas run?",
            timeout=120,
            progress=_Quiet(),
        )
        manager_requests = [request for request in llm.requests if request.key == MANAGER]

    assert not result.timed_out
    assert result.manager.terminated
    assert result.manager.final_message == "Both components run one replica each."
    assert (result.manager.steps, result.manager.failed_steps) == (2, 0)
    answers = manager_requests[1].body["messages"][-1]["content"]
    assert "2 of 2 components answered" in answers
    assert "RESPONSE from component catalogue:\ncatalogue runs 1 replica." in answers
    assert "RESPONSE from component front-end:\nfront-end runs 1 replica." in answers
    manager_md = (session.run.results_dir / "manager.md").read_text()
    assert "#### Message sent: TASK, manager to the collector" in manager_md
    assert "#### Message received: RESPONSE, from collector" in manager_md
    assert "Tasks assigned; waiting for the maintainers' answers." in manager_md
    for name in ("catalogue", "front-end"):
        transcript = (session.run.results_dir / f"{name}.md").read_text()
        assert "#### Message sent: RESPONSE" in transcript
        # Once the manager has both answers the run ends; a maintainer may be stopped before its TERMINATE step.
        assert "TERMINATE |" in transcript or "stopped by the harness |" in transcript


def test_a_maintainer_that_never_answers_gives_the_manager_a_timeout_note(
    shop: Cluster, session_factory: object, agents: AgentSettings
) -> None:
    marker = f"{900 + uuid.uuid4().int % 99}"
    agents = dataclasses.replace(
        agents, response_timeout=3.0, maintainer=dataclasses.replace(agents.maintainer, executor_timeout=120)
    )
    assign = _python(
        "from src.agent.tools import assign_tasks\n"
        "print(assign_tasks(['catalogue', 'front-end'], ['Report your replicas.', 'Report your replicas.']))"
    )
    scripts = {
        CATALOGUE: [_report("catalogue", "catalogue runs 1 replica."), "TERMINATE"],
        FRONT_END: [_bash(f"sleep {marker}", "This will take a while.")],
        MANAGER: [assign, "front-end did not answer in time; catalogue runs 1 replica.\nTERMINATE"],
    }
    started = time.monotonic()
    with ScriptedLLM(scripts) as llm:
        session = session_factory(shop.kubeconfig, llm, ["catalogue", "front-end"])  # type: ignore[operator]
        result = run_hierarchy(
            session,
            agents,
            load_catalog(),
            ["catalogue", "front-end"],
            "Report replicas.",
            timeout=120,
            progress=_Quiet(),
        )
        manager_requests = [request for request in llm.requests if request.key == MANAGER]

    assert time.monotonic() - started < 60
    assert result.manager.terminated and not result.timed_out
    answers = manager_requests[1].body["messages"][-1]["content"]
    assert "1 of 2 components answered" in answers
    assert "No answer within 3 s from: front-end" in answers
    assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", marker]]
    front_end = (session.run.results_dir / "front-end.md").read_text()
    assert "stopped by the harness" in front_end


def test_code_that_writes_by_relative_path_lands_in_the_workspace(
    tmp_path: Path, session_factory: object, agents: AgentSettings
) -> None:
    script = [_python("open('pwned.txt', 'w').write('owned')\nprint('written')"), "TERMINATE"]
    with ScriptedLLM({CATALOGUE: script}) as llm:
        session = session_factory(tmp_path / "no-kubeconfig", llm, ["catalogue"])  # type: ignore[operator]
        maintainer = ServiceMaintainer("catalogue", agents, session.run)
        outcome = maintainer.solve("Write a file.")
    assert outcome.terminated and outcome.failed_steps == 0
    assert (session.run.workspace / "catalogue" / "pwned.txt").read_text() == "owned"
    assert not (REPO_ROOT / "pwned.txt").exists()
    assert not (Path.cwd() / "pwned.txt").exists()


def test_a_block_that_runs_forever_is_killed_with_its_process_group(
    tmp_path: Path, session_factory: object, agents: AgentSettings
) -> None:
    agents = dataclasses.replace(agents, maintainer=dataclasses.replace(agents.maintainer, executor_timeout=2))
    script = [_bash("sleep 1000 &\necho $! > child.pid\nsleep 1000"), "It was killed.\nTERMINATE"]
    started = time.monotonic()
    with ScriptedLLM({CATALOGUE: script}) as llm:
        session = session_factory(tmp_path / "no-kubeconfig", llm, ["catalogue"])  # type: ignore[operator]
        outcome = ServiceMaintainer("catalogue", agents, session.run).solve("Wait forever.")
        second_request = llm.requests[1].body["messages"][-1]["content"]
    assert time.monotonic() - started < 30
    assert (outcome.steps, outcome.failed_steps, outcome.terminated) == (2, 1, True)
    assert "exitcode: 124" in second_request and "Timeout: the code ran longer than 2 s" in second_request
    child = int((session.run.workspace / "catalogue" / "child.pid").read_text())
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE
    assert "code run (timed out" in (session.run.results_dir / "catalogue.md").read_text()


def test_query_prometheus_lists_every_series_of_the_real_prometheus(
    shop: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with PrometheusServer(shop.url, tmp_path / "prometheus", scrape_interval="1s") as prometheus:
        monkeypatch.setenv("PROMETHEUS_URL", prometheus.url)
        text = poll(
            lambda: query_prometheus('kube_pod_status_ready{namespace="sock-shop", condition="true"}', "30s", "5s"),
            until=lambda text: text.count("kube_pod_status_ready{") >= 14,
            timeout=30,
            interval=1,
            what="14 Ready pods in query_prometheus' answer",
        )
        assert 'condition="true"' in text and 'pod="catalogue-' in text
        bad = query_prometheus("sum(rate(up[1m])")
        assert bad.startswith("Error: Prometheus rejected the query") and "parse error" in bad
        assert query_prometheus('up{name="no-such-service"}').startswith("No data:")


class _Quiet:
    def update(self, agent: str, step: int, elapsed: float, activity: str) -> None:
        return None


def _entry_files(tmp_path: Path, rabbitmq: BrokerHandle, llm: ScriptedLLM) -> list[str]:
    """Flags pointing an entry module at a scripted LLM, the session's broker and a private twin."""
    import yaml

    config = yaml.safe_load((REPO_ROOT / "conf" / "global_config.yaml").read_text())
    config["rabbitmq"] = {"url": rabbitmq.url}
    config["twin"]["startup_time_scale"] = 0.05
    (tmp_path / "global_config.yaml").write_text(yaml.safe_dump(config))
    secret = {"backend": "Other", "Other": {"model": llm.model, "base_url": llm.base_url}, "max_retries": 0}
    (tmp_path / "secret.yaml").write_text(yaml.safe_dump(secret))
    return [
        "--config", str(tmp_path / "global_config.yaml"),
        "--secret", str(tmp_path / "secret.yaml"),
        "--results-dir", str(tmp_path / "results"),
        "--state-dir", str(tmp_path / "twin"),
    ]  # fmt: skip


def _twin_processes(state_dir: Path) -> list[psutil.Process]:
    return [
        p for p in psutil.process_iter(["cmdline"]) if any(str(state_dir) in part for part in p.info["cmdline"] or [])
    ]


def test_working_mechanism_2_runs_end_to_end_and_stops_the_twin_it_started(
    tmp_path: Path, rabbitmq: BrokerHandle
) -> None:
    import subprocess
    import sys

    assign = _python(
        "from src.agent.tools import assign_tasks\nprint(assign_tasks(['catalogue'], ['Report your replicas.']))"
    )
    scripts = {
        CATALOGUE: [_report("catalogue", "catalogue runs 1 replica."), "TERMINATE"],
        MANAGER: [assign, "catalogue runs one replica.\nTERMINATE"],
    }
    with ScriptedLLM(scripts) as llm:
        flags = _entry_files(tmp_path, rabbitmq, llm)
        result = subprocess.run(
            [sys.executable, "-m", "src.working_mechanism_2", "--task", "Count replicas.", "--components", "catalogue",
             "--timeout", "120", *flags],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=240,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("catalogue runs one replica.\n")
    assert "manager: 2 steps (0 failed)" in result.stdout
    assert "manager        step" in result.stderr and "catalogue      step" in result.stderr
    [run_dir] = (tmp_path / "results").iterdir()
    assert {path.name for path in run_dir.glob("*.md")} == {"manager.md", "catalogue.md"}
    assert not _twin_processes(tmp_path / "twin")


def test_ctrl_c_stops_the_agents_their_code_and_the_world(tmp_path: Path, rabbitmq: BrokerHandle) -> None:
    import signal
    import subprocess
    import sys

    marker = f"{800 + uuid.uuid4().int % 99}"
    with ScriptedLLM({CATALOGUE: [_bash(f"sleep {marker}")]}) as llm:
        flags = _entry_files(tmp_path, rabbitmq, llm)
        process = subprocess.Popen(
            [sys.executable, "-m", "src.working_mechanism_1", "--task", "Wait.", "--component", "catalogue", *flags],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "running code" in line:
                break
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=120)
    assert process.returncode == 130, "".join(lines) + rest
    assert "error: interrupted; everything started was stopped" in rest
    assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", marker]]
    assert not _twin_processes(tmp_path / "twin")
    [run_dir] = (tmp_path / "results").iterdir()
    assert "stopped by the harness" in (run_dir / "catalogue.md").read_text()


NOTHING_LEFT = 5.0
"""Seconds the processes a run started may take to be gone after it exited (its watchdog's grace is 2 s)."""


def _held_run(tmp_path: Path, llm: ScriptedLLM) -> tuple[Harness, list[psutil.Process]]:
    """working_mechanism_1 with its own twin, Prometheus and RabbitMQ node, once the LLM holds its request."""
    harness = Harness(
        "src.working_mechanism_1", "--task", "Wait.", "--component", "catalogue",
        *own_world_flags(tmp_path, scripted_secret(llm)),
    )  # fmt: skip
    assert llm.holding.wait(120), harness.stderr
    started = descendants(harness.process.pid)
    names = {process.name() for process in started}
    assert {"beam.smp", "epmd", "prometheus"} <= names, names
    assert any("src.twin" in " ".join(process.cmdline()) for process in started)
    return harness, started


def test_ctrl_c_while_the_llm_holds_a_request_ends_the_run_within_10_s_and_leaves_nothing(tmp_path: Path) -> None:
    with ScriptedLLM({CATALOGUE: [Delayed(600, "TERMINATE")]}) as llm:
        harness, started = _held_run(tmp_path, llm)
        sent = harness.signal(signal.SIGINT)
        code, ended = harness.wait(30)
    assert code == 130, harness.stderr
    assert ended - sent < 10, f"{ended - sent:.1f} s:\n{harness.stderr}"
    assert "error: interrupted; everything started was stopped" in harness.stderr
    [run_dir] = (tmp_path / "results").iterdir()
    assert (run_dir / "catalogue.md").is_file()
    poll(lambda: still_running(started), until=lambda left: not left, timeout=NOTHING_LEFT, interval=0.2)


def test_kill_9_of_the_harness_leaves_none_of_its_processes_running(tmp_path: Path) -> None:
    with ScriptedLLM({CATALOGUE: [Delayed(600, "TERMINATE")]}) as llm:
        harness, started = _held_run(tmp_path, llm)
        harness.signal(signal.SIGKILL)
        harness.wait(10)
        poll(lambda: still_running(started), until=lambda left: not left, timeout=NOTHING_LEFT, interval=0.2)


@pytest.mark.slow
def test_ctrl_c_while_the_local_model_generates_a_reply_cuts_it_off_within_10_s(tmp_path: Path) -> None:
    harness = Harness(
        "src.working_mechanism_1", "--task", "Scale catalogue to 2 replicas.", "--component", "catalogue",
        *own_world_flags(tmp_path, {"backend": "Local", "Local": {"context_size": 4096}}),
    )  # fmt: skip
    harness.wait_for("asking the LLM", 120)
    time.sleep(3)  # SmolLM2 is reading the prompt or writing its reply: a minute's work on two cores
    started = descendants(harness.process.pid)
    assert any("src.llm._local_child" in " ".join(process.cmdline()) for process in started)
    sent = harness.signal(signal.SIGINT)
    code, ended = harness.wait(60)
    assert code == 130, harness.stderr
    assert ended - sent < 10, f"{ended - sent:.1f} s:\n{harness.stderr}"
    assert "step 1   LLM replied" not in harness.stderr
    poll(lambda: still_running(started), until=lambda left: not left, timeout=NOTHING_LEFT, interval=0.2)
