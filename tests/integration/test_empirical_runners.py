"""The L3-L5 and high-level runners end to end through their entry modules, on the twin, with the test profile.

Each test plays one trial with the scripted LLM, as a user would type it, and checks what the
user gets: the summary line, the phases announced, `record.json` with the paper's columns,
`timeline.png`, and nothing left running. `python -m src.report` then puts them beside the paper.
The test profile (1 s scrapes, 15 s windows, two evaluations) keeps each trial under two minutes;
the one quick-profile trial of the suite is in `test_empirical_low_level.py`.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from src.config import REPO_ROOT
from src.environment.kubectl import run_kubectl
from src.experiment import load_instance, manager_task
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
from tests.reference_agent import MANAGER_KEY, NO_OP, bash_step, key, maintainer_script, manager_script, report_step
from tests.scripted_llm import Delayed, ScriptedLLM

pytestmark = [pytest.mark.integration, pytest.mark.slow]

P99 = 'histogram_quantile(0.99, sum(rate(request_duration_seconds_bucket{name="catalogue"}[15s])) by (le)) * 1000'
HEALTHY = [
    report_step("catalogue", "catalogue is healthy: all pods Ready, P99 {p99:.0f} ms.", {"p99": P99}),
    "TERMINATE",
]


def _run(module: str, argv: list[str], budget: float) -> tuple[subprocess.CompletedProcess[str], Path, dict]:
    result = subprocess.run(
        [sys.executable, "-m", module, *argv, "--profile", "test", "--world", "twin"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=budget,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    run_dirs = [path for path in Path(argv[argv.index("--results-dir") + 1]).iterdir() if path.is_dir()]
    [run_dir] = [path for path in run_dirs if path.name != "report"]
    assert not locusts(run_dir)
    record = json.loads((run_dir / "record.json").read_text())
    assert record["error"] is None and record["timeline"] == "timeline.png"
    assert (run_dir / "timeline.png").stat().st_size > 10_000
    return result, run_dir, record


@pytest.mark.timeout(900)
def test_a_cpu_stress_trial_scores_every_evaluation_with_first_and_overall(
    shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    instance = load_instance("cpu_stress")
    script = [*maintainer_script(instance), *HEALTHY]
    with ScriptedLLM({key("catalogue"): script}) as llm:
        flags = entry_flags(tmp_path, rabbitmq, llm, shared_shop)
        argv = ["--instance", "cpu_stress", "--suffix", "e2e", "--cache_seed", "-1", *flags]
        result, run_dir, record = _run("src.empirical_low_level_L3_4_5", argv, 900)
    summary = "L3 2/2, L4 1/1, L5 1/1, first 1, overall 1"
    assert result.stdout == f"cpu_stress trial 1: {summary} ({run_dir / 'record.json'})\n", result.stderr[-3000:]
    for phase in ("baseline", "inject", "fault", "evaluation 1", "observe", "evaluation 2", "cleanup"):
        assert f"[{phase}] started" in result.stderr
    assert record["runner"] == "low_level_L3_4_5" and record["passed"] is True
    assert [entry["issue_present"] for entry in record["evaluations"]] == [True, False]
    assert record["scores"]["slo_baseline"]["passed"] and not record["scores"]["slo_after_injection"]["passed"]
    assert record["evaluations"][0]["l4"]["evidence"]["found"] == "cpu_saturation"
    assert record["flags"] == []

    report = subprocess.run(
        [sys.executable, "-m", "src.report", str(tmp_path / "results"), "--out", str(tmp_path / "report")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    table4 = report.stdout.split("## Table 4")[1].split("## Table 5")[0]
    [row] = [line for line in table4.splitlines() if line.startswith("| CPU Stress     | 1 ")]
    assert "2/2" in row and "[4,9,1]" not in row and "[7,9,9]" in row, row
    assert (tmp_path / "report" / "table4.csv").is_file()


@pytest.mark.timeout(600)
def test_a_high_level_latency_task_is_scored_with_rounds_and_assignments(
    shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    instance = load_instance("high_reduce_latency_catalogue")
    scripts = {
        key("catalogue"): maintainer_script(instance, "catalogue"),
        MANAGER_KEY: manager_script(["catalogue"], instance.task),
    }
    with ScriptedLLM(scripts) as llm:
        flags = entry_flags(tmp_path, rabbitmq, llm, shared_shop)
        argv = ["--instance", instance.name, "--components", "catalogue,front-end", *flags]
        result, run_dir, record = _run("src.empirical_high_level_L1_2", argv, 600)
    expected = f"{instance.name} trial 1: 1 rounds, {record['steps']} steps, assignment 1/1, passed"
    assert result.stdout == f"{expected} ({run_dir / 'record.json'})\n", result.stderr[-3000:]
    assert record["runner"] == "high_level_L1_2" and record["components"] == ["catalogue", "front-end"]
    assert set(record["agents"]) == {"manager", "catalogue", "front-end"}
    assert record["agents"]["manager"]["steps"] == 2 and record["agents"]["front-end"]["steps"] == 0
    [round_] = record["rounds"]
    assert round_["answered"] == ["catalogue"] and round_["assignments"][0]["correct"] is True
    check = instance.ground_truth.check
    assert record["scores"][check]["passed"] and not record["scores_before"][check]["passed"]
    assert (run_dir / "manager.md").is_file() and (run_dir / "catalogue.md").is_file()


@pytest.mark.timeout(700)
def test_a_high_level_pod_failure_is_scored_per_maintainer_answer(
    shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    instance = load_instance("pod_failure")
    components = ["catalogue", "front-end"]
    scripts = {
        key("catalogue"): maintainer_script(instance, "catalogue"),
        key("front-end"): [
            bash_step("kubectl -n sock-shop scale deployment/front-end --replicas=2"),
            bash_step("kubectl -n sock-shop rollout status deployment/front-end --timeout=120s"),
            report_step("front-end", "front-end was unhealthy: its CPU was above 50% of the limit. I scaled it to 2."),
            "TERMINATE",
        ],
        MANAGER_KEY: manager_script(components, manager_task(instance)),
    }
    with ScriptedLLM(scripts) as llm:
        flags = entry_flags(tmp_path, rabbitmq, llm, shared_shop)
        argv = ["--instance", "pod_failure", "--components", ",".join(components), *flags]
        result, _, record = _run("src.empirical_high_level_L3_4_5", argv, 700)
    assert record["runner"] == "high_level_L3_4_5"
    by_component = {entry["component"]: entry for entry in record["evaluations"]}
    catalogue = by_component["catalogue"]
    assert catalogue["issue_present"] and catalogue["l3"]["passed"] and catalogue["l4"]["passed"], catalogue
    assert catalogue["l5"]["passed"], catalogue["l5"]
    front_end = by_component["front-end"]
    assert front_end["issue_present"] and front_end["l3"]["passed"] and front_end["l4"] is None, front_end
    assert record["levels"]["overall"] == 1 and record["passed"] is True, record["scores"]["slo_final"]
    assert "overall 1" in result.stdout


@pytest.mark.timeout(400)
def test_a_second_ctrl_c_during_cleanup_still_leaves_no_chaos_and_no_load(
    shared_shop: Cluster, rabbitmq: BrokerHandle, tmp_path: Path
) -> None:
    with ScriptedLLM({key("catalogue"): NO_OP}) as llm:
        flags = entry_flags(tmp_path, rabbitmq, llm, shared_shop)
        process = subprocess.Popen(
            [sys.executable, "-m", "src.empirical_low_level_L3_4_5", "--instance", "cpu_stress", "--profile", "test",
             *flags],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if line.startswith(("[fault] started", "[cleanup] started")):
                process.send_signal(signal.SIGINT)
            if line.startswith("[cleanup] started"):
                break
        _, rest = process.communicate(timeout=120)
    assert process.returncode == 130, "".join(lines) + rest
    [run_dir] = (tmp_path / "results").iterdir()
    assert not locusts(run_dir)
    record = json.loads((run_dir / "record.json").read_text())
    assert (record["passed"], record["error"]) == (False, "interrupted")
    assert [phase["name"] for phase in record["phases"]][-3:] == ["inject", "fault", "cleanup"]
    chaos = run_kubectl(["get", "stresschaos", "-n", "sock-shop", "-o", "name"], shared_shop.kubeconfig)
    assert chaos.stdout.strip() == ""


@pytest.mark.timeout(400)
def test_ctrl_c_while_the_llm_holds_a_health_check_ends_the_trial_within_10_s_leaving_no_chaos_load_or_process(
    shared_shop: Cluster, tmp_path: Path
) -> None:
    with ScriptedLLM({key("catalogue"): [Delayed(600, "TERMINATE")]}) as llm:
        flags = own_world_flags(tmp_path, scripted_secret(llm), shared_shop.kubeconfig.parent)
        harness = Harness("src.empirical_low_level_L3_4_5", "--instance", "cpu_stress", "--profile", "test", *flags)
        assert llm.holding.wait(300), harness.stderr
        started = descendants(harness.process.pid)
        assert {"beam.smp", "epmd", "prometheus"} <= {process.name() for process in started}
        assert any("locust" in " ".join(process.cmdline()) for process in started)
        sent = harness.signal(signal.SIGINT)
        code, ended = harness.wait(60)
    assert code == 130, harness.stderr
    assert ended - sent < 10, f"{ended - sent:.1f} s:\n{harness.stderr}"
    assert "error: interrupted; load and chaos were stopped and the record written" in harness.stderr
    [run_dir] = (tmp_path / "results").iterdir()
    record = json.loads((run_dir / "record.json").read_text())
    assert (record["passed"], record["error"]) == (False, "interrupted")
    assert [phase["name"] for phase in record["phases"]][-2:] == ["evaluation 1", "cleanup"]
    chaos = run_kubectl(["get", "stresschaos", "--all-namespaces", "-o", "name"], shared_shop.kubeconfig)
    assert chaos.stdout.strip() == ""
    poll(lambda: still_running(started), until=lambda left: not left, timeout=5, interval=0.2)
