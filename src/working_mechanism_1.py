"""`python -m src.working_mechanism_1 --task '...' --component catalogue`: one maintainer, one task.

The task goes to the component's maintainer over RabbitMQ, as a round of the message collector;
the maintainer's report comes back through the collector and is printed on stdout. The world is
the current one (a running twin is reused; otherwise one is started and stopped afterwards).
Progress goes to stderr; the transcript to `results/<run>/<component>.md`.
"""

from __future__ import annotations

import sys

from .agent import StreamProgress, load_catalog, run_single
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
    parser = OneLineParser(prog="python -m src.working_mechanism_1", description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--component", required=True, help="the component whose maintainer gets the task")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the report (default 900)")
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog()
        task = check_task(args.task)
        if args.component not in catalog.components:
            raise ValueError(f"unknown component {args.component!r}; known: {', '.join(catalog.components)}")
        inputs = load_inputs(args)
    except INPUT_ERRORS as err:
        return fail(str(err), EXIT_BAD_INPUT)
    announce(inputs.llm)
    progress = StreamProgress()
    try:
        result, results_dir = in_session(
            inputs,
            [args.component],
            args,
            lambda session: run_single(
                session, inputs.agents, catalog, args.component, task, timeout=args.timeout, progress=progress
            ),
        )
    except KeyboardInterrupt:
        return fail("interrupted; everything started was stopped", EXIT_INTERRUPTED)
    except WORLD_ERRORS as err:
        return fail(str(err), EXIT_FAILED)
    sys.stdout.write(result.round.render() + "\n")
    if result.outcome is not None:
        outcome = result.outcome
        sys.stdout.write(
            f"\n{args.component}: {outcome.steps} steps ({outcome.failed_steps} failed), {outcome.tokens} tokens, "
            f"{outcome.wall_seconds:.1f} s, ended by {outcome.ended_by}\n"
        )
    sys.stdout.write(f"transcript: {results_dir / f'{args.component}.md'}\n")
    if inputs.llm.smoke_test:
        sys.stderr.write("This was a smoke test on SmolLM2-135M: the answer above means nothing.\n")
    return 0 if result.round.responses else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
