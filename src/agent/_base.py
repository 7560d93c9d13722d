"""What the maintainer and the manager share: sandbox, transcript, tally, stopping, outcomes."""

from __future__ import annotations

import logging
import threading
import time

import openai

from ..config import AgentRoleSettings, AgentSettings
from ._cache import response_cache
from ._credentials import issue_kubeconfig
from ._inner import ChatAborted, ChatResult, EndRule, InnerChat, without_terminate
from ._outcome import AgentOutcome, Tally
from ._progress import NoProgress, Progress
from ._run import AgentRun
from ._sandbox import SandboxEnvironment, SandboxExecutor
from ._transcript import Transcript

logger = logging.getLogger(__name__)


class AgentBase:
    """An LLM agent with its sandbox and transcript; subclasses decide what a task is."""

    kind = "agent"

    def __init__(
        self,
        name: str,
        system_message: str,
        role: AgentRoleSettings,
        settings: AgentSettings,
        run: AgentRun,
        *,
        progress: Progress | None = None,
    ) -> None:
        self.name = name
        self.role = role
        self.settings = settings
        self.run = run
        self.progress: Progress = progress or NoProgress()
        self.tally = Tally()
        self.stop_event = threading.Event()
        self.sandbox = SandboxExecutor(
            run.workspace / name,
            SandboxEnvironment(
                kubeconfig=issue_kubeconfig(run, name),
                prometheus_url=run.prometheus_url,
                broker_url=run.broker_url,
                run_id=run.run_id,
                component=name,
                components=run.components,
                queue_prefix=run.queue_prefix,
            ),
            timeout=role.executor_timeout,
            output_limit=settings.output_limit_chars,
        )
        self.transcript = Transcript(run.results_dir / f"{name}.md", f"{name}: {self.kind} transcript")
        llm = run.llm
        cache = response_cache(llm)
        self.transcript.facts(
            {
                "run": f"`{run.run_id}`",
                "LLM": llm.describe()
                + (" (SMOKE TEST: a tiny offline model, results mean nothing)" if llm.smoke_test else ""),
                "LLM cache": f"seed {llm.cache_seed}, `{cache.folder}`" if cache is not None else "none",
                "limits": f"{role.max_turns} messages, {role.executor_timeout} s per code block",
                "workspace": f"`{self.sandbox.work_dir}`",
            }
        )
        self.chat = InnerChat(
            name,
            system_message,
            llm.llm_config(),
            self.sandbox,
            self.transcript,
            self.progress,
            self.tally,
            self.stop_event,
            cache=cache,
        )

    def stop(self) -> None:
        """Stop at the next step and kill the code running now; safe from any thread."""
        self.stop_event.set()
        self.sandbox.stop()

    def _chat(self, opening: str, turns: int, rule: EndRule, started: float) -> ChatResult:
        """Run an inner chat; LLM failures and stops become an ended chat, noted in the transcript."""
        try:
            return self.chat.run(opening, turns, rule, started)
        except ChatAborted as err:
            self.transcript.note(f"Stopped: {err}.")
            return self._cut_short("stopped by the harness")
        except openai.OpenAIError as err:
            reason = f"LLM error: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
            self.transcript.note(reason)
            logger.warning("%s: %s", self.name, reason)
            return self._cut_short(reason)
        except Exception as err:
            self.transcript.note(f"The agent crashed: {type(err).__name__}: {err}")
            raise

    def _cut_short(self, reason: str) -> ChatResult:
        """The chat as far as it got, ended for `reason`."""
        result = self.chat.current
        result.ended_by = reason
        return result

    def _outcome(self, before: Tally, started: float, final: str, ended_by: str) -> AgentOutcome:
        outcome = AgentOutcome(
            steps=self.tally.steps - before.steps,
            failed_steps=self.tally.failed_steps - before.failed_steps,
            tokens=self.tally.tokens - before.tokens,
            final_message=without_terminate(final),
            terminated=ended_by == "TERMINATE",
            wall_seconds=time.monotonic() - started,
            ended_by=ended_by,
        )
        self.transcript.summary(
            {
                "steps": outcome.steps,
                "failed steps": outcome.failed_steps,
                "tokens": outcome.tokens,
                "wall time": f"{outcome.wall_seconds:.1f} s",
                "ended by": outcome.ended_by,
            }
        )
        self.progress.update(self.name, self.tally.steps, outcome.wall_seconds, f"done: {ended_by}")
        return outcome
