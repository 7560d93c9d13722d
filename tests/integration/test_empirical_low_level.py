"""The low-level L1/L2 runner end to end on the twin, with a scripted LLM.

`manual_scaling` is played on one twin (each trial resets the shop first): by an agent replaying
the instance's reference solution through the entry module, which must pass; by an agent that
does nothing and terminates, which must fail; and interrupted with Ctrl-C while it stabilises,
which must stop Locust and still write the record. The runs go through the real lifecycle:
manifests prepared, namespace re-created, Locust at the instance's workload, the profile's
stabilisation wait, the task over RabbitMQ, the state check, `record.json`. The reference run is
the suite's one trial on the quick profile (the waits a user gets); the others use the test profile.
"""

from __future__ import annotations

import dataclasses
import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from src.config import REPO_ROOT, Settings, load_settings
from src.experiment import QUICK, TEST, TrialPlaces, TrialSpec, load_instance, run_low_level_trial
from src.messaging import BrokerHandle
from tests.conftest import Cluster
from tests.integration.entry import (
    Harness,
    descendants,
    entry_flags,
    locusts,
    own_world_flags,
    scripted_secret,
    still_running,
)
from tests.polling import poll
from tests.scripted_llm import Delayed, ScriptedLLM

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CATALOGUE = 'component "catalogue"'
TRIAL_BUDGET = 150.0
"""Seconds one trial may take here: the quick profile's 65 s wait plus reset, load and agent."""


def _bash(code: str, before: str) -> str:
    return f"{before}\n```bash\n{code}\n```"


def _report(text: str) -> str:
    code = f"from src.agent.tools import report_result\nprint(report_result('catalogue', {text!r}))"
    return f"Step 3: report.\n```python\n{code}\n```"


REFERENCE = [
    "Plan:\n1. Scale catalogue to 3 replicas.\n2. Verify the rollout.\n3. Report.\n4. Terminate.",
    _bash("kubectl -n sock-shop scale deployment/catalogue --replicas=3", "Step 1: scale."),
    _bash(
        "kubectl -n sock-shop rollout status deployment/catalogue --timeout=120s\n"
        "kubectl -n sock-shop get deployment catalogue",
        "Step 2: verify.",
    ),
    _report("catalogue now runs 3 replicas, 3/3 Ready."),
    "The report was sent.\nTERMINATE",
]
NO_OP = ["Everything looks fine to me; there is nothing to do.\nTERMINATE"]


def _settings(rabbitmq: BrokerHandle) -> Settings:
    settings = load_settings()
    return dataclasses.replace(settings, raw={**(settings.raw or {}), "rabbitmq": {"url": rabbitmq.url}})


def _play(script: list[str], shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path, suffix: str) -> Path:
    instance = load_instance("manual_scaling")
    places = TrialPlaces(tmp_path / "results", shared_shop.kubeconfig.parent, queue_prefix=f"{suffix}-")
    stream = io.StringIO()
    with ScriptedLLM({CATALOGUE: script}) as llm:
        spec = TrialSpec(instance, TEST, suffix=suffix, agent_timeout=120)
        llm_settings = llm.settings(cache_seed=42)
        record, run_dir = run_low_level_trial(spec, _settings(rabbitmq), llm_settings, places, stream=stream)
    progress = stream.getvalue()
    for phase in ("prepare", "deploy", "load", "stabilise", "agent", "evaluate", "cleanup"):
        assert f"[{phase}] started" in progress, progress
    assert "s left" in progress and "catalogue      step" in progress
    assert run_dir.name.startswith(f"manual_scaling-{suffix}-")
    assert not locusts(run_dir)
    assert record.error is None, record.error
    return run_dir


