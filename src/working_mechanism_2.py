"""`python -m src.working_mechanism_2 --task '...' --components catalogue,front-end`: manager + maintainers.

The cluster manager gets the task over RabbitMQ and assigns rounds of tasks to the maintainers of
the listed components through the message collector; each maintainer consumes its queue on a
thread of its own. The run ends when the manager says TERMINATE, runs out of turns, or after
`--timeout` seconds; then everything started is stopped. The manager's summary is printed on
stdout; progress goes to stderr and transcripts to `results/<run>/`.
"""

from __future__ import annotations

import sys

from .agent.mechanisms import working_mechanism_2


def main(argv: list[str] | None = None) -> int:
    return working_mechanism_2(__doc__ or "", argv)


if __name__ == "__main__":
    sys.exit(main())
