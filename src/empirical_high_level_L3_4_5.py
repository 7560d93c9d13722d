"""`python -m src.empirical_high_level_L3_4_5 --instance pod_failure`: the ClusterManager on a fault.

The fault instance is injected while Locust loads front-end; the manager gets the group health
Progress goes to stderr; one summary line per trial to stdout. See docs/records.md.
"""

from __future__ import annotations

import sys

from .experiment import RunnerKind, run_entry

KIND = RunnerKind("empirical_high_level_L3_4_5", "high", (3, 4, 5), "run_high_level_trial")


def main(argv: list[str] | None = None) -> int:
    return run_entry(KIND, __doc__ or "", argv)


if __name__ == "__main__":
    sys.exit(main())