def test_the_reference_solution_of_manual_scaling_passes_through_the_entry_module(
    shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    with ScriptedLLM({CATALOGUE: REFERENCE}) as llm:
        flags = entry_flags(tmp_path, rabbitmq, llm, shared_shop)
        result = subprocess.run(
            [sys.executable, "-m", "src.empirical_low_level_L1_2", "--instance", "manual_scaling",
             "--suffix", "reference", "--cache_seed", "7", "--profile", "quick", "--world", "twin", *flags],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=TRIAL_BUDGET + 60,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [run_dir] = (tmp_path / "results").iterdir()
    assert result.stdout == f"manual_scaling trial 1: passed ({run_dir / 'record.json'})\n"
    for phase in ("prepare", "deploy", "load", "stabilise", "agent", "evaluate", "cleanup"):
        assert f"[{phase}] started" in result.stderr, result.stderr
    assert "[stabilise] 65 s left" in result.stderr and "catalogue      step" in result.stderr
    assert run_dir.name.startswith("manual_scaling-reference-")
    assert not locusts(run_dir)

    record = json.loads((run_dir / "record.json").read_text())
    assert record["passed"] is True and record["error"] is None
    assert (record["instance"], record["level"], record["world"], record["seed"]) == ("manual_scaling", 1, "twin", 7)
    assert record["model"] == llm.model
    assert record["profile"] == QUICK.as_record()
    assert record["runner"] == "low_level_L1_2" and record["timeline"] == "timeline.png"
    assert (run_dir / "timeline.png").stat().st_size > 10_000
    assert record["scores_before"]["replicas"]["passed"] is False
    assert [action["language"] for action in record["actions"]] == ["bash", "bash", "python"]
    assert (record["steps"], record["failed_steps"]) == (5, 0) and record["tokens"] > 0
    assert record["scores"]["replicas"]["passed"] is True
    assert record["scores"]["replicas"]["evidence"]
    assert "3 replicas" in record["report"]
    phases = {phase["name"]: phase["seconds"] for phase in record["phases"]}
    assert phases["stabilise"] >= 65
    assert sum(phases.values()) < TRIAL_BUDGET
    assert (run_dir / "catalogue.md").is_file() and (run_dir / "manifests").is_dir()


def test_an_agent_that_does_nothing_fails_manual_scaling(
    shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    run_dir = _play(NO_OP, shared_shop, rabbitmq, tmp_path, "noop")

    record = json.loads((run_dir / "record.json").read_text())
    assert record["passed"] is False
    assert record["scores"]["replicas"]["passed"] is False
    assert "without calling report_result" in record["report"]
    assert (record["steps"], record["failed_steps"]) == (1, 0)


def test_ctrl_c_while_stabilising_stops_locust_and_still_writes_the_record(
    shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    with ScriptedLLM({CATALOGUE: NO_OP}) as llm:
        flags = entry_flags(tmp_path, rabbitmq, llm, shared_shop)
        process = subprocess.Popen(
            [sys.executable, "-m", "src.empirical_low_level_L1_2", "--instance", "manual_scaling", "--profile", "test",
             *flags],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if line.startswith("[stabilise] started"):
                break
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=120)
    assert process.returncode == 130, "".join(lines) + rest
    assert "error: interrupted; load and chaos were stopped and the record written" in rest
    [run_dir] = (tmp_path / "results").iterdir()
    assert not locusts(run_dir)
    record = json.loads((run_dir / "record.json").read_text())
    assert (record["passed"], record["error"], record["scores"]) == (False, "interrupted", {})
    assert [phase["name"] for phase in record["phases"]] == ["prepare", "deploy", "load", "stabilise", "cleanup"]


def test_a_second_ctrl_c_ends_the_run_at_once_and_leaves_nothing_running(shared_shop: Cluster, tmp_path: Path) -> None:
    with ScriptedLLM({CATALOGUE: [Delayed(600, "TERMINATE")]}) as llm:
        flags = own_world_flags(tmp_path, scripted_secret(llm), shared_shop.kubeconfig.parent)
        harness = Harness("src.empirical_low_level_L1_2", "--instance", "manual_scaling", "--profile", "test", *flags)
        assert llm.holding.wait(300), harness.stderr
        started = descendants(harness.process.pid)
        harness.signal(signal.SIGINT)
        harness.wait_for("[cleanup] started", 10)
        second = harness.signal(signal.SIGINT)
        code, ended = harness.wait(30)
    assert code == 130, harness.stderr
    assert ended - second < 3.5, f"{ended - second:.1f} s:\n{harness.stderr}"
    [run_dir] = (tmp_path / "results").iterdir()
    assert not locusts(run_dir)
    poll(lambda: still_running(started), until=lambda left: not left, timeout=5, interval=0.2)
