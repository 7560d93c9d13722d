"""The answer cache of `--cache_seed`: a second run of the same conversation asks the LLM nothing."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest
from openai.types.chat import ChatCompletion

from src.agent import AgentOutcome, ServiceMaintainer
from src.agent._cache import ResponseCache, response_cache
from src.config import AgentSettings, load_settings
from src.llm import LLMSettings
from tests.scripted_llm import ScriptedLLM
from tests.unit.test_agent_maintainer import CATALOGUE, _run

SCRIPT = ["Plan: look, then report.", "```bash\necho fine\n```", "All fine.\nTERMINATE"]


@pytest.fixture
def agents() -> AgentSettings:
    return load_settings().agents


def _solve(tmp_path: Path, agents: AgentSettings, seed: int | None) -> tuple[AgentOutcome, int]:
    """One run of the scripted conversation against a fresh server; the outcome and the requests it got."""
    with ScriptedLLM({CATALOGUE: SCRIPT}) as llm:
        settings = dataclasses.replace(llm.settings(cache_seed=seed), cache_dir=tmp_path / "cache")
        outcome = ServiceMaintainer("catalogue", agents, _run(tmp_path, settings)).solve("Is catalogue healthy?")
        return outcome, len(llm.requests)


def test_a_second_run_with_the_same_seed_asks_the_llm_nothing_and_nothing_warns(
    tmp_path: Path, agents: AgentSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    first, asked_first = _solve(tmp_path, agents, 42)
    second, asked_second = _solve(tmp_path, agents, 42)
    assert (asked_first, asked_second) == (3, 0)
    assert (second.steps, second.final_message, second.terminated) == (3, "All fine.", True)
    assert second.tokens == first.tokens > 0
    assert len(list((tmp_path / "cache" / "42").glob("*.json"))) == 3
    assert not [record for record in caplog.records if "Cache" in record.getMessage()]


def test_another_seed_or_no_seed_asks_the_llm_again(tmp_path: Path, agents: AgentSettings) -> None:
    _solve(tmp_path, agents, 42)
    assert _solve(tmp_path, agents, 7)[1] == 3
    assert _solve(tmp_path, agents, None)[1] == 3
    assert sorted(path.name for path in (tmp_path / "cache").iterdir()) == ["42", "7"]


def test_the_transcript_names_the_cache(tmp_path: Path, agents: AgentSettings) -> None:
    _solve(tmp_path, agents, 42)
    [transcript] = tmp_path.glob("*/catalogue.md")
    assert f"- **LLM cache**: seed 42, `{tmp_path / 'cache' / '42'}`" in transcript.read_text()
    assert response_cache(LLMSettings(backend="OpenAI", model="m")) is None


def _completion(text: str) -> ChatCompletion:
    message = {"role": "assistant", "content": text}
    choice = {"index": 0, "message": message, "finish_reason": "stop"}
    return ChatCompletion.model_validate(
        {"id": "c1", "object": "chat.completion", "created": 0, "model": "m", "choices": [choice], "cost": 0.5}
    )


def test_an_entry_is_plain_json_keyed_by_the_whole_request(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    key = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    with cache as open_cache:
        open_cache.set(key, _completion("hello"))
    [path] = tmp_path.iterdir()
    entry = json.loads(path.read_text())
    assert (entry["key"], entry["value"]["choices"][0]["message"]["content"]) == (key, "hello")
    answer = cache.get(dict(reversed(key.items())))
    assert isinstance(answer, ChatCompletion)
    assert (answer.choices[0].message.content, answer.cost) == ("hello", 0.5)  # type: ignore[attr-defined]
    assert cache.get({**key, "model": "other"}, "miss") == "miss"


def test_an_unreadable_entry_is_a_miss_and_only_completions_are_stored(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    cache.set("k", _completion("hello"))
    cache.path("k").write_text("{not json")
    assert cache.get("k") is None
    cache.set("k", _completion("again"))
    assert cache.get("k").choices[0].message.content == "again"  # type: ignore[union-attr]
    with pytest.raises(TypeError, match="stores OpenAI chat completions, not dict"):
        cache.set("k", {"content": "a dict"})
