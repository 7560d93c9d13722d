"""`python -m src.empirical_low_level_L1_2 --instance manual_scaling --suffix stable`: low-level L1/L2 trials.

Each trial resets Sock Shop to the instance's manifests, puts Locust load on the component, waits
as the profile says, sends the instance's task to the component's maintainer over RabbitMQ,
scores the result automatically and writes `results/<instance>-<suffix>-<timestamp>/record.json`.
Progress goes to stderr; one summary line per trial to stdout.
"""

from __future__ import annotations

import dataclasses
import sys

from .agent._cli import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    INPUT_ERRORS,
    WORLD_ERRORS,
    OneLineParser,
    configure_logging,
    fail,
    interrupts_as_keyboard,
    with_max_turns,
)
from .agent._run import RESULTS_ROOT
from .config import WORLDS, load_settings
from .environment.traffic import TrafficError, workload_for
from .environment.traffic._service import ServiceLookupError
from .environment.twin_process import DEFAULT_STATE_DIR
from .experiment import load_instance
from .experiment._low_level import LOW_LEVELS, TrialPlaces, TrialSpec, run_low_level_trial
from .experiment._profile import PROFILES
from .experiment._world import WorldError
from .llm import banner, load_llm_settings

PROG = "python -m src.empirical_low_level_L1_2"
L3_RUNNER = "src.empirical_low_level_L3_4_5"
HIGH_RUNNER = "src.empirical_high_level_L1_2"
TRIAL_ERRORS = (*WORLD_ERRORS, WorldError, TrafficError, ServiceLookupError)


def _parser() -> OneLineParser:
    from pathlib import Path

    parser = OneLineParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, help="the dataset instance (a name in data/dataset/)")
    parser.add_argument("--suffix", default="run", help="a label in the run folder's name (default 'run')")
    parser.add_argument(
        "--cache_seed", type=int, default=-1, help="AG2's answer-cache seed; -1 (the default) disables the cache"
    )
    parser.add_argument("--trials", type=int, default=1, help="how many trials to run (the paper ran 3)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick", help="the waits (default quick)")
    parser.add_argument("--world", choices=WORLDS, default=None, help="twin or kubernetes (default from config)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds the agent may work (default 900)")
    parser.add_argument("--max-turns", type=int, default=None, help="override the agents' message limit")
    parser.add_argument("--secret", type=Path, default=None, help="LLM secrets file (default conf/secret.yaml)")
    parser.add_argument("--config", type=Path, default=None, help="global config (default conf/global_config.yaml)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_ROOT, help="where run folders go")
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="the twin state directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config) if args.config else load_settings()
        if args.world:
            settings = dataclasses.replace(settings, world=args.world)
        instance = load_instance(args.instance, health_check_task=settings.agents.health_check_task)
        if instance.level not in LOW_LEVELS:
            raise ValueError(
                f"instance {instance.name} is level {instance.level}; use python -m {L3_RUNNER} for levels 3-5"
            )
        if instance.scope != "low":
            raise ValueError(f"instance {instance.name} is a high-level task; use python -m {HIGH_RUNNER}")
        workload_for(instance.load_target, instance.workload)
        if args.trials < 1:
            raise ValueError(f"--trials must be at least 1, got {args.trials}")
        if args.timeout <= 0:
            raise ValueError(f"--timeout must be greater than 0, got {args.timeout:g}")
        llm = load_llm_settings(args.secret, args.cache_seed)
        agents = with_max_turns(settings.agents, args.max_turns, smoke_test=llm.smoke_test)
    except INPUT_ERRORS as err:
        return fail(str(err), EXIT_BAD_INPUT)
    configure_logging()
    sys.stderr.write(banner(llm) + "\n")
    places = TrialPlaces(args.results_dir, args.state_dir)
    try:
        with interrupts_as_keyboard():
            for trial in range(1, args.trials + 1):
                spec = TrialSpec(instance, PROFILES[args.profile], args.suffix, trial, args.timeout)
                record, run_dir = run_low_level_trial(spec, settings, llm, places, agents=agents)
                verdict = "passed" if record.passed else "failed"
                sys.stdout.write(f"{instance.name} trial {trial}: {verdict} ({run_dir / 'record.json'})\n")
    except KeyboardInterrupt:
        return fail("interrupted; load and chaos were stopped and the record written", EXIT_INTERRUPTED)
    except TRIAL_ERRORS as err:
        return fail(str(err), EXIT_FAILED)
    if llm.smoke_test:
        sys.stderr.write("This was a smoke test on SmolLM2-135M: its scores mean nothing.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
