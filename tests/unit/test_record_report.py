"""`record.json`'s `report`: the agent's answer and its last words, each once."""

from __future__ import annotations

from pathlib import Path

import pytest

from src.agent import AgentOutcome, ServiceMaintainer, SingleResult
from src.config import AgentSettings, load_settings
from src.experiment import QUICK, RunRecord
from src.experiment._low_level import note_outcome
from src.messaging import Message, MessageType, RoundResult
from tests.scripted_llm import ScriptedLLM
from tests.unit.test_agent_maintainer import CATALOGUE, _run


@pytest.fixture
def agents() -> AgentSettings:
    return load_settings().agents


def _report(answer: Message | None, outcome: AgentOutcome) -> str | None:
    record = RunRecord("manual_scaling", 1, "twin", "scripted-model", 42, QUICK.as_record())
    responses = {"catalogue": answer} if answer is not None else {}
    note_outcome(record, SingleResult(RoundResult("r1", responses, [], 60.0), outcome), "catalogue")
    return record.report


def _answer(body: str) -> Message:
    return Message("run", "r1", "catalogue", "manager", MessageType.RESPONSE, body)


def _outcome(final: str) -> AgentOutcome:
    return AgentOutcome(steps=3, failed_steps=0, tokens=10, final_message=final, terminated=True)


def test_the_answer_the_harness_sent_for_a_silent_agent_does_not_repeat_its_last_words(
    tmp_path: Path, agents: AgentSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Message] = []
    monkeypatch.setattr("src.agent._maintainer.send_to_collector", lambda message, environ: sent.append(message))
    with ScriptedLLM({CATALOGUE: ["catalogue runs 1 replica, all Ready.\nTERMINATE"]}) as llm:
        maintainer = ServiceMaintainer("catalogue", agents, _run(tmp_path, llm.settings()))
        outcome = maintainer.solve("How many replicas?", round_id="r1", reply=True)
    [fallback] = sent
    assert "Its last message: catalogue runs 1 replica, all Ready." in fallback.body
    assert outcome.reported_by_harness
    report = _report(fallback, outcome)
    assert report == fallback.body and "without calling report_result" in report
    assert report.count("catalogue runs 1 replica, all Ready.") == 1


def test_the_agents_own_answer_comes_first_and_last_words_that_repeat_it_are_not_added() -> None:
    answer = _answer("catalogue runs 2 replicas.")
    assert _report(answer, _outcome("The report was sent.")) == "catalogue runs 2 replicas.\n\nThe report was sent."
    assert _report(answer, _outcome("catalogue runs 2 replicas.")) == "catalogue runs 2 replicas."
    assert _report(None, _outcome("I could not finish.")) == "I could not finish."
