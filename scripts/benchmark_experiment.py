"""Benchmark the experiment harness: its own overhead per trial on the twin, and a full quick L3-L5 trial.

    python3 scripts/benchmark_experiment.py [--runners low_level_L1_2,low_level_L3_4_5,...] [--trials N]

Each runner plays one trial with the `quick` profile in a fresh state directory (so the twin,
Prometheus and the RabbitMQ node are started and stopped as a first-time user's run would), with
the scripted test LLM replaying the instance's reference solution, so no model time is spent.
Overhead is the wall time minus the profile's deliberate waits (settle, stabilise, fault,
observe) and minus the agents' phases (the agents' own work: their code, e.g. a rollout they
wait for). Targets: under 8 s for a single trial. The wall time of the full quick L3-L5 trial is
printed as it is.

`--trials N` plays a series as `--trials` does: one session (twin, Prometheus, broker, LLM) for
all N trials; the first trial's overhead includes opening the session, the last one's closing
it. Target: under 5 s for each trial after the first.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from src.agent import session_services
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
TARGET = 8.0
LATER_TARGET = 5.0


def _scripts(instance: Instance, high: bool) -> dict[str, list[str]]:
    """The reference solution for the maintainer (once per evaluation of a fault), and a manager assigning it."""
    if high:
        return {
            key(instance.component): maintainer_script(instance),
            MANAGER_KEY: manager_script([instance.component], manager_task(instance)),
        }
    repeats = QUICK.evaluations if instance.level >= 3 else 1
    return {key(instance.component): maintainer_script(instance) * repeats}


def _overhead(wall: float, phases: list[tuple[str, float]]) -> tuple[float, float, float]:
    """(waits, agents, overhead) of a trial that took `wall` seconds."""
    waits = sum(seconds for phase, seconds in phases if phase in WAITS)
    agents = sum(seconds for phase, seconds in phases if phase in AGENT_PHASES or phase.startswith("evaluation"))
    return waits, agents, wall - waits - agents


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
    waits, agents, overhead = _overhead(wall, phases)
    print(f"\n{runner} ({name}): wall {wall:.1f} s = waits {waits:.1f} + agents {agents:.1f} + overhead {overhead:.1f}")
    print("  " + ", ".join(f"{phase} {seconds:.1f}" for phase, seconds in phases))
    verdict = "met" if overhead < TARGET else "NOT met"
    print(f"  harness overhead {overhead:.1f} s (target < {TARGET:.0f} s: {verdict}); passed: {record.passed}")
    if runner == "low_level_L3_4_5":
        print(f"  wall time of one full quick low-level L3-L5 trial: {wall:.1f} s ({wall / 60:.1f} min)")


def _series(runner: str, trials: int) -> None:
    """`trials` trials on one session, as `--trials` plays them; each trial's overhead."""
    name, run = RUNNERS[runner]
    instance = load_instance(name)
    script = _scripts(instance, runner.startswith("high"))
    settings = load_settings()
    with tempfile.TemporaryDirectory() as state, ScriptedLLM({k: v * trials for k, v in script.items()}) as llm:
        places = TrialPlaces(Path(state) / "results", Path(state) / "twin")
        figures: list[tuple[float, list[tuple[str, float]], bool]] = []
        mark = time.monotonic()
        services = session_services(
            QUICK.settings_for(settings), llm.settings(), state_dir=places.state_dir, deploy_shop=False
        )
        with services as shared:
            for trial in range(1, trials + 1):
                spec = TrialSpec(instance, QUICK, "benchmark", trial)
                record, _ = run(spec, settings, llm.settings(), places, stream=io.StringIO(), services=shared)
                now = time.monotonic()
                figures.append((now - mark, [(phase.name, phase.seconds) for phase in record.phases], record.passed))
                mark = now
        wall, phases, passed = figures[-1]
        figures[-1] = (wall + time.monotonic() - mark, phases, passed)
    print(f"\n{runner} ({name}), {trials} trials on one session:")
    for trial, (wall, phases, passed) in enumerate(figures, start=1):
        _, _, overhead = _overhead(wall, phases)
        target = TARGET if trial == 1 else LATER_TARGET
        verdict = "met" if overhead < target else "NOT met"
        print(f"  trial {trial}: overhead {overhead:.1f} s (target < {target:.0f} s: {verdict}); passed: {passed}")
        print("    " + ", ".join(f"{phase} {seconds:.1f}" for phase, seconds in phases))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", default="low_level_L1_2,low_level_L3_4_5", help=f"any of {', '.join(RUNNERS)}")
    parser.add_argument("--trials", type=int, default=1, help="trials per runner on one session (a --trials series)")
    args = parser.parse_args()
    runners = [name.strip() for name in args.runners.split(",") if name.strip()]
    unknown = [name for name in runners if name not in RUNNERS]
    if unknown:
        parser.error(f"unknown runner(s) {', '.join(unknown)}; choose from {', '.join(RUNNERS)}")
    for runner in runners:
        if args.trials > 1:
            _series(runner, args.trials)
        else:
            _trial(runner)
    return 0


if __name__ == "__main__":
    sys.exit(main())
