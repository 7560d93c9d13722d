"""`python -m src.working_mechanism_1 --task '...' --component catalogue`: one maintainer, one task.

The task goes to the component's maintainer over RabbitMQ, as a round of the message collector;
the maintainer's report comes back through the collector and is printed on stdout. The world is
the current one (a running twin is reused; otherwise one is started and stopped afterwards).
Progress goes to stderr; the transcript to `results/<run>/<component>.md`.
"""

from __future__ import annotations

import sys

from .agent.mechanisms import working_mechanism_1


def main(argv: list[str] | None = None) -> int:
    return working_mechanism_1(__doc__ or "", argv)


if __name__ == "__main__":
    sys.exit(main())
