"""The paper's published tables as data: rows name real instances, and the summaries follow from the rows."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from src.config import REPO_ROOT
from src.experiment import list_instances

TABLES = yaml.safe_load((REPO_ROOT / "data" / "paper" / "tables.yaml").read_text())


def _fraction(rows: list[dict[str, Any]], key: str) -> tuple[int, int]:
    return sum(row[key][0] for row in rows), sum(row[key][1] for row in rows)


def test_every_row_names_an_instance_of_the_dataset() -> None:
    names = set(list_instances())
    for table in ("table3", "table4", "table5", "table6"):
        for row in TABLES[table]["rows"]:
            assert row["instance"] in names, (table, row)


def test_table3_summaries() -> None:
    for level, runs in ((1, 21), (2, 15)):
        rows = [row for row in TABLES["table3"]["rows"] if row["level"] == level]
        summary = TABLES["table3"]["summary"][f"L{level}"]
        passed = sum(sum(row["passed"]) for row in rows)
        assert [passed, runs] == summary["passed"]
        assert sum(sum(row["steps"]) for row in rows) / runs == pytest.approx(summary["steps"], abs=0.05)
        assert sum(sum(row["error_steps"]) for row in rows) / runs == pytest.approx(summary["error_steps"], abs=0.05)


def test_table4_summaries() -> None:
    rows, summary = TABLES["table4"]["rows"], TABLES["table4"]["summary"]
    for key in ("l3", "l4", "l5"):
        assert list(_fraction(rows, key)) == summary[key]
    counted = [row for row in rows if row["first"] is not None]
    assert [sum(row["first"] for row in counted), len(counted)] == summary["first"]
    assert [sum(row["overall"] for row in counted), len(counted)] == summary["overall"]
    steps = [step for row in counted for step in row["steps"]]  # the failed injection's trial is left out
    assert sum(steps) / len(steps) == pytest.approx(summary["steps_per_eval"], abs=0.05)


def test_table5_summaries() -> None:
    rows, summary = TABLES["table5"]["rows"], TABLES["table5"]["summary"]
    assert [sum(row["passed"] for row in rows), len(rows)] == summary["passed"]
    assert sum(row["rounds"] for row in rows) / len(rows) == pytest.approx(summary["rounds"], abs=0.05)
    assert sum(row["steps"] for row in rows) / len(rows) == pytest.approx(summary["steps"], abs=0.5)
    right, total = _fraction(rows, "assignment")
    published = summary["assignment"][0] / summary["assignment"][1]
    assert round(right / total, 2) == round(published, 2) == 0.87


def test_table6_summaries() -> None:
    rows, summary = TABLES["table6"]["rows"], TABLES["table6"]["summary"]
    for key in ("l3", "l4", "l5"):
        assert list(_fraction(rows, key)) == summary[key]
    assert [sum(row["overall"] for row in rows), len(rows)] == summary["overall"]
    assert sum(row["rounds"] for row in rows) / len(rows) == pytest.approx(summary["rounds"], abs=0.05)
    assert sum(row["steps"] for row in rows) / len(rows) == pytest.approx(summary["steps"], abs=0.5)
