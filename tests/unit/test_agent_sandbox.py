"""The code executor's fence: workspace, environment, deadline with process-group kill, output size."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import psutil
import pytest
from autogen.coding import CodeBlock

from src.agent import Execution, SandboxEnvironment, SandboxExecutor
from src.agent._sandbox import TIMEOUT_EXIT_CODE, split_announcements, truncate
from src.agent.tools import SENT_MARKER
from src.config import REPO_ROOT

ENVIRONMENT = SandboxEnvironment(
    kubeconfig=Path("/tmp/kubeconfig"),
    prometheus_url="http://127.0.0.1:9090",
    broker_url="amqp://guest:guest@127.0.0.1:5672/%2F",
    run_id="run-1",
    component="catalogue",
    components=("catalogue", "front-end"),
)


def _sandbox(tmp_path: Path, timeout: int = 30, limit: int = 8000) -> tuple[SandboxExecutor, list[Execution]]:
    seen: list[Execution] = []
    sandbox = SandboxExecutor(
        tmp_path / "ws", ENVIRONMENT, timeout=timeout, output_limit=limit, on_execution=seen.append
    )
    return sandbox, seen


def test_the_child_gets_exactly_the_documented_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-leak")
    sandbox, _ = _sandbox(tmp_path)
    sandbox.round_id = "r3-x"
    code = "import json, os; print(json.dumps(dict(os.environ)))"
    result = sandbox.execute_code_blocks([CodeBlock(code=code, language="python")])
    assert result.exit_code == 0, result.output
    seen = json.loads(result.output)
    seen.pop("PWD", None)  # some shells add it
    assert set(seen) == {
        "KUBECONFIG",
        "PROMETHEUS_URL",
        "SOCKSHOP_BROKER_URL",
        "SOCKSHOP_RUN_ID",
        "SOCKSHOP_ROUND_ID",
        "SOCKSHOP_COMPONENT",
        "SOCKSHOP_COMPONENTS",
        "PATH",
        "PYTHONPATH",
        "HOME",
        "LANG",
    }
    assert seen["SOCKSHOP_ROUND_ID"] == "r3-x"
    assert seen["SOCKSHOP_COMPONENTS"] == "catalogue,front-end"
    assert seen["PYTHONPATH"] == str(REPO_ROOT)
    assert seen["HOME"] == str(sandbox.work_dir)
    from src.environment.kubectl import kubectl_path

    assert seen["PATH"].split(os.pathsep)[0] == str(kubectl_path().parent)


def test_the_tools_import_from_the_workspace(tmp_path: Path) -> None:
    sandbox, _ = _sandbox(tmp_path)
    code = "from src.agent.tools import query_prometheus, report_result, assign_tasks\nprint('imported')"
    result = sandbox.execute_code_blocks([CodeBlock(code=code, language="python")])
    assert (result.exit_code, result.output.strip()) == (0, "imported")


def test_relative_writes_land_in_the_workspace_not_the_repository(tmp_path: Path) -> None:
    sandbox, _ = _sandbox(tmp_path)
    code = "open('pwned.txt', 'w').write('x')\nimport os; print(os.getcwd())"
    result = sandbox.execute_code_blocks([CodeBlock(code=code, language="python")])
    assert result.exit_code == 0
    assert (sandbox.work_dir / "pwned.txt").exists()
    assert not (REPO_ROOT / "pwned.txt").exists()
    assert result.output.strip() == str(sandbox.work_dir)


def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    sandbox, seen = _sandbox(tmp_path, timeout=1)
    code = "sleep 1000 &\necho $! > child.pid\nsleep 1000\n"
    started = time.monotonic()
    result = sandbox.execute_code_blocks([CodeBlock(code=code, language="bash")])
    assert time.monotonic() - started < 10
    assert result.exit_code == TIMEOUT_EXIT_CODE
    assert "Timeout: the code ran longer than 1 s" in result.output
    assert seen[-1].timed_out
    child = int((sandbox.work_dir / "child.pid").read_text())
    assert _gone(child)


def test_processes_left_behind_by_a_finished_block_are_killed(tmp_path: Path) -> None:
    sandbox, _ = _sandbox(tmp_path)
    result = sandbox.execute_code_blocks(
        [CodeBlock(code="nohup sleep 1000 >/dev/null 2>&1 &\necho $!", language="bash")]
    )
    assert result.exit_code == 0
    assert _gone(int(result.output.strip()))


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_long_output_is_cut_in_the_middle(tmp_path: Path) -> None:
    sandbox, _ = _sandbox(tmp_path, limit=200)
    result = sandbox.execute_code_blocks([CodeBlock(code="print('a' * 5000 + 'END')", language="python")])
    assert len(result.output) < 320
    assert result.output.rstrip().endswith("END")
    assert "characters cut" in result.output
    assert truncate("short", 10) == "short"


def test_blocks_run_in_order_and_stop_at_the_first_failure(tmp_path: Path) -> None:
    sandbox, seen = _sandbox(tmp_path)
    blocks = [
        CodeBlock(code="kind: Deployment", language="yaml"),
        CodeBlock(code="echo one", language="bash"),
        CodeBlock(code="raise SystemExit(3)", language="python"),
        CodeBlock(code="echo never", language="sh"),
    ]
    result = sandbox.execute_code_blocks(blocks)
    assert result.exit_code == 3
    assert "a yaml block was not run" in result.output
    assert "one" in result.output and "never" not in result.output
    assert seen[-1].exit_code == 3


def test_a_message_with_no_runnable_block_fails(tmp_path: Path) -> None:
    sandbox, _ = _sandbox(tmp_path)
    result = sandbox.execute_code_blocks([CodeBlock(code="a: 1", language="yaml")])
    assert result.exit_code == 1
    assert "```python or ```bash" in result.output


def test_announcements_of_sent_messages_are_taken_out_of_the_output(tmp_path: Path) -> None:
    announcement = {"id": "m1", "type": "RESPONSE", "round_id": "r1", "sender": "catalogue", "body": "ok"}
    text, sent = split_announcements(f"before\n{SENT_MARKER}{json.dumps(announcement)}\nafter\n")
    assert text == "before\nafter\n"
    assert sent == [announcement]


def test_stop_kills_the_running_block_and_refuses_new_ones(tmp_path: Path) -> None:
    import threading

    sandbox, _ = _sandbox(tmp_path, timeout=60)
    results = []
    thread = threading.Thread(
        target=lambda: results.append(sandbox.execute_code_blocks([CodeBlock(code="sleep 1000", language="bash")]))
    )
    thread.start()
    time.sleep(0.5)
    sandbox.stop()
    thread.join(10)
    assert not thread.is_alive()
    assert results[0].exit_code != 0
    again = sandbox.execute_code_blocks([CodeBlock(code="echo hi", language="bash")])
    assert "stopping" in again.output


def test_code_is_saved_under_its_step_never_under_its_first_comment(tmp_path: Path) -> None:
    sandbox, seen = _sandbox(tmp_path)
    sandbox.step = 3
    comment = "# Find the CPU usage of a component using Prometheus's request_json_api"
    blocks = [
        CodeBlock(code=f"{comment}\nprint('one')", language="python"),
        CodeBlock(code="kind: Deployment", language="yaml"),
        CodeBlock(code="# filename: mine.sh\necho two", language="bash"),
    ]
    result = sandbox.execute_code_blocks(blocks)
    assert result.exit_code == 0
    assert seen[-1].files == ["step-03.py", None, "step-03-2.sh"]
    workspace = tmp_path / "ws"
    assert sorted(path.name for path in workspace.iterdir() if path.is_file()) == ["step-03-2.sh", "step-03.py"]
    assert (workspace / "step-03.py").read_text() == f"{comment}\nprint('one')"
    sandbox.step = 12
    sandbox.execute_code_blocks([CodeBlock(code="echo again", language="sh")])
    assert seen[-1].files == ["step-12.sh"]
