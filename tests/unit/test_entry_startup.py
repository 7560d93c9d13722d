"""What a user gets from an entry module before any work starts: help, --list, rejected input, fast.

`--help` and a rejected flag must not pay for AG2, openai, matplotlib or Locust's helpers (about
three seconds on a laptop); these tests check that in a fresh interpreter, which is what a user
runs. `scripts/benchmark.py` is where the seconds are measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from src.config import REPO_ROOT

ENTRY_MODULES = [
    "src.empirical_low_level_L1_2",
    "src.empirical_low_level_L3_4_5",
    "src.empirical_high_level_L1_2",
    "src.empirical_high_level_L3_4_5",
    "src.working_mechanism_1",
    "src.working_mechanism_2",
]
HEAVY = ["autogen", "openai", "matplotlib", "locust", "xllamacpp"]
PROBE = """
import json, sys, runpy
sys.argv = [sys.argv[1], *sys.argv[2:]]
try:
    runpy.run_module(sys.argv[0], run_name="__main__")
except SystemExit as exit:
    code = exit.code
heavy = [name for name in {heavy!r} if name in sys.modules]
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def _probe(module: str, *argv: str) -> tuple[int, list[str], str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), module, *argv],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    verdict = json.loads(result.stderr.strip().splitlines()[-1])
    return verdict["code"], verdict["heavy"], result.stdout + result.stderr


@pytest.mark.parametrize("module", ENTRY_MODULES)
def test_help_imports_nothing_heavy_and_shows_every_default(module: str) -> None:
    code, heavy, output = _probe(module, "--help")
    assert code == 0 and heavy == [], output
    assert "--cache-seed" in output and "(default: -1)" in output
    assert "(default: 900.0)" in output


@pytest.mark.parametrize("module", ENTRY_MODULES)
def test_a_rejected_flag_imports_nothing_heavy(module: str) -> None:
    code, heavy, output = _probe(module, "--no-such-flag")
    assert code == 2 and heavy == [], output
    assert output.startswith("error: ") and "(see python -m src." in output


def test_an_unknown_instance_is_rejected_before_anything_heavy_is_imported() -> None:
    code, heavy, output = _probe("src.empirical_low_level_L3_4_5", "--instance", "no_such_instance")
    assert code == 2 and heavy == [], output
    assert "unknown instance 'no_such_instance'" in output


def test_list_shows_the_instances_a_runner_plays_with_level_and_title() -> None:
    code, _, output = _probe("src.empirical_low_level_L3_4_5", "--list")
    assert code == 0, output
    lines = {line.split()[0]: line for line in output.splitlines() if line and not line.startswith("{")}
    assert {"cpu_stress", "pod_failure", "rising_traffic", "network_delay", "memory_stress"} <= set(lines)
    assert "manual_scaling" not in lines
    assert "CPU Stress" in lines["cpu_stress"] and " L" in lines["cpu_stress"]
    code, _, output = _probe("src.empirical_low_level_L1_2", "--list")
    assert "manual_scaling" in output and "cpu_stress" not in output


def test_the_free_task_and_the_instance_exclude_each_other_and_one_is_needed() -> None:
    code, _, output = _probe("src.empirical_high_level_L1_2", "--instance", "high_reduce_latency_group", "--task", "x")
    assert code == 2 and "not allowed with argument --instance" in output
    code, _, output = _probe("src.empirical_high_level_L1_2")
    assert code == 2 and "required: --instance or --task" in output


def test_cache_seed_is_accepted_with_a_dash_as_well() -> None:
    code, _, output = _probe("src.working_mechanism_1", "--task", "x", "--component", "nope", "--cache-seed", "42")
    assert code == 2 and "unknown component 'nope'" in output


@pytest.mark.parametrize("module", ENTRY_MODULES)
def test_help_says_what_each_exit_code_means(module: str) -> None:
    code, _, output = _probe(module, "--help")
    assert code == 0, output
    assert "exit codes:" in output and "\n  130  interrupted" in output
    assert "\n  2    bad input" in output and "LLM endpoint does not answer" in output
    if module.startswith("src.empirical_"):
        assert "every trial ran to its score, passed or failed" in output
        assert "a trial ended with an error (after the remaining trials ran)" in output


SILENT_LLM = {"backend": "Other", "Other": {"model": "m", "base_url": "http://127.0.0.1:9/v1"}, "max_retries": 0}


@pytest.mark.parametrize(
    "argv",
    [
        ["src.working_mechanism_1", "--task", "x", "--component", "catalogue"],
        ["src.empirical_low_level_L1_2", "--instance", "manual_scaling"],
    ],
    ids=["working_mechanism_1", "empirical_low_level_L1_2"],
)
def test_an_unreachable_llm_endpoint_exits_2_before_anything_starts(argv: list[str], tmp_path: Path) -> None:
    config = yaml.safe_load((REPO_ROOT / "conf" / "global_config.yaml").read_text())
    config["rabbitmq"] = {"url": "amqp://guest:guest@127.0.0.1:9/%2F"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "secret.yaml").write_text(yaml.safe_dump(SILENT_LLM))
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", *argv, "--config", str(tmp_path / "config.yaml"), "--secret",
         str(tmp_path / "secret.yaml"), "--state-dir", str(tmp_path / "twin"), "--results-dir", str(tmp_path / "r")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - began < 15
    assert "error: cannot reach the Other endpoint http://127.0.0.1:9/v1" in result.stderr
    assert "RabbitMQ" not in result.stderr and "twin" not in result.stderr
    assert not (tmp_path / "twin").exists() and not (tmp_path / "r").exists()
