"""`python -m src.empirical_low_level_L1_2 --instance manual_scaling --suffix stable`: low-level L1/L2 trials.

Each trial resets Sock Shop to the instance's manifests, puts Locust load on the component, waits
Progress goes to stderr; one summary line per trial to stdout. See docs/records.md.
"""

from __future__ import annotations

import sys

from .experiment import RunnerKind, run_entry

KIND = RunnerKind("empirical_low_level_L1_2", "low", (1, 2), "run_low_level_trial")


def main(argv: list[str] | None = None) -> int:
    return run_entry(KIND, __doc__ or "", argv)


if __name__ == "__main__":
    sys.exit(main())
