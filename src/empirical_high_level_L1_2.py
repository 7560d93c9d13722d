"""`python -m src.empirical_high_level_L1_2 --instance high_reduce_latency_group`: the ClusterManager on L1/L2 tasks.

The manager gets the instance's task (or a free-text --task) and assigns rounds to the maintainers
Progress goes to stderr; one summary line per trial to stdout. See docs/records.md.
"""

from __future__ import annotations

import sys

from .experiment import RunnerKind, run_entry

KIND = RunnerKind("empirical_high_level_L1_2", "high", (1, 2), "run_high_level_trial")


def main(argv: list[str] | None = None) -> int:
    return run_entry(KIND, __doc__ or "", argv)


if __name__ == "__main__":
    sys.exit(main())
