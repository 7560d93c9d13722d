"""What the agent entry modules share: argument checks, logging, signals, and the error policy.

Error policy (as everywhere in the harness): bad input — a flag, an unknown component, an empty
task, a malformed config or secrets file, or an LLM endpoint that does not answer (checked before
anything else starts) — is one line on stderr and exit code 2; a part of the world that cannot be
provided (twin, Prometheus, broker) is one line and exit code 1; Ctrl-C or SIGTERM stops
everything started and exits with 130 within seconds, and a second one ends the run at once.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from ..config import RESULTS_ROOT, AgentRoleSettings, AgentSettings, ConfigError, Settings, load_settings
from ..environment.deploy import DeployError
from ..environment.kubectl import KubectlMissing
from ..environment.prometheus import PrometheusMissing, PrometheusStartError
from ..environment.twin_process import DEFAULT_STATE_DIR, TwinStartError
from ..interrupts import INTERRUPTS
from ..llm import LLMError, LLMSettings, LLMUnavailable, SecretsError, banner, load_llm_settings
from ..messaging import MessagingError
from ._errors import SessionError

if TYPE_CHECKING:
    from ._session import Session

T = TypeVar("T")

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130
EXIT_CODES = """\
exit codes:
  0    the agents answered (the maintainer reported, or the manager finished)
  1    no answer within --timeout (see the transcripts), or the world could not be provided
  2    bad input (a flag, the config or secrets file), or the LLM endpoint does not answer
  130  interrupted by Ctrl-C or SIGTERM (a second Ctrl-C ends the run at once)
"""
ENDPOINT_ERRORS = (LLMUnavailable,)
"""The LLM endpoint does not answer (found before anything starts): the user fixes the secrets file, exit code 2."""

INPUT_ERRORS = (ConfigError, SecretsError, ValueError)
"""Problems the user fixes in what they typed or wrote: exit code 2."""
WORLD_ERRORS = (
    SessionError,
    TwinStartError,
    DeployError,
    KubectlMissing,
    PrometheusMissing,
    PrometheusStartError,
    MessagingError,
    LLMError,
)
"""Parts of the world that could not be provided: exit code 1."""
QUIET_LOGGERS = ("autogen", "httpx", "pika", "openai")
"""Chatty libraries kept to warnings (AG2's per-call "model price unknown" notes included)."""


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Every flag's default; the description and the epilog (the exit codes, a table) as written."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr with exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        raise SystemExit(EXIT_BAD_INPUT)


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags both working-mechanism entry modules take: the task and the run's places."""
    parser.add_argument("--task", required=True, help="what the agents should do")
    add_run_arguments(parser)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags every entry module takes: the LLM's cache seed and secrets, the config, where things go."""
    parser.add_argument(
        "--cache_seed",
        "--cache-seed",
        dest="cache_seed",
        type=int,
        default=-1,
        help="the LLM answer cache's seed; -1 means no cache, so every run asks the model anew",
    )
    parser.add_argument("--secret", type=Path, default=None, help="LLM secrets file (None: conf/secret.yaml)")
    parser.add_argument("--config", type=Path, default=None, help="global config (None: conf/global_config.yaml)")
    parser.add_argument("--max-turns", type=int, default=None, help="override the agents' message limit")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_ROOT, help="where run folders go")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="the twin state directory: a twin running there is reused, else one is started there and stopped",
    )


def check_task(text: str) -> str:
    """The task, stripped; `ValueError` when it is empty."""
    task = text.strip()
    if not task:
        raise ValueError("--task is empty; say what the agents should do")
    return task


SMOKE_TEST_MAX_TURNS = 4
"""Message limit on the offline SmolLM2 smoke test unless --max-turns says otherwise: the tiny model
never finishes a task, and each of its replies takes about a minute on a laptop CPU."""


def with_max_turns(settings: AgentSettings, max_turns: int | None, *, smoke_test: bool = False) -> AgentSettings:
    """`settings` with both roles' `max_turns` replaced (when given, or capped for the smoke test)."""
    if max_turns is None and smoke_test:
        max_turns = SMOKE_TEST_MAX_TURNS
    if max_turns is None:
        return settings
    if max_turns < 2:
        raise ValueError(f"--max-turns must be at least 2 (one LLM reply and one code run), got {max_turns}")

    def role(current: AgentRoleSettings) -> AgentRoleSettings:
        return dataclasses.replace(current, max_turns=max_turns)

    return dataclasses.replace(settings, maintainer=role(settings.maintainer), manager=role(settings.manager))


def configure_logging() -> None:
    """Harness logs on stderr as plain lines; libraries only when something is wrong."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("autogen.oai.client").setLevel(logging.ERROR)


@contextlib.contextmanager
def interrupts_as_keyboard() -> Iterator[None]:
    """The first SIGINT, SIGTERM or SIGHUP raises KeyboardInterrupt, so `finally` blocks clean up; see `src.interrupts`.

    SIGINT is installed too: a process started in the background by a non-interactive shell
    inherits SIGINT ignored, and Python then never raises KeyboardInterrupt for Ctrl-C. A second
    signal ends the run at once.
    """
    with INTERRUPTS.installed():
        yield


def fail(message: str, code: int) -> int:
    """Write `error: message` on stderr and return `code`."""
    sys.stderr.write(f"error: {message}\n")
    return code


@dataclasses.dataclass(frozen=True)
class Inputs:
    """What the common flags name, read and checked: the config, the LLM, the agents' settings."""

    settings: Settings
    llm: LLMSettings
    agents: AgentSettings


def load_inputs(args: argparse.Namespace, *, world: str | None = None) -> Inputs:
    """Read `--config` (with `world` replacing the configured one), `--secret`, `--cache_seed`, `--max-turns`.

    Also checks `--timeout`. Raises one of `INPUT_ERRORS`, with a one-line message.
    """
    settings = load_settings(args.config) if args.config else load_settings()
    if world:
        settings = dataclasses.replace(settings, world=world)
    if args.timeout <= 0:
        raise ValueError(f"--timeout must be greater than 0, got {args.timeout:g}")
    llm = load_llm_settings(args.secret, args.cache_seed)
    return Inputs(settings, llm, with_max_turns(settings.agents, args.max_turns, smoke_test=llm.smoke_test))


def announce(llm: LLMSettings) -> None:
    """Logging set up, and the LLM banner on stderr (it says when this is only the smoke test)."""
    configure_logging()
    sys.stderr.write(banner(llm) + "\n")


def in_session(
    inputs: Inputs, components: Sequence[str], args: argparse.Namespace, work: Callable[[Session], T]
) -> tuple[T, Path]:
    """Run `work` in an agent session for `components`; return its result and the run folder.

    Raises:
        KeyboardInterrupt: Ctrl-C or SIGTERM (everything started is stopped first).
        one of `WORLD_ERRORS`: a part of the world could not be provided.
    """
    from ._session import agent_session  # the agents' stack (AG2, openai): not paid by --help or bad input

    with (
        interrupts_as_keyboard(),
        agent_session(
            inputs.settings, components, inputs.llm, results_root=args.results_dir, state_dir=args.state_dir
        ) as session,
    ):
        return work(session), session.run.results_dir
