"""Benchmark the experiment harness: its own overhead per trial on the twin, and a full quick L3-L5 trial.

    python3 scripts/benchmark_experiment.py [--runners low_level_L1_2,low_level_L3_4_5,...]

Each runner plays one trial with the `quick` profile in a fresh state directory (so the twin,
Prometheus and the RabbitMQ node are started and stopped as a first-time user's run would), with
the scripted test LLM replaying the instance's reference solution, so no model time is spent.
Overhead is the wall time minus the profile's deliberate waits (settle, stabilise, fault,
observe) and minus the agents' phases (the agents' own work: their code, e.g. a rollout they
wait for). Target: under 10 s per trial. The wall time of the full quick L3-L5 trial is printed
as it is.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from src.config import load_settings
from src.experiment import (
    QUICK,
    Instance,
    TrialPlaces,
    TrialSpec,
    load_instance,
    manager_task,
    run_fault_trial,
    run_high_level_trial,
    run_low_level_trial,
)
from tests.reference_agent import MANAGER_KEY, key, maintainer_script, manager_script
from tests.scripted_llm import ScriptedLLM

RUNNERS = {
    "low_level_L1_2": ("manual_scaling", run_low_level_trial),
    "low_level_L3_4_5": ("cpu_stress", run_fault_trial),
    "high_level_L1_2": ("high_reduce_latency_catalogue", run_high_level_trial),
    "high_level_L3_4_5": ("pod_failure", run_high_level_trial),
}
WAITS = ("settle", "stabilise", "fault", "observe")
AGENT_PHASES = ("agent", "agents")
TARGET = 10.0


def _scripts(instance: Instance, high: bool) -> dict[str, list[str]]:
    """The reference solution for the maintainer (once per evaluation of a fault), and a manager assigning it."""
    if high:
        return {
            key(instance.component): maintainer_script(instance),
            MANAGER_KEY: manager_script([instance.component], manager_task(instance)),
        }
    repeats = QUICK.evaluations if instance.level >= 3 else 1
    return {key(instance.component): maintainer_script(instance) * repeats}


def _trial(runner: str) -> None:
    name, run = RUNNERS[runner]
    instance = load_instance(name)
    script = _scripts(instance, runner.startswith("high"))
    with tempfile.TemporaryDirectory() as state, ScriptedLLM(script) as llm:
        places = TrialPlaces(Path(state) / "results", Path(state) / "twin")
        started = time.monotonic()
        spec = TrialSpec(instance, QUICK, "benchmark")
        record, _ = run(spec, load_settings(), llm.settings(), places, stream=io.StringIO())
        wall = time.monotonic() - started
    phases = [(phase.name, phase.seconds) for phase in record.phases]
    waits = sum(seconds for phase, seconds in phases if phase in WAITS)
    agents = sum(seconds for phase, seconds in phases if phase in AGENT_PHASES or phase.startswith("evaluation"))
    overhead = wall - waits - agents
    print(f"\n{runner} ({name}): wall {wall:.1f} s = waits {waits:.1f} + agents {agents:.1f} + overhead {overhead:.1f}")
    print("  " + ", ".join(f"{phase} {seconds:.1f}" for phase, seconds in phases))
    verdict = "met" if overhead < TARGET else "NOT met"
    print(f"  harness overhead {overhead:.1f} s (target < {TARGET:.0f} s: {verdict}); passed: {record.passed}")
    if runner == "low_level_L3_4_5":
        print(f"  wall time of one full quick low-level L3-L5 trial: {wall:.1f} s ({wall / 60:.1f} min)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", default="low_level_L1_2,low_level_L3_4_5", help=f"any of {', '.join(RUNNERS)}")
    args = parser.parse_args()
    runners = [name.strip() for name in args.runners.split(",") if name.strip()]
    unknown = [name for name in runners if name not in RUNNERS]
    if unknown:
        parser.error(f"unknown runner(s) {', '.join(unknown)}; choose from {', '.join(RUNNERS)}")
    for runner in runners:
        _trial(runner)
    return 0


if __name__ == "__main__":
    sys.exit(main())
