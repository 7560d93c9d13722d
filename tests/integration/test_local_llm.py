"""The LLM stack end to end: the embedded llama.cpp server with SmolLM2, and AG2 driving a scripted LLM."""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import openai
import psutil
import pytest
from autogen import ConversableAgent, GroupChat, GroupChatManager, UserProxyAgent
from autogen.coding import LocalCommandLineCodeExecutor

from src.llm import LLMUnavailable, LocalServer, _secrets, check_endpoint, find_smollm2_gguf, load_llm_settings, serve
from tests.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.integration

logger = logging.getLogger(__name__)


def test_the_default_local_model_serves_chat_completions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_secrets, "DEFAULT_SECRET_PATH", tmp_path / "absent.yaml")
    settings = load_llm_settings(None, None)
    assert settings.smoke_test
    assert find_smollm2_gguf().name == "SmolLM2-135M-Instruct.Q4_1.gguf"

    began = time.monotonic()
    with serve(settings) as ready:
        started = time.monotonic() - began
        assert check_endpoint(ready) == ["SmolLM2-135M-Instruct.Q4_1"]
        with openai.OpenAI(base_url=ready.base_url, api_key="not-needed", max_retries=0, timeout=60) as client:
            began = time.monotonic()
            response = client.chat.completions.create(
                model=ready.model,
                messages=[{"role": "user", "content": "Name one colour."}],
                max_tokens=12,
                temperature=0,
            )
            answered = time.monotonic() - began

        config = ready.llm_config()
        config["config_list"][0]["max_tokens"] = 12
        agent = ConversableAgent("planner", llm_config=config, human_input_mode="NEVER")
        reply = agent.generate_reply(messages=[{"role": "user", "content": "Say hello."}])
        models_url = f"{ready.base_url}/models"
    logger.warning("SmolLM2-135M: server ready in %.2f s, 12-token answer in %.2f s", started, answered)

    assert response.choices[0].message.content
    assert response.usage is not None
    assert 0 < response.usage.completion_tokens <= 12
    assert isinstance(reply, str | dict) and reply
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(models_url, timeout=2)


def test_a_file_that_is_not_a_model_fails_with_one_clear_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF" + b"\0" * 64)
    server = LocalServer(junk, context_size=512)
    with pytest.raises(LLMUnavailable, match=r"llama\.cpp could not load .*junk\.gguf with context_size 512"):
        server.start()
    with pytest.raises(LLMUnavailable, match="not running"):
        _ = server.base_url


def test_ag2_planner_and_executor_run_a_scripted_bash_step(tmp_path: Path) -> None:
    def says_terminate(message: dict[str, Any]) -> bool:
        return "TERMINATE" in (message.get("content") or "")

    script = ["I will greet.\n```bash\necho hello\n```", "The command printed hello. TERMINATE"]
    with ScriptedLLM({"planner": script}) as llm:
        planner = ConversableAgent(
            "planner",
            system_message="You are the planner. Write one bash block per step.",
            llm_config=llm.settings().llm_config(),
            human_input_mode="NEVER",
            is_termination_msg=says_terminate,
        )
        executor = UserProxyAgent(
            "executor",
            human_input_mode="NEVER",
            code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=30)},
            is_termination_msg=says_terminate,
        )
        chat = GroupChat(agents=[planner, executor], messages=[], max_round=8, speaker_selection_method="round_robin")
        manager = GroupChatManager(chat, llm_config=False, is_termination_msg=says_terminate)
        executor.initiate_chat(manager, message="Print hello with bash.")

    speakers = [(message["name"], message["content"]) for message in chat.messages]
    assert [name for name, _ in speakers] == ["executor", "planner", "executor", "planner"]
    assert "exitcode: 0" in speakers[2][1]
    assert "hello" in speakers[2][1]
    assert speakers[-1][1].endswith("TERMINATE")
    assert [recorded.key for recorded in llm.requests] == ["planner", "planner"]
    assert llm.remaining()["planner"] == []
    assert llm.requests[1].body["messages"][0]["content"].startswith("You are the planner.")
    usage: dict[str, Any] | None = planner.get_total_usage()
    assert usage is not None
    assert usage["scripted-model"]["completion_tokens"] > 0


def _local_children() -> list[psutil.Process]:
    return [child for child in psutil.Process().children() if "src.llm._local_child" in " ".join(child.cmdline())]


def test_stopping_the_local_server_cuts_a_reply_in_flight_off_at_once() -> None:
    failures: list[BaseException] = []

    def ask(server: LocalServer) -> None:
        with openai.OpenAI(base_url=server.base_url, api_key="not-needed", max_retries=0, timeout=120) as client:
            try:
                client.chat.completions.create(
                    model=server.model,
                    messages=[{"role": "user", "content": "Count from one to one thousand in words."}],
                    max_tokens=1000,
                    extra_body={"ignore_eos": True},
                )
            except openai.APIConnectionError as err:
                failures.append(err)

    with LocalServer(context_size=2048) as server:
        [child] = _local_children()
        asking = threading.Thread(target=ask, args=(server,), daemon=True)
        asking.start()
        time.sleep(1.5)  # the reply is being generated: 1000 tokens take SmolLM2 well over ten seconds here
        assert asking.is_alive()
        began = time.monotonic()
        server.stop()
        stopped = time.monotonic() - began
        asking.join(5)

    assert stopped < 2.0
    assert not asking.is_alive() and len(failures) == 1
    assert not child.is_running() and _local_children() == []
