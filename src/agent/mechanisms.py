"""The two working mechanisms as commands: one maintainer and one task, or a manager with its maintainers.

`python -m src.working_mechanism_1|2` are thin entry modules over `working_mechanism_1` and
`working_mechanism_2` here; both share the prologue of `cli` (flags, input checks, the LLM
banner, the session) and its exit codes.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from ._catalog import load_catalog, parse_components
from ._progress import Progress, StreamProgress
from .cli import (
    ENDPOINT_ERRORS,
    EXIT_BAD_INPUT,
    EXIT_CODES,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    INPUT_ERRORS,
    WORLD_ERRORS,
    Inputs,
    OneLineParser,
    add_common_arguments,
    announce,
    check_task,
    fail,
    in_session,
    interrupts_as_keyboard,
    load_inputs,
)

T = TypeVar("T")
DEFAULT_TIMEOUT = 900.0


def _parser(prog: str, doc: str) -> OneLineParser:
    parser = OneLineParser(prog=f"python -m {prog}", description=doc.splitlines()[0], epilog=EXIT_CODES)
    add_common_arguments(parser)
    return parser


def _smoke_test_warning(smoke_test: bool) -> None:
    if smoke_test:
        sys.stderr.write("This was a smoke test on SmolLM2-135M: the answer above means nothing.\n")


def _run_session(
    inputs: Inputs, components: list[str], args: argparse.Namespace, play: Callable[[ModuleType, Any, Progress], T]
) -> tuple[T, Path] | int:
    """Announce the LLM, import the agents' stack, run `play` in a session; the result, or the exit code.

    `play` gets the `_runner` module (AG2 and openai, imported only once the input is known to be
    good), the session and the live status.
    """
    announce(inputs.llm)
    try:
        with interrupts_as_keyboard():
            runner = importlib.import_module("._runner", __package__)
    except KeyboardInterrupt:
        return fail("interrupted; nothing was started", EXIT_INTERRUPTED)
    progress = StreamProgress()
    try:
        return in_session(inputs, components, args, lambda session: play(runner, session, progress))
    except KeyboardInterrupt:
        return fail("interrupted; everything started was stopped", EXIT_INTERRUPTED)
    except ENDPOINT_ERRORS as err:
        return fail(str(err), EXIT_BAD_INPUT)
    except WORLD_ERRORS as err:
        return fail(str(err), EXIT_FAILED)


def working_mechanism_1(doc: str, argv: list[str] | None = None) -> int:
    """One maintainer gets the task; its report is printed on stdout."""
    parser = _parser("src.working_mechanism_1", doc)
    parser.add_argument("--component", required=True, help="the component whose maintainer gets the task")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for the report")
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog()
        task = check_task(args.task)
        if args.component not in catalog.components:
            raise ValueError(f"unknown component {args.component!r}; known: {', '.join(catalog.components)}")
        inputs = load_inputs(args)
    except INPUT_ERRORS as err:
        return fail(str(err), EXIT_BAD_INPUT)
    ran = _run_session(
        inputs,
        [args.component],
        args,
        lambda runner, session, progress: runner.run_single(
            session, inputs.agents, catalog, args.component, task, timeout=args.timeout, progress=progress
        ),
    )
    if isinstance(ran, int):
        return ran
    result, results_dir = ran
    sys.stdout.write(result.round.render() + "\n")
    if result.outcome is not None:
        outcome = result.outcome
        sys.stdout.write(
            f"\n{args.component}: {outcome.steps} steps ({outcome.failed_steps} failed), {outcome.tokens} tokens, "
            f"{outcome.wall_seconds:.1f} s, ended by {outcome.ended_by}\n"
        )
    sys.stdout.write(f"transcript: {results_dir / f'{args.component}.md'}\n")
    _smoke_test_warning(inputs.llm.smoke_test)
    return 0 if result.round.responses else EXIT_FAILED


def working_mechanism_2(doc: str, argv: list[str] | None = None) -> int:
    """The manager assigns rounds to the maintainers of `--components`; its summary is printed on stdout."""
    parser = _parser("src.working_mechanism_2", doc)
    parser.add_argument("--components", required=True, help="comma-separated components with a maintainer")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds the whole run may take")
    args: argparse.Namespace = parser.parse_args(argv)
    try:
        catalog = load_catalog()
        task = check_task(args.task)
        components = parse_components(args.components, catalog)
        inputs = load_inputs(args)
    except INPUT_ERRORS as err:
        return fail(str(err), EXIT_BAD_INPUT)
    ran = _run_session(
        inputs,
        components,
        args,
        lambda runner, session, progress: runner.run_hierarchy(
            session, inputs.agents, catalog, components, task, timeout=args.timeout, progress=progress
        ),
    )
    if isinstance(ran, int):
        return ran
    result, results_dir = ran
    outcome = result.manager
    sys.stdout.write(f"{outcome.final_message or '(the manager gave no summary)'}\n\n")
    sys.stdout.write(
        f"manager: {outcome.steps} steps ({outcome.failed_steps} failed), {outcome.tokens} tokens, "
        f"{outcome.wall_seconds:.1f} s, ended by {outcome.ended_by}\ntranscripts: {results_dir}\n"
    )
    _smoke_test_warning(inputs.llm.smoke_test)
    return 0 if outcome.terminated else EXIT_FAILED
