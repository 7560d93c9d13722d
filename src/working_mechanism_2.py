"""`python -m src.working_mechanism_2 --task '...' --components catalogue,front-end`: manager + maintainers.

The cluster manager gets the task over RabbitMQ and assigns rounds of tasks to the maintainers of
the listed components through the message collector; each maintainer consumes its queue on a
thread of its own. The run ends when the manager says TERMINATE, runs out of turns, or after
`--timeout` seconds; then everything started is stopped. The manager's summary is printed on
stdout; progress goes to stderr and transcripts to `results/<run>/`.
"""

from __future__ import annotations

import sys

from .agent import StreamProgress, load_catalog, parse_components, run_hierarchy
from .agent._cli import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    INPUT_ERRORS,
    WORLD_ERRORS,
    OneLineParser,
    add_common_arguments,
    announce,
    check_task,
    fail,
    in_session,
    load_inputs,
)


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m src.working_mechanism_2", description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--components", required=True, help="comma-separated components with a maintainer")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds the whole run may take (default 900)")
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog()
        task = check_task(args.task)
        components = parse_components(args.components, catalog)
        inputs = load_inputs(args)
    except INPUT_ERRORS as err:
        return fail(str(err), EXIT_BAD_INPUT)
    announce(inputs.llm)
    progress = StreamProgress()
    try:
        result, results_dir = in_session(
            inputs,
            components,
            args,
            lambda session: run_hierarchy(
                session, inputs.agents, catalog, components, task, timeout=args.timeout, progress=progress
            ),
        )
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
    if inputs.llm.smoke_test:
        sys.stderr.write("This was a smoke test on SmolLM2-135M: the answer above means nothing.\n")
    return 0 if outcome.terminated else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
