"""Where LLM-written code runs: AG2's `LocalCommandLineCodeExecutor`, fenced in.

The original harness ran agent code in the repository root with the user's whole environment and
no way to stop a runaway command. Here, by overriding only `execute_code_blocks` (AG2 runs each
block with `subprocess.run` inline, so there is no smaller seam):

- the working directory is the run's workspace (`results/<run>/workspace/<agent>/`), so files
  written by relative path land there, never in the repository;
- the child's environment is built from scratch: the variables of `docs/agents-interfaces.md`
  (the world's kubeconfig, Prometheus, the broker, run/round/component ids, PATH with the
  project's kubectl first, PYTHONPATH = the repository root) plus HOME pointed at the workspace,
  a UTF-8 locale and, only when the run uses prefixed queues, SOCKSHOP_QUEUE_PREFIX. API keys
  and anything else in the harness's environment stay out;
- each block runs in a new session (its own process group); on timeout the whole group is killed,
  and any process a block left behind is killed when the block ends;
- output (stdout and stderr interleaved) is cut in the middle beyond a configured size;
- lines the tools write to announce sent messages (`tools.SENT_MARKER`) are taken out of the
  output and handed to the caller with the rest of the `Execution` record;
- each block is saved in the workspace under the LLM step it came from, `step-03.py`, and
  `step-03-2.sh` for a reply's second block (AG2 would name the file after a first-line comment,
  any comment, and a later step with the same comment overwrote it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autogen.coding import CodeBlock, LocalCommandLineCodeExecutor
from autogen.coding.base import CommandLineCodeResult
from autogen.coding.utils import silence_pip

from ..config import REPO_ROOT
from ..environment.kubectl import kubectl_path
from ..environment.processes import CHILDREN
from .tools import SENT_MARKER

logger = logging.getLogger(__name__)

TIMEOUT_EXIT_CODE = 124
"""What `timeout(1)` returns, as AG2 does."""
REAP_TIMEOUT = 5.0
"""Seconds to collect the output of a killed process group."""
RUNNERS = {"python": "python", "py": "python", "python3": "python", "bash": "bash", "sh": "sh", "shell": "sh"}
"""Languages that run, and how; other fenced blocks (yaml, json, text ...) are skipped with a note."""


@dataclass(frozen=True)
class SandboxEnvironment:
    """What the code an agent runs can see of the world: the variables of the interface note."""

    kubeconfig: Path
    prometheus_url: str
    broker_url: str
    run_id: str
    component: str
    """The agent's own component (`manager` for the manager)."""
    components: tuple[str, ...]
    """Every component with a maintainer in this run."""
    queue_prefix: str = ""
    """The run's queue-name prefix; passed on as SOCKSHOP_QUEUE_PREFIX only when set."""

    def variables(self, round_id: str, home: Path) -> dict[str, str]:
        """The complete environment of a child process."""
        system_path = os.environ.get("PATH", os.defpath)
        variables = {
            "KUBECONFIG": str(self.kubeconfig),
            "PROMETHEUS_URL": self.prometheus_url,
            "SOCKSHOP_BROKER_URL": self.broker_url,
            "SOCKSHOP_RUN_ID": self.run_id,
            "SOCKSHOP_ROUND_ID": round_id,
            "SOCKSHOP_COMPONENT": self.component,
            "SOCKSHOP_COMPONENTS": ",".join(self.components),
            "PATH": os.pathsep.join([str(kubectl_path().parent), str(Path(sys.executable).parent), system_path]),
            "PYTHONPATH": str(REPO_ROOT),
            "HOME": str(home),
            "LANG": "C.UTF-8",
        }
        if self.queue_prefix:
            variables["SOCKSHOP_QUEUE_PREFIX"] = self.queue_prefix
        return variables


@dataclass
class Execution:
    """One run of the code blocks of one LLM message."""

    blocks: list[CodeBlock]
    exit_code: int = 0
    output: str = ""
    """What the LLM sees (marker lines removed, cut to the limit)."""
    seconds: float = 0.0
    timed_out: bool = False
    sent: list[dict[str, Any]] = field(default_factory=list)
    """Messages the tools announced, as `{"id", "type", "round_id", "sender", "recipient", "body"}`."""
    files: list[str | None] = field(default_factory=list)
    """Per block, the file it was saved as and run from (relative to the workspace); None when not run."""


def truncate(text: str, limit: int) -> str:
    """`text` cut in the middle to about `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    head = limit // 2
    tail = limit - head
    cut = len(text) - head - tail
    return f"{text[:head]}\n... [{cut} characters cut; print less, e.g. with tail or filters] ...\n{text[-tail:]}"


def split_announcements(output: str) -> tuple[str, list[dict[str, Any]]]:
    """Separate the tools' `SENT_MARKER` lines from the rest of the output."""
    kept: list[str] = []
    sent: list[dict[str, Any]] = []
    for line in output.splitlines(keepends=True):
        if line.startswith(SENT_MARKER):
            try:
                sent.append(json.loads(line[len(SENT_MARKER) :]))
                continue
            except ValueError:
                pass
        kept.append(line)
    return "".join(kept), sent


