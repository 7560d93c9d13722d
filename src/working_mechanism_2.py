"""`python -m src.working_mechanism_2 --task '...' --components catalogue,front-end`: manager + maintainers.

The cluster manager gets the task over RabbitMQ and assigns rounds of tasks to the maintainers of
the listed components through the message collector; each maintainer consumes its queue on a
thread of its own. The run ends when the manager says TERMINATE, runs out of turns, or after
`--timeout` seconds; then everything started is stopped. The manager's summary is printed on
stdout; progress goes to stderr and transcripts to `results/<run>/`.
"""

from __future__ import annotations

import sys

from .agent import StreamProgress, agent_session, load_catalog, parse_components, run_hierarchy
from .agent._cli import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    INPUT_ERRORS,
    WORLD_ERRORS,
    OneLineParser,
    add_common_arguments,
    check_task,
    configure_logging,
    fail,
    interrupts_as_keyboard,
    with_max_turns,
)
from .config import load_settings
from .llm import banner, load_llm_settings


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m src.working_mechanism_2", description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--components", required=True, help="comma-separated components with a maintainer")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds the whole run may take (default 900)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config) if args.config else load_settings()
        catalog = load_catalog()
        task = check_task(args.task)
        components = parse_components(args.components, catalog)
        if args.timeout <= 0:
            raise ValueError(f"--timeout must be greater than 0, got {args.timeout:g}")
        llm = load_llm_settings(args.secret, args.cache_seed)
        agents = with_max_turns(settings.agents, args.max_turns, smoke_test=llm.smoke_test)
    except INPUT_ERRORS as err:
        return fail(str(err), EXIT_BAD_INPUT)
    configure_logging()
    sys.stderr.write(banner(llm) + "\n")
    progress = StreamProgress()
    try:
        with (
            interrupts_as_keyboard(),
            agent_session(
                settings, components, llm, results_root=args.results_dir, state_dir=args.state_dir
            ) as session,
        ):
            result = run_hierarchy(session, agents, catalog, components, task, timeout=args.timeout, progress=progress)
            results_dir = session.run.results_dir
    except KeyboardInterrupt:
        return fail("interrupted; everything started was stopped", EXIT_INTERRUPTED)
    except WORLD_ERRORS as err:
        return fail(str(err), EXIT_FAILED)
    outcome = result.manager
    sys.stdout.write(f"{outcome.final_message or '(the manager gave no summary)'}\n\n")
    sys.stdout.write(
        f"manager: {outcome.steps} steps ({outcome.failed_steps} failed), {outcome.tokens} tokens, "
        f"{outcome.wall_seconds:.1f} s, ended by {outcome.ended_by}\ntranscripts: {results_dir}\n"
    )
    if llm.smoke_test:
        sys.stderr.write("This was a smoke test on SmolLM2-135M: the answer above means nothing.\n")
    return 0 if outcome.terminated else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
