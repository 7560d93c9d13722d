"""The paper's L3-L5 columns from a trial's evaluations, side effects on other components, and the summary line."""

from __future__ import annotations

from typing import Any

from src.evaluate import changed_deployments, flag_foreign_changes
from src.experiment import QUICK, RunRecord
from src.experiment.scoring import tally_levels


def _score(passed: bool) -> dict[str, Any]:
    return {"passed": passed, "explanation": "", "evidence": {}}


def _evaluation(issue: bool, l3: bool, l4: bool | None = None, l5: bool | None = None) -> dict[str, Any]:
    return {
        "issue_present": issue,
        "l3": _score(l3),
        "l4": None if l4 is None else _score(l4),
        "l5": None if l5 is None else _score(l5),
    }


def test_l4_and_l5_count_only_evaluations_where_an_issue_was_present() -> None:
    evaluations = [
        _evaluation(True, True, False, False),
        _evaluation(True, True, True, True),
        _evaluation(False, False),
    ]
    levels = tally_levels(evaluations, final_passed=True)
    assert levels == {"l3": [2, 3], "l4": [1, 2], "l5": [1, 2], "first": 0, "overall": 1}


def test_a_failed_injection_has_no_first_and_no_overall() -> None:
    levels = tally_levels([_evaluation(False, True), _evaluation(False, True)], final_passed=True)
    assert levels == {"l3": [2, 2], "l4": [0, 0], "l5": [0, 0], "first": None, "overall": None}


def test_an_issue_that_appears_later_still_counts_overall_but_not_first() -> None:
    levels = tally_levels([_evaluation(False, True), _evaluation(True, False, False, False)], final_passed=False)
    assert (levels["first"], levels["overall"]) == (None, 0)


def _deployment(replicas: int = 1, image: str = "catalogue:0.3.5") -> dict[str, Any]:
    return {"replicas": replicas, "containers": {"main": {"image": image, "resources": {}, "env": []}}}


def test_changes_to_other_components_are_flagged_and_own_changes_are_not() -> None:
    before = {"catalogue": _deployment(), "front-end": _deployment(), "carts": _deployment()}
    after = {"catalogue": _deployment(3), "front-end": _deployment(image="front-end:x"), "user": _deployment()}
    assert changed_deployments(before, after) == {
        "carts": ["deleted"],
        "catalogue": ["replicas 1 -> 3"],
        "front-end": ["main image changed"],
        "user": ["created"],
    }
    flags = flag_foreign_changes(before, after, ["catalogue"])
    assert [flag.split(":")[0] for flag in flags] == ["carts", "front-end", "user"]


def _record(**fields: Any) -> RunRecord:
    record = RunRecord("pod_failure", 5, "twin", "m", None, QUICK.as_record())
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def test_the_summary_line_speaks_the_paper_s_terms() -> None:
    levels = {"l3": [2, 3], "l4": [1, 2], "l5": [1, 2], "first": None, "overall": 1}
    assert _record(levels=levels).summary() == "L3 2/3, L4 1/2, L5 1/2, first -, overall 1"
    rounds = [{"assignments": [{"correct": True}, {"correct": False}]}, {"assignments": [{"correct": True}]}]
    assert _record(rounds=rounds, steps=9, passed=True, scores={"slo": {}}).summary() == (
        "2 rounds, 9 steps, assignment 2/3, passed"
    )
    assert _record(error="interrupted").summary() == "error: interrupted"
    assert _record().summary() == "not scored"


def test_an_issue_seen_after_the_injection_counts_overall_even_when_no_answer_found_one() -> None:
    levels = tally_levels([_evaluation(False, True)], final_passed=True, issue_seen=True)
    assert (levels["first"], levels["overall"]) == (None, 1)
