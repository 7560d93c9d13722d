"""`python -m src.report`: records become the paper's Tables 3-6, our numbers beside the published ones."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import src.report
from src.report import (
    NULL,
    RecordError,
    RecordFilter,
    RecordVersionError,
    Table,
    TrialRecord,
    build_table3,
    build_table4,
    build_table5,
    build_table6,
    build_tables,
    load_paper_tables,
    number_trials,
    parse_record,
    parse_since,
    to_csv,
    to_markdown,
)
from src.report.__main__ import main

PAPER = load_paper_tables()
START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def make_record(runner: str, instance: str, trial: int = 1, **fields: Any) -> dict[str, Any]:
    """A version-2 `record.json` document as docs/records.md describes it; `fields` override any key."""
    high = runner.startswith("high_level")
    faults = runner.endswith("L3_4_5")
    components = ["catalogue", "front-end"] if high else ["catalogue"]
    document: dict[str, Any] = {
        "version": 2,
        "runner": runner,
        "instance": instance,
        "title": instance.replace("_", " ").title(),
        "level": 5 if faults else 2,
        "components": components,
        "world": "twin",
        "model": "gpt-4-turbo",
        "seed": 42,
        "profile": {"name": "quick"},
        "trial": trial,
        "started_at": (START + timedelta(hours=trial)).isoformat(),
        "task_sent_at": (START + timedelta(hours=trial, minutes=1)).isoformat(),
        "task": "Keep the component healthy.",
        "phases": [{"name": "agent", "started_at": START.isoformat(), "seconds": 60.0}],
        "agents": {name: {"steps": 3, "failed_steps": 0, "tokens": 1000} for name in components},
        "steps": 3,
        "failed_steps": 0,
        "tokens": 1000,
        "actions": [],
        "report": "done",
        "scores": {"check": {"passed": True, "explanation": "ok", "evidence": {}}},
        "scores_before": {"check": {"passed": False, "explanation": "not yet", "evidence": {}}},
        "flags": [],
        "timeline": None,
        "passed": True,
        "error": None,
    }
    if high:
        document["rounds"] = []
    if faults:
        document["evaluations"] = []
        document["levels"] = {"l3": [0, 0], "l4": [0, 0], "l5": [0, 0], "first": None, "overall": None}
    return document | fields


def parsed(*documents: dict[str, Any]) -> list[TrialRecord]:
    return [parse_record(document, f"results/run-{index}/record.json") for index, document in enumerate(documents)]


def evaluations(*steps: int | None) -> list[dict[str, Any]]:
    return [{"index": index, "component": "catalogue", "steps": count} for index, count in enumerate(steps)]


def levels(l3: list[int], l4: list[int], l5: list[int], first: int | None, overall: int | None) -> dict[str, Any]:
    return {"l3": l3, "l4": l4, "l5": l5, "first": first, "overall": overall}


def rounds(*correct: list[bool]) -> list[dict[str, Any]]:
    return [
        {"round_id": index, "assignments": [{"component": "catalogue", "task": "t", "correct": c} for c in marks]}
        for index, marks in enumerate(correct)
    ]


def row(table: Table, *first_cells: str) -> dict[str, str]:
    """The row whose leading cells are `first_cells`, as column -> cell."""
    matches = [cells for cells in table.rows if cells[: len(first_cells)] == first_cells]
    assert len(matches) == 1, (first_cells, table.rows)
    return dict(zip(table.columns, matches[0], strict=True))


# Reading records


def test_parse_record_keeps_what_the_tables_need() -> None:
    document = make_record(
        "high_level_L3_4_5",
        "pod_failure",
        trial=2,
        rounds=rounds([True, False], [True]),
        evaluations=evaluations(4, None),
        levels=levels([1, 2], [0, 1], [1, 1], 1, 1),
    )
    record = parse_record(document, "r.json")
    assert (record.trial, record.rounds, record.assignments, record.evaluation_steps) == (2, 2, (2, 3), (4, None))
    assert record.levels is not None and (record.levels.l3, record.levels.first) == ((1, 2), 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"trial": None}, "'trial' is null, expected an integer"),
        ({"steps": "3"}, "'steps' is a string, expected an integer or null"),
        ({"passed": 1}, "'passed' is an integer, expected a boolean"),
        ({"runner": "mid_level"}, "unknown runner 'mid_level'"),
        ({"started_at": "yesterday"}, "'started_at' is not an ISO 8601 time"),
        ({"started_at": "2026-11-27T12:00:00"}, "'started_at' has no time zone"),
        ({"levels": levels([1], [0, 0], [0, 0], None, None)}, "'levels.l3' is not a fraction"),
        ({"levels": levels([1, 1], [0, 0], [0, 0], 2, None)}, "'levels.first' is not 0, 1 or null"),
        ({"evaluations": [3]}, "'evaluations[0]' is an integer, expected an object"),
    ],
)
def test_parse_record_names_the_bad_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_record(make_record("low_level_L3_4_5", "pod_failure") | change, "r.json")


def test_parse_record_rejects_missing_fields_and_other_versions() -> None:
    document = make_record("low_level_L1_2", "restart")
    del document["instance"]
    with pytest.raises(RecordError, match="no 'instance' field"):
        parse_record(document, "r.json")
    with pytest.raises(RecordVersionError, match="record version 1, this report reads version 2"):
        parse_record(make_record("low_level_L1_2", "restart", version=1), "r.json")
    with pytest.raises(RecordError, match="the record is a list"):
        parse_record([], "r.json")


def test_trials_keep_their_numbers_unless_series_repeat_them() -> None:
    own = parsed(make_record("low_level_L1_2", "restart", trial=3), make_record("low_level_L1_2", "restart", trial=1))
    assert [(number, record.trial) for number, record in number_trials(own)[0]] == [(1, 1), (3, 3)]
    assert number_trials(own)[1] is False
    later = (START + timedelta(days=1)).isoformat()
    repeated = parsed(
        make_record("low_level_L1_2", "restart", trial=1, started_at=later),
        make_record("low_level_L1_2", "restart", trial=2),
        make_record("low_level_L1_2", "restart", trial=1),
    )
    numbered, renumbered = number_trials(repeated)
    assert renumbered is True
    assert [(number, record.trial, record.started_at.day) for number, record in numbered] == [
        (1, 1, 27),
        (2, 2, 27),
        (3, 1, 28),
    ]


# Table 3


def test_table3_rows_and_level_averages() -> None:
    records = parsed(
        make_record("low_level_L1_2", "create_deployment", 1, steps=3, failed_steps=0),
        make_record("low_level_L1_2", "create_deployment", 2, steps=4, failed_steps=1, passed=False),
        make_record("low_level_L1_2", "create_deployment", 3, steps=5, failed_steps=0),
        make_record("low_level_L1_2", "restart", 1, steps=None, failed_steps=None, passed=False, error="twin died"),
        make_record("low_level_L1_2", "restart", 2, steps=6, failed_steps=2, passed=True, error="cleanup failed"),
        make_record("low_level_L3_4_5", "pod_failure"),  # another table's record
    )
    table = build_table3(records, PAPER)
    assert row(table, "1", "Deployment Creation") == {
        "Level": "1",
        "Task": "Deployment Creation",
        "Ours passed": "[1,0,1] 2/3",
        "Ours steps": "[3,4,5]",
        "Ours error steps": "[0,1,0]",
        "Ours notes": "",
        "Paper passed": "[1,1,1] 3/3",
        "Paper steps": "[3,4,4]",
        "Paper error steps": "[0,0,0]",
    }
    restart = row(table, "1", "Pod Restart")
    assert (restart["Ours passed"], restart["Ours steps"]) == ("[E,E] 0/0", f"[{NULL},6]")
    assert restart["Ours notes"] == "2 not counted (2 errors)"
    assert row(table, "1", "Roll Back")["Ours passed"] == "-"
    # L1: the errored runs are not trials of the agent: 2 of 3 passed; steps (3+4+5)/3; error steps (0+1+0)/3
    average = row(table, "1", "L1 avg")
    assert (average["Ours passed"], average["Ours steps"], average["Ours error steps"]) == ("2/3 (0.67)", "4.0", "0.3")
    assert average["Ours notes"] == "2 not counted (2 errors)"
    assert average["Paper passed"] == "21/21 (1.00)"
    assert row(table, "2", "L2 avg") == {
        "Level": "2",
        "Task": "L2 avg",
        "Ours passed": "-",
        "Ours steps": "-",
        "Ours error steps": "-",
        "Ours notes": "-",
        "Paper passed": "13/15 (0.87)",
        "Paper steps": "7.9",
        "Paper error steps": "0.3",
    }
    assert table.notes[0].startswith("E: the trial ended with an error; I: it was interrupted. Neither counts")
    assert any("restart trial 1: twin died (results/run-3/record.json)" in note for note in table.notes)
    assert "Not run yet: `python -m src.empirical_low_level_L1_2 --instance rollback --trials 3`" in table.notes
    assert table.intro == (
        "Ours: 5 record(s) of runner `low_level_L1_2` (model gpt-4-turbo; world twin). "
        "2 ended by an error or interrupted: shown, not counted."
    )


def test_table3_lists_tasks_the_paper_has_not() -> None:
    records = parsed(make_record("low_level_L1_2", "ping", level=1, title="Ping", passed=False))
    table = build_table3(records, PAPER)
    assert row(table, "1", "Ping")["Ours passed"] == "[0] 0/1"
    assert row(table, "1", "Ping")["Paper steps"] == "-"
    assert row(table, "1", "L1 avg")["Ours passed"] == "0/1 (0.00)"


def test_errored_and_interrupted_runs_are_shown_but_not_counted_as_trials() -> None:
    # the user's report: one failure, one error, one Ctrl-C read "[0,E,E] 0/3"
    records = parsed(
        make_record("low_level_L1_2", "restart", 1, passed=False, steps=4),
        make_record("low_level_L1_2", "restart", 2, passed=False, steps=None, error="TwinStartError: the twin died"),
        make_record(
            "low_level_L1_2",
            "restart",
            3,
            passed=False,
            steps=2,
            error="evaluation could not read the world: prometheus down; interrupted",
        ),
    )
    table = build_table3(records, PAPER)
    restart = row(table, "1", "Pod Restart")
    assert (restart["Ours passed"], restart["Ours steps"]) == ("[0,E,I] 0/1", f"[4,{NULL},2]")
    assert restart["Ours notes"] == "2 not counted (1 error, 1 interrupted)"
    assert (row(table, "1", "L1 avg")["Ours passed"], row(table, "1", "L1 avg")["Ours steps"]) == ("0/1 (0.00)", "4.0")
    assert any(note.startswith("E restart trial 2: TwinStartError") for note in table.notes)
    assert any(note.startswith("I restart trial 3: evaluation could not read the world") for note in table.notes)


def test_a_level_with_no_completed_run_has_no_average_but_says_why() -> None:
    records = parsed(make_record("low_level_L1_2", "restart", passed=False, error="interrupted"))
    table = build_table3(records, PAPER)
    assert row(table, "1", "Pod Restart")["Ours passed"] == "[I] 0/0"
    average = row(table, "1", "L1 avg")
    assert (average["Ours passed"], average["Ours notes"]) == ("-", "1 not counted (1 interrupted)")


def test_smoke_test_rows_are_marked_and_the_intro_warns() -> None:
    smoke = "SmolLM2-135M-Instruct.Q4_1"
    records = parsed(
        make_record("low_level_L1_2", "restart", 1, model=smoke),  # an older record: no smoke_test field
        make_record("low_level_L1_2", "create_deployment", 1, model=smoke, smoke_test=True),
        make_record("low_level_L1_2", "create_deployment", 2, smoke_test=False),
        make_record("low_level_L1_2", "manual_scaling", 1, model="my-model", smoke_test=True),
    )
    assert [record.smoke_test for record in records] == [True, True, False, True]
    table = build_table3(records, PAPER)
    assert row(table, "1", "Pod Restart")["Ours notes"] == "smoke test"
    assert row(table, "1", "Deployment Creation")["Ours notes"] == "smoke test: 1 of 2"
    assert table.intro.endswith("3 ran on the SmolLM2 smoke test: their numbers mean nothing.")
    per_trial = build_table4(parsed(make_record("low_level_L3_4_5", "pod_failure", model=smoke)), PAPER)
    assert row(per_trial, "Pod Failure", "1")["Ours notes"] == "smoke test"
    assert row(per_trial, "Avg")["Ours notes"] == "smoke test"


def test_an_interrupted_trial_of_a_per_trial_table_keeps_its_row_and_leaves_the_average() -> None:
    records = parsed(
        make_record(
            "high_level_L3_4_5",
            "cpu_stress",
            1,
            rounds=rounds([True]),
            steps=10,
            levels=levels([1, 1], [1, 1], [1, 1], 1, 1),
        ),
        make_record("high_level_L3_4_5", "cpu_stress", 2, rounds=rounds([False]), steps=90, error="interrupted"),
    )
    table = build_table6(records, PAPER)
    interrupted = row(table, "CPU Stress", "2")
    assert (interrupted["Ours overall"], interrupted["Ours notes"]) == ("I", "not counted (interrupted)")
    average = row(table, "Avg")
    assert [average[f"Ours {key}"] for key in ("rounds", "steps", "overall", "notes")] == [
        "1.0",
        "10.0",
        "1/1",
        "1 not counted (1 interrupted)",
    ]


# Series and filters


def test_the_suffix_comes_from_the_record_or_its_run_folder() -> None:
    document = make_record("low_level_L1_2", "restart")
    assert parse_record(document | {"suffix": "paper"}, "anywhere/record.json").suffix == "paper"
    folder = "results/restart-smoke-run-20261204-101010-t2/record.json"
    assert parse_record(document, folder).suffix == "smoke-run"
    assert parse_record(document, "results/restart-20261204-101010/record.json").suffix is None
    assert parse_record(document, "results/elsewhere/record.json").suffix is None


def test_series_of_different_suffixes_are_named_where_they_are_merged() -> None:
    records = [
        parse_record(make_record("low_level_L1_2", "restart", 1), "results/restart-smoke-20261201-100000/record.json"),
        parse_record(make_record("low_level_L1_2", "restart", 1), "results/restart-paper-20261202-100000/record.json"),
    ]
    table = build_table3(records, PAPER)
    assert "restart: series paper, smoke merged (`--suffix NAME` reports one)." in table.notes
    assert RecordFilter(suffixes=("paper",)).select(records) == [records[1]]


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-12-01T14:30", datetime(2026, 12, 1, 14, 30, tzinfo=UTC)),
        ("2026-12-01 14:30:00+01:00", datetime(2026, 12, 1, 13, 30, tzinfo=UTC)),
    ],
)
def test_since_is_a_date_or_a_datetime_in_utc_unless_it_says_otherwise(text: str, moment: datetime) -> None:
    assert parse_since(text) == moment


def test_a_filter_keeps_what_matches_every_field_it_sets() -> None:
    records = parsed(
        make_record("low_level_L1_2", "restart", 1, suffix="a"),  # START + 1 h
        make_record("low_level_L1_2", "restart", 3, suffix="b"),  # START + 3 h
        make_record("low_level_L1_2", "manual_scaling", 3, suffix="a"),
    )
    assert RecordFilter().select(records) == records and not RecordFilter().active
    assert RecordFilter(suffixes=("a",), instances=("restart",)).select(records) == records[:1]
    later = RecordFilter(since=START + timedelta(hours=2))
    assert later.select(records) == records[1:]
    assert later.describe(later.select(records), records) == (
        "Records: 2 of 3 kept (started since 2026-11-27T14:00:00+00:00)."
    )


# Table 4


def test_table4_rows_beside_the_paper_and_the_average() -> None:
    records = parsed(
        make_record(
            "low_level_L3_4_5",
            "pod_failure",
            1,
            evaluations=evaluations(5, 7, 9),
            levels=levels([3, 3], [1, 2], [1, 2], 0, 1),
            passed=True,
        ),
        make_record(
            "low_level_L3_4_5",
            "rising_traffic",
            1,
            evaluations=evaluations(30, 30, 30),  # a failed injection: left out of steps per evaluation
            levels=levels([2, 3], [0, 0], [0, 0], None, None),
            passed=False,
        ),
        make_record(
            "low_level_L3_4_5",
            "rising_traffic",
            2,
            evaluations=evaluations(2),
            levels=levels([1, 1], [1, 1], [0, 1], 0, None),
            passed=False,
            error="Prometheus went away",
        ),
    )
    table = build_table4(records, PAPER)
    assert row(table, "Pod Failure", "1") == {
        "Fault": "Pod Failure",
        "Trial": "1",
        "Ours steps": "[5,7,9]",
        "Ours L3": "3/3",
        "Ours L4": "1/2",
        "Ours L5": "1/2",
        "Ours first": "0",
        "Ours overall": "1",
        "Ours notes": "",
        "Paper steps": "[7,17,15]",
        "Paper L3": "3/3",
        "Paper L4": "2/3",
        "Paper L5": "0/3",
        "Paper first": "0",
        "Paper overall": "0",
    }
    assert row(table, "Pod Failure", "2")["Ours steps"] == "-"
    failed_injection = row(table, "Rising Traffic", "1")
    assert (failed_injection["Ours first"], failed_injection["Ours overall"]) == (NULL, NULL)
    assert row(table, "Rising Traffic", "2")["Ours overall"] == "E"
    assert row(table, "Rising Traffic", "2")["Ours notes"] == "not counted (error)"
    assert (row(table, "Rising Traffic", "2")["Paper first"], row(table, "Rising Traffic", "2")["Paper overall"]) == (
        NULL,
        NULL,
    )
    average = row(table, "Avg")
    # steps: (5+7+9)/3, the failed injection left out; the errored trial is not counted at all
    assert [average[f"Ours {key}"] for key in ("steps", "L3", "L4", "L5", "first", "overall", "notes")] == [
        "7.0",
        "5/6",
        "1/2",
        "1/2",
        "0/1",
        "1/1",
        "1 not counted (1 error)",
    ]
    assert [average[f"Paper {key}"] for key in ("steps", "L3", "L4", "L5", "first", "overall")] == [
        "8.8",
        "20/27",
        "6/12",
        "3/12",
        "2/8",
        "3/8",
    ]


def test_table4_extra_trials_and_faults_get_rows_of_their_own() -> None:
    records = parsed(
        make_record("low_level_L3_4_5", "pod_failure", 4, evaluations=evaluations(1)),
        make_record("low_level_L3_4_5", "memory_stress", 1, title="Memory Stress", evaluations=evaluations(2)),
    )
    table = build_table4(records, PAPER)
    names = [cells[:2] for cells in table.rows]
    assert names.index(("Pod Failure", "4")) == names.index(("Pod Failure", "3")) + 1
    assert names[-2:] == [("Memory Stress", "1"), ("Avg", "")]
    assert row(table, "Pod Failure", "4")["Paper steps"] == "-"
    assert row(table, "Memory Stress", "1")["Ours steps"] == "[2]"


# Tables 5 and 6


def test_table5_rounds_assignments_and_passed() -> None:
    records = parsed(
        make_record(
            "high_level_L1_2", "high_reduce_latency_catalogue", 1, rounds=rounds([True], [True, False]), steps=20
        ),
        make_record(
            "high_level_L1_2", "high_reduce_latency_catalogue", 2, rounds=rounds([True]), steps=9, passed=False
        ),
        make_record("high_level_L1_2", "high_reduce_latency_group", 1, rounds=[], steps=None, error="broker down"),
    )
    table = build_table5(records, PAPER)
    assert row(table, "Latency Reduction-Cat.", "1") == {
        "Task": "Latency Reduction-Cat.",
        "Trial": "1",
        "Ours rounds": "2",
        "Ours steps": "20",
        "Ours assignment": "2/3",
        "Ours passed": "1",
        "Ours notes": "",
        "Paper rounds": "3",
        "Paper steps": "19",
        "Paper assignment": "3/3",
        "Paper passed": "1",
    }
    group = row(table, "Latency Reduction-Group", "1")
    assert [group[f"Ours {key}"] for key in ("rounds", "steps", "assignment", "passed")] == ["0", NULL, "0/0", "E"]
    average = row(table, "Avg")
    assert [average[f"Ours {key}"] for key in ("rounds", "steps", "assignment", "passed", "notes")] == [
        "1.5",
        "14.5",
        "3/4",
        "1/2",
        "1 not counted (1 error)",
    ]
    assert [average[f"Paper {key}"] for key in ("rounds", "steps", "assignment", "passed")] == [
        "3.2",
        "31",
        "34/39",
        "7/12",
    ]


def test_table6_levels_per_trial_and_average() -> None:
    records = parsed(
        make_record(
            "high_level_L3_4_5",
            "cpu_stress",
            1,
            rounds=rounds([True], [True], [False]),
            steps=40,
            levels=levels([2, 2], [1, 2], [1, 2], 1, 1),
        ),
        make_record(
            "high_level_L3_4_5",
            "cpu_stress",
            2,
            rounds=rounds([True]),
            steps=10,
            levels=levels([0, 1], [0, 0], [0, 0], None, None),
            passed=False,
        ),
    )
    table = build_table6(records, PAPER)
    assert row(table, "CPU Stress", "1") == {
        "Fault": "CPU Stress",
        "Trial": "1",
        "Ours rounds": "3",
        "Ours steps": "40",
        "Ours L3": "2/2",
        "Ours L4": "1/2",
        "Ours L5": "1/2",
        "Ours overall": "1",
        "Ours notes": "",
        "Paper rounds": "5",
        "Paper steps": "61",
        "Paper L3": "3/4",
        "Paper L4": "1/3",
        "Paper L5": "1/3",
        "Paper overall": "1",
    }
    assert row(table, "CPU Stress", "2")["Ours overall"] == NULL
    average = row(table, "Avg")
    assert [average[f"Ours {key}"] for key in ("rounds", "steps", "L3", "L4", "L5", "overall")] == [
        "2.0",
        "25.0",
        "2/3",
        "1/2",
        "1/2",
        "1/1",
    ]
    assert [average[f"Paper {key}"] for key in ("rounds", "steps", "L3", "L4", "L5", "overall")] == [
        "3.3",
        "45",
        "9/10",
        "4/8",
        "8/19",
        "6/9",
    ]


# With no records, markdown and CSV


def test_a_table_without_records_shows_the_paper_and_the_commands() -> None:
    table = build_table4([], PAPER)
    assert table.intro == "No records of ours yet (runner `low_level_L3_4_5`); the paper's numbers only."
    assert row(table, "Pod Failure", "1")["Ours steps"] == ""
    assert row(table, "Avg")["Ours overall"] == ""
    assert "Not run yet: `python -m src.empirical_low_level_L3_4_5 --instance pod_failure --trials 3`" in table.notes
    assert table.notes[-1].startswith("Paper: L4 and L5 count only evaluations")


def test_markdown_and_csv_hold_the_same_rows() -> None:
    records = parsed(make_record("low_level_L3_4_5", "pod_failure", evaluations=evaluations(4)))
    table = build_table4(records, PAPER)
    text = to_markdown(table)
    lines = text.splitlines()
    assert (
        lines[0]
        == "## Table 4: Low-level autonomic agent (Catalogue), L3-L5, three trials of three consecutive evaluations"
    )
    header = next(line for line in lines if line.startswith("| Fault"))
    assert [cell.strip() for cell in header.strip("|").split("|")] == list(table.columns)
    assert len({len(line) for line in lines if line.startswith("|")}) == 1  # padded: columns line up
    assert any(line.startswith("| Pod Failure    | 1     | [4]") for line in lines)
    assert "| –" in text  # the first and overall a record leaves null
    parsed_csv = list(csv.reader(io.StringIO(to_csv(table))))
    assert parsed_csv == [list(table.columns), *map(list, table.rows)]


def test_every_table_is_built() -> None:
    assert [table.key for table in build_tables([], PAPER)] == ["table3", "table4", "table5", "table6"]


# The entry


def write(folder: Path, document: Any) -> Path:
    folder.mkdir(parents=True)
    path = folder / "record.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_main_without_records_prints_the_paper_and_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "results").mkdir()
    assert main([str(tmp_path / "results"), "--out", str(tmp_path / "report")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"No version-2 record.json found under {tmp_path / 'results'}. Records are made by")
    assert "python -m src.empirical_high_level_L3_4_5" in out
    assert "| Pod Failure    | 1     |" in out
    assert sorted(path.name for path in (tmp_path / "report").iterdir()) == [
        "table3.csv",
        "table4.csv",
        "table5.csv",
        "table6.csv",
    ]


def test_main_reads_records_writes_csv_and_skips_other_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "results" / "restart-a" / "nested", make_record("low_level_L1_2", "restart", steps=7))
    old = write(tmp_path / "results" / "old", make_record("low_level_L1_2", "rollback", version=1))
    record_file = tmp_path / "results" / "restart-a" / "nested" / "record.json"
    out_dir = tmp_path / "report"
    assert main([str(tmp_path / "results"), str(record_file), "--out", str(out_dir)]) == 0
    captured = capsys.readouterr()
    assert f"warning: {old}: record version 1, this report reads version 2; skipped" in captured.err
    assert "Ours: 1 record(s) of runner `low_level_L1_2`" in captured.out  # the file given twice counts once
    rows = list(csv.DictReader(io.StringIO((out_dir / "table3.csv").read_text())))
    restart = next(cells for cells in rows if cells["Task"] == "Pod Restart")
    assert (restart["Ours passed"], restart["Ours steps"], restart["Paper steps"]) == ("[1] 1/1", "[7]", "[4,5,5]")


def test_main_reports_only_the_series_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results"
    write(results / "restart-smoke-20261127-130000", make_record("low_level_L1_2", "restart", 1, passed=False))
    write(results / "restart-paper-20261128-130000", make_record("low_level_L1_2", "restart", 1, steps=7))
    write(results / "manual_scaling-paper-20261128-140000", make_record("low_level_L1_2", "manual_scaling", 1))
    argv = [str(results), "--out", str(tmp_path / "report"), "--suffix", "paper", "--since", "2026-11-27"]
    assert main([*argv, "--instance", "restart"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Records: 1 of 3 kept (suffix paper; started since 2026-11-27T00:00:00+00:00; instance restart).\n"
    )
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report" / "table3.csv").read_text())))
    restart = next(cells for cells in rows if cells["Task"] == "Pod Restart")
    assert (restart["Ours passed"], restart["Ours steps"]) == ("[1] 1/1", "[7]")
    assert next(cells for cells in rows if cells["Task"] == "Manual Scaling")["Ours passed"] == "-"


def test_main_rejects_a_since_that_is_no_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path), "--since", "last week"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: argument --since: not a date or datetime: 'last week'")


def test_main_names_a_malformed_record_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path / "run", '{"version": 2,')
    assert main([str(tmp_path), "--out", str(tmp_path / "report")]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {broken}: not valid JSON (")
    assert error.count("\n") == 1
    assert not (tmp_path / "report").exists()


def test_main_names_a_record_with_a_wrong_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path / "run", make_record("low_level_L1_2", "restart", steps="many"))
    assert main([str(bad), "--out", str(tmp_path / "report")]) == 2
    assert capsys.readouterr().err == f"error: {bad}: 'steps' is a string, expected an integer or null\n"


def test_main_rejects_a_path_that_does_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "report")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'nowhere'}: no such file or folder\n"


def test_the_package_exports_exactly_its_public_names() -> None:
    assert sorted(src.report.__all__) == sorted(
        [
            *("ERROR", "EXIT_BAD_INPUT", "HINT_TRIALS", "INTERRUPTED", "NOT_RUN", "NULL", "PAPER_TABLES"),
            *("RECORD_VERSION", "SPECS", "Levels", "RecordError", "RecordFilter", "RecordVersionError"),
            *("ReportInputError", "Table", "TableSpec", "TrialRecord", "parse_since"),
            *("build_table3", "build_table4", "build_table5", "build_table6", "build_tables"),
            *("find_records", "load_paper_tables", "load_record", "number_trials", "parse_record", "read_records"),
            *("markdown_report", "to_csv", "to_markdown", "write_report"),
        ]
    )
    assert all(hasattr(src.report, name) for name in src.report.__all__)
