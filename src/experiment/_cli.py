"""What the four `python -m src.empirical_*` entry modules share: flags, input checks, the trial loop, exit codes.

Each entry module names its runner (`RunnerKind`); this module parses the original flags plus
`--trials`, `--profile` and `--world`, checks everything the user typed before anything starts
(one line and exit code 2 when something is wrong), then opens one session (the LLM, whose
endpoint is checked first, the broker, the twin and Prometheus) for all the trials, runs them one
after another and prints one summary line per trial on stdout. A trial that ends with an error
does not stop the series; the exit code says so at the end (see `EXIT_CODES`). Ctrl-C (or
SIGTERM) stops the trial, cleans up and writes its record within seconds; a second one ends the
run at once (`src.interrupts`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..agent import load_catalog, parse_components
from ..agent.cli import (
    ENDPOINT_ERRORS,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    INPUT_ERRORS,
    WORLD_ERRORS,
    Inputs,
    OneLineParser,
    add_run_arguments,
    announce,
    check_task,
    fail,
    interrupts_as_keyboard,
    load_inputs,
)
from ..config import WORLDS, Settings
from ._instance import FAULT_LEVELS, Instance
from ._profile import DEFAULT_AGENT_TIMEOUT, PROFILES
from ._record import RunRecord
from .dataset import list_instances, load_instance

if TYPE_CHECKING:
    from ..evaluate.judge import Judge

# What a trial needs beyond the input checks (AG2, openai, matplotlib, Locust's helpers) is imported
# in the functions that run it, so `--help` and a rejected flag or instance answer in well under a second.


def _trial_errors() -> tuple[type[BaseException], ...]:
    """Errors that end the trials with exit code 1: a part of the world failed."""
    from ..environment.traffic import ServiceLookupError, TrafficError
    from ..evaluate import EvaluationError
    from ._world import WorldError

    return (*WORLD_ERRORS, WorldError, TrafficError, ServiceLookupError, EvaluationError)


EXIT_CODES = """\
exit codes:
  0    every trial ran to its score, passed or failed (each trial's line says which; see record.json)
  1    a trial ended with an error (after the remaining trials ran), or the world could not be provided
  2    bad input (a flag, the instance, the config or secrets file), or the LLM endpoint does not answer
  130  interrupted by Ctrl-C or SIGTERM (the record is written; a second Ctrl-C ends the run at once)
"""

DEFAULT_GROUP = ("catalogue", "front-end")
"""The maintainers of the paper's high-level experiments."""

Runner = Callable[..., tuple[RunRecord, Path]]


@dataclass(frozen=True)
class RunnerKind:
    """One entry module: its name, which instances it plays, and the function that plays a trial."""

    module: str
    scope: str
    """`low` or `high`."""
    levels: tuple[int, ...]
    runner: str
    """The name of the `src.experiment` function that plays one trial; imported when the first trial starts."""

    @property
    def prog(self) -> str:
        return f"python -m src.{self.module}"

    @property
    def takes_free_task(self) -> bool:
        """High-level L1/L2 also plays a free-text task for the manager (unscored)."""
        return self.scope == "high" and FAULT_LEVELS[0] not in self.levels

    @property
    def run(self) -> Runner:
        return getattr(importlib.import_module(__package__ or "src.experiment"), self.runner)


def _module_for(instance: Instance) -> str:
    if instance.level in FAULT_LEVELS:
        return "src.empirical_low_level_L3_4_5 (or src.empirical_high_level_L3_4_5 for the manager)"
    return f"src.empirical_{'high' if instance.scope == 'high' else 'low'}_level_L1_2"


def _parser(kind: RunnerKind, doc: str) -> OneLineParser:
    parser = OneLineParser(prog=kind.prog, description=doc.splitlines()[0], epilog=EXIT_CODES)
    parser.add_argument("--list", action="store_true", help="list the instances this runner plays, and exit")
    parser.add_argument("--instance", help="the dataset instance (a name in data/dataset/; see --list)")
    if kind.takes_free_task:
        parser.add_argument("--task", help="a free-text task for the manager instead of --instance (not scored)")
    if kind.scope == "high":
        parser.add_argument(
            "--components", default=",".join(DEFAULT_GROUP), help="comma-separated maintainers under the manager"
        )
    parser.add_argument("--suffix", default="run", help="a label in the run folder's name")
    parser.add_argument("--trials", type=int, default=1, help="how many trials to run (the paper ran 3)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick", help="the waits (see README)")
    parser.add_argument("--world", choices=WORLDS, default=None, help="twin or kubernetes (None: from the config)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_AGENT_TIMEOUT, help="seconds the agents may work")
    add_run_arguments(parser)
    return parser


def _check_source(kind: RunnerKind, parser: OneLineParser, args: argparse.Namespace) -> None:
    """Exactly one of --instance and (where the runner takes one) --task; argparse's own one-line error otherwise."""
    task = getattr(args, "task", None)
    if args.instance is not None and task is not None:
        parser.error("argument --task: not allowed with argument --instance")
    if args.instance is None and task is None:
        wanted = "--instance or --task" if kind.takes_free_task else "--instance"
        parser.error(f"the following arguments are required: {wanted}")


def _plays(kind: RunnerKind, instance: Instance) -> bool:
    return instance.level in kind.levels and (instance.scope == kind.scope or instance.level in FAULT_LEVELS)


def list_runner_instances(kind: RunnerKind) -> str:
    """One line per instance the runner plays: name, level, scope and the paper's title."""
    lines = []
    for name in list_instances():
        instance = load_instance(name)
        if _plays(kind, instance):
            lines.append(f"{instance.name:<38} L{instance.level}  {instance.scope:<4}  {instance.title}")
    return "\n".join(lines) + "\n"


def _instance(kind: RunnerKind, args: argparse.Namespace, settings: Settings, components: tuple[str, ...]) -> Instance:
    task = getattr(args, "task", None)
    if task is not None:
        from ._high_level import ENTRY_POINT, free_task

        return free_task(check_task(task), components, settings.namespace, "heavy", ENTRY_POINT)
    instance = load_instance(args.instance, health_check_task=settings.agents.health_check_task)
    if not _plays(kind, instance):
        raise ValueError(
            f"instance {instance.name} is a {instance.scope}-level L{instance.level} task; "
            f"use python -m {_module_for(instance)}"
        )
    from ..environment.traffic import workload_for

    workload_for(instance.load_target, instance.workload)
    return instance


def _components(kind: RunnerKind, text: str | None) -> tuple[str, ...]:
    if kind.scope != "high" or text is None:
        return ()
    return tuple(parse_components(text, load_catalog()))


@dataclass(frozen=True)
class _Plan:
    instance: Instance
    inputs: Inputs
    components: tuple[str, ...]
    judge: Judge | None


def _plan(kind: RunnerKind, args: argparse.Namespace) -> _Plan:
    """Everything checked before anything starts; raises one of `INPUT_ERRORS` with a one-line message."""
    inputs = load_inputs(args, world=args.world)
    components = _components(kind, getattr(args, "components", None))
    instance = _instance(kind, args, inputs.settings, components)
    if args.trials < 1:
        raise ValueError(f"--trials must be at least 1, got {args.trials}")
    from ..evaluate.judge import load_judge

    return _Plan(instance, inputs, components, load_judge(args.secret))


def main(kind: RunnerKind, doc: str, argv: list[str] | None = None, stream: TextIO | None = None) -> int:
    """Parse, check, run the trials; return the exit code (see `EXIT_CODES`)."""
    parser = _parser(kind, doc)
    args = parser.parse_args(argv)
    if args.list:
        sys.stdout.write(list_runner_instances(kind))
        return 0
    _check_source(kind, parser, args)
    try:
        plan = _plan(kind, args)
    except INPUT_ERRORS as err:
        return fail(str(err), EXIT_BAD_INPUT)
    inputs = plan.inputs
    announce(inputs.llm)
    errors = 0
    try:
        with interrupts_as_keyboard():
            from ..agent import session_services  # AG2, openai: a second or three, so Ctrl-C is handled already
            from ._trial import TrialPlaces, TrialSpec, run_folder_name

            places = TrialPlaces(args.results_dir, args.state_dir)
            profile = PROFILES[args.profile]
            settings = profile.settings_for(inputs.settings)
            session_id = run_folder_name(TrialSpec(plan.instance, profile, args.suffix), datetime.now(UTC))
            with session_services(
                settings, inputs.llm, state_dir=args.state_dir, deploy_shop=False, session_id=session_id
            ) as services:
                for trial in range(1, args.trials + 1):
                    spec = TrialSpec(plan.instance, profile, args.suffix, trial, args.timeout, plan.components or None)
                    try:
                        record, run_dir = kind.run(
                            spec,
                            inputs.settings,
                            inputs.llm,
                            places,
                            agents=inputs.agents,
                            judge=plan.judge,
                            stream=stream,
                            services=services,
                        )
                    except _trial_errors() as err:
                        errors += 1
                        fail(f"{plan.instance.name} trial {trial}: {err}", EXIT_FAILED)
                        continue
                    errors += record.error is not None
                    line = f"{plan.instance.name} trial {trial}: {record.summary()} ({run_dir / 'record.json'})\n"
                    sys.stdout.write(line)
    except KeyboardInterrupt:
        return fail("interrupted; load and chaos were stopped and the record written", EXIT_INTERRUPTED)
    except ENDPOINT_ERRORS as err:
        return fail(str(err), EXIT_BAD_INPUT)
    except _trial_errors() as err:
        return fail(str(err), EXIT_FAILED)
    if inputs.llm.smoke_test:
        sys.stderr.write("This was a smoke test on SmolLM2-135M: its scores mean nothing.\n")
    if errors:
        return fail(f"{errors} of {args.trials} trials ended with an error (see their records)", EXIT_FAILED)
    return 0
