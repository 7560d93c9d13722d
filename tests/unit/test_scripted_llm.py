"""The scripted LLM fixture speaks the OpenAI API well enough for the real `openai` client."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator

import openai
import pytest

from tests.scripted_llm import DEFAULT, Delayed, ScriptedLLM

Connect = Callable[..., openai.OpenAI]


@pytest.fixture
def client() -> Iterator[Connect]:
    """Makes `openai` clients for a ScriptedLLM, and closes them after the test."""
    opened: list[openai.OpenAI] = []

    def connect(llm: ScriptedLLM, api_key: str = "not-needed") -> openai.OpenAI:
        opened.append(openai.OpenAI(base_url=llm.base_url, api_key=api_key, max_retries=0, timeout=10))
        return opened[-1]

    yield connect
    for api in opened:
        api.close()


def chat(api: openai.OpenAI, system: str = "You are a helper.", user: str = "Go.") -> str | None:
    response = api.chat.completions.create(
        model="scripted-model",
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
    )
    return response.choices[0].message.content


def test_replies_come_in_order_then_terminate(client: Connect) -> None:
    with ScriptedLLM(["first", "second"]) as llm:
        api = client(llm)
        assert [chat(api), chat(api), chat(api)] == ["first", "second", "TERMINATE"]
        assert [recorded.reply for recorded in llm.requests] == ["first", "second", "TERMINATE"]
        assert llm.remaining() == {DEFAULT: []}


def test_a_response_reports_token_usage_and_the_request_is_recorded(client: Connect) -> None:
    with ScriptedLLM(["0123456789abcdef"]) as llm:
        response = client(llm).chat.completions.create(
            model=llm.model, messages=[{"role": "user", "content": "12345678"}], temperature=0
        )
        assert response.usage is not None
        assert (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.total_tokens) == (
            2,
            4,
            6,
        )
        assert response.choices[0].finish_reason == "stop"
        assert llm.requests[0].body["messages"] == [{"role": "user", "content": "12345678"}]
        assert llm.requests[0].body["temperature"] == 0


def test_each_agent_gets_its_own_script_by_a_marker_in_its_system_message(client: Connect) -> None:
    scripts = {"catalogue": ["c1", "c2"], "front-end": ["f1"], "manager": ["m1"]}
    with ScriptedLLM(scripts, default=["d1"]) as llm:
        api = client(llm)
        assert chat(api, "You maintain front-end.") == "f1"
        assert chat(api, "You maintain catalogue.") == "c1"
        assert chat(api, "You are the cluster manager.") == "m1"
        assert chat(api, "You maintain catalogue.") == "c2"
        assert chat(api, "You are a judge.") == "d1"
        assert chat(api, "You maintain front-end.") == "TERMINATE"
        assert [recorded.key for recorded in llm.requests] == [
            "front-end",
            "catalogue",
            "manager",
            "catalogue",
            DEFAULT,
            "front-end",
        ]


def test_a_route_function_replaces_marker_matching(client: Connect) -> None:
    def by_user_message(body: dict[str, object]) -> str | None:
        messages = body["messages"]
        assert isinstance(messages, list)
        return "loud" if "!" in messages[-1]["content"] else None

    with ScriptedLLM({"loud": ["LOUD"]}, default=["quiet"], route=by_user_message) as llm:
        api = client(llm)
        assert chat(api, user="hi!") == "LOUD"
        assert chat(api, user="hi") == "quiet"


def test_streaming_reassembles_the_reply_and_reports_usage(client: Connect) -> None:
    reply = "```bash\necho hello from a streamed reply\n```"
    with ScriptedLLM([reply]) as llm:
        stream = client(llm).chat.completions.create(
            model=llm.model,
            messages=[{"role": "user", "content": "Go."}],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = list(stream)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == reply
    assert len(chunks) > 3
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == (len(reply) + 3) // 4


def test_a_dict_reply_is_a_whole_message_with_tool_calls(client: Connect) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "report_result", "arguments": '{"ok": true}'}}
    with ScriptedLLM([{"tool_calls": [call]}]) as llm:
        response = client(llm).chat.completions.create(model=llm.model, messages=[{"role": "user", "content": "Go."}])
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert choice.message.tool_calls is not None
    made = choice.message.tool_calls[0]
    assert made.type == "function"
    assert made.function.name == "report_result"


def test_models_lists_the_scripted_model(client: Connect) -> None:
    with ScriptedLLM([], model="gpt-scripted") as llm:
        assert [model.id for model in client(llm).models.list()] == ["gpt-scripted"]


def test_a_wrong_key_is_rejected_like_a_real_api(client: Connect) -> None:
    with ScriptedLLM(["hi"], api_key="right") as llm:
        with pytest.raises(openai.AuthenticationError):
            client(llm, api_key="wrong").models.list()
        assert client(llm, api_key="right").models.list().data[0].id == llm.model


def test_unknown_paths_and_bad_json_get_http_errors() -> None:
    with ScriptedLLM([]) as llm:
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{llm.base_url}/embeddings", timeout=5)
        assert missing.value.code == 404
        missing.value.close()
        request = urllib.request.Request(f"{llm.base_url}/chat/completions", data=b"{not json", method="POST")
        with pytest.raises(urllib.error.HTTPError) as bad:
            urllib.request.urlopen(request, timeout=5)
        assert bad.value.code == 400
        with bad.value as answer:
            assert "not JSON" in json.load(answer)["error"]["message"]
        assert llm.requests == []


def test_the_port_is_closed_after_the_block() -> None:
    with ScriptedLLM([]) as llm:
        url = f"{llm.base_url}/models"
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


def test_a_delayed_reply_is_held_back_and_stopping_the_server_releases_it(client: Connect) -> None:
    with ScriptedLLM([Delayed(0.3, "slow"), Delayed(60, "never")]) as llm:
        began = time.monotonic()
        assert chat(client(llm)) == "slow"
        assert time.monotonic() - began >= 0.3
        assert llm.requests[0].delay == 0.3 and llm.holding.is_set()
        api = client(llm)

        def ask() -> None:
            with contextlib.suppress(openai.OpenAIError):
                chat(api)

        asking = threading.Thread(target=ask)
        llm.holding.clear()
        asking.start()
        assert llm.holding.wait(5)
    asking.join(5)
    assert not asking.is_alive()
