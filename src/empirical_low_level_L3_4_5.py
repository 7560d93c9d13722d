"""`python -m src.empirical_low_level_L3_4_5 --instance cpu_stress --suffix stable`: low-level L3-L5 fault trials.

Each trial resets Sock Shop, loads the component, takes an SLO baseline, injects the instance's
Progress goes to stderr; one summary line per trial to stdout. See docs/records.md.
"""

from __future__ import annotations

import sys

from .experiment import RunnerKind, run_entry

KIND = RunnerKind("empirical_low_level_L3_4_5", "low", (3, 4, 5), "run_fault_trial")


def main(argv: list[str] | None = None) -> int:
    return run_entry(KIND, __doc__ or "", argv)


if __name__ == "__main__":
    sys.exit(main())