def script_name(step: int, index: int, runner: str) -> str:
    """The file of the `index`-th block (from 1) run at LLM step `step`: `step-03.py`, `step-03-2.sh`."""
    suffix = "py" if runner == "python" else "sh"
    return f"step-{step:02d}{'' if index == 1 else f'-{index}'}.{suffix}"


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class SandboxExecutor(LocalCommandLineCodeExecutor):
    """A `LocalCommandLineCodeExecutor` confined to a workspace, a clean environment and a deadline.

    Args:
        work_dir: the agent's workspace; created with its parents.
        environment: what the child processes see.
        timeout: seconds per code block.
        output_limit: characters of output the LLM gets back.
        on_execution: called with every `Execution` (from the thread that runs the chat).
    """

    def __init__(
        self,
        work_dir: Path,
        environment: SandboxEnvironment,
        *,
        timeout: int,
        output_limit: int,
        on_execution: Callable[[Execution], None] | None = None,
    ) -> None:
        work_dir = work_dir.resolve()
        work_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(timeout=timeout, work_dir=work_dir)
        self.environment = environment
        self.output_limit = output_limit
        self.round_id = ""
        """The round whose task the agent works on; tools stamp it on the messages they send."""
        self.step = 0
        """The LLM step whose code runs next (set by the chat); it names the files the blocks are saved as."""
        self.on_execution = on_execution
        self._running: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def variables(self) -> Mapping[str, str]:
        """The environment the next block will get."""
        return self.environment.variables(self.round_id, self.work_dir)

    def execute_code_blocks(self, code_blocks: list[CodeBlock]) -> CommandLineCodeResult:
        """Run the blocks in order, stopping at the first failure; see the module docstring."""
        execution = Execution(blocks=list(code_blocks), files=[None] * len(code_blocks))
        started = time.monotonic()
        outputs: list[str] = []
        ran = 0
        for position, block in enumerate(code_blocks):
            language = block.language.lower().strip()
            runner = RUNNERS.get(language)
            if runner is None:
                outputs.append(f"(a {language or 'plain'} block was not run: only python and bash blocks run)\n")
                continue
            try:
                self.sanitize_command(runner if runner != "sh" else "sh", block.code)
            except ValueError as err:
                outputs.append(f"{err}\n")
                execution.exit_code = 1
                break
            name = script_name(self.step, ran + 1, runner)
            execution.files[position] = name
            exit_code, text, timed_out = self._run_block(runner, self._script(name, silence_pip(block.code, runner)))
            ran += 1
            outputs.append(text)
            if exit_code != 0:
                execution.exit_code, execution.timed_out = exit_code, timed_out
                break
        if ran == 0 and execution.exit_code == 0:
            execution.exit_code = 1
            outputs.append("Nothing was run: put the code in a ```python or ```bash block.\n")
        visible, execution.sent = split_announcements("".join(outputs))
        execution.output = truncate(visible, self.output_limit)
        execution.seconds = time.monotonic() - started
        if self.on_execution is not None:
            self.on_execution(execution)
        return CommandLineCodeResult(exit_code=execution.exit_code, output=execution.output)

    def _script(self, name: str, code: str) -> Path:
        script = self.work_dir / name
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(code, encoding="utf-8")
        return script

    def _run_block(self, runner: str, script: Path) -> tuple[int, str, bool]:
        program = sys.executable if runner == "python" else runner
        with self._lock:
            if self._stopped:
                return 1, "The agent is stopping; the code was not run.\n", False
            process = subprocess.Popen(
                [program, str(script)],
                cwd=self.work_dir,
                env=dict(self.variables()),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                encoding="utf-8",
                errors="replace",
                start_new_session=True,
            )
            CHILDREN.tie(process.pid, f"{program} {script.name}")  # killed with us, even by kill -9
            self._running = process
        try:
            output, _ = process.communicate(timeout=float(self.timeout))
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            try:
                output, _ = process.communicate(timeout=REAP_TIMEOUT)
            except subprocess.TimeoutExpired:
                output = ""
            output = (output or "") + (
                f"\nTimeout: the code ran longer than {self.timeout} s, so it and every process it started "
                "were killed. Never run commands that wait forever (watch, -w, -f, port-forward); add timeouts.\n"
            )
            timed_out = True
        finally:
            _kill_group(process.pid)
            CHILDREN.untie(process.pid)
            with self._lock:
                self._running = None
        code_ = TIMEOUT_EXIT_CODE if timed_out else process.returncode
        return code_, output or "", timed_out

    def stop(self) -> None:
        """Kill the running block's process group (if any) and refuse to start new ones."""
        with self._lock:
            self._stopped = True
            process = self._running
        if process is not None:
            _kill_group(process.pid)
