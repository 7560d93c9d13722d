"""Which of the paper's tables each runner's records fill, and the paper's own numbers.

Tables 3-6 of the paper are one runner each: `low_level_L1_2` fills Table 3, `low_level_L3_4_5`
Table 4, `high_level_L1_2` Table 5 and `high_level_L3_4_5` Table 6. The published numbers are
data (`data/paper/tables.yaml`, whose header states the conventions), read as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..config import REPO_ROOT

PAPER_TABLES = REPO_ROOT / "data" / "paper" / "tables.yaml"
HINT_TRIALS = 3
"""The paper ran three trials of everything; the commands we suggest do the same."""


@dataclass(frozen=True)
class TableSpec:
    """Which runner's records fill which of the paper's tables, and the command that makes them."""

    number: int
    runner: str
    module: str

    @property
    def key(self) -> str:
        return f"table{self.number}"


SPECS = (
    TableSpec(3, "low_level_L1_2", "src.empirical_low_level_L1_2"),
    TableSpec(4, "low_level_L3_4_5", "src.empirical_low_level_L3_4_5"),
    TableSpec(5, "high_level_L1_2", "src.empirical_high_level_L1_2"),
    TableSpec(6, "high_level_L3_4_5", "src.empirical_high_level_L3_4_5"),
)
RUNNERS = tuple(spec.runner for spec in SPECS)
"""The runners whose records the report reads."""


def load_paper_tables(path: Path = PAPER_TABLES) -> dict[str, Any]:
    """The paper's published numbers (`data/paper/tables.yaml`; its header states the conventions)."""
    tables: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tables
