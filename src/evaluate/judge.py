"""An LLM judge for L4: which root cause an agent's report names, decided by a vote of several samples.

The paper scored the root cause with an LLM reading the agents' chat; the keyword rubric
(`rubric.py`) is our default because it needs no model and gives the same verdict every time. When
`conf/secret.yaml` has a `judge:` section, this module asks that model instead, `samples` times:

- The prompt is ours. It gives the report, every category with a one-line meaning and "none", and
  asks for exactly one of those names. The expected category is never shown to the judge.
- Each answer is parsed strictly: after trimming whitespace, quotes, backticks, asterisks, a final
  full stop and a leading `<think>...</think>` block (reasoning models served by Ollama or vLLM
  emit one), it must be a category name or "none", letter case aside. Anything else counts as
  "none", so a rambling judge cannot pass a report by mentioning the right word somewhere.
- The vote is a plurality: the answer given most often wins; a tie for the top, or "none" on top,
  is no answer, which fails. With 3 samples that is a majority of 2.

A judge that cannot be asked (endpoint down, key rejected, model not served) raises
`EvaluationError`, as a check that cannot read the cluster does: the harness's failure is never
recorded as the agent's. Requests go through the `openai` client with the judge's own timeout and
retries (connection errors, 429 and 5xx are retried with back-off by the client), and no cache, so
every sample is a real, independent answer.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openai
from openai.types.chat import ChatCompletionMessageParam

from ..llm import LLMSettings, load_judge_settings, openai_client
from ._score import EvaluationError, Score

logger = logging.getLogger(__name__)

NONE = "none"
"""The answer for "the report names no root cause, or one outside the categories"."""
SYSTEM_MARKER = "root-cause judge"
"""Appears in the system message, so a scripted test server can route the judge's requests."""
CATEGORY_MEANINGS = {
    "cpu_saturation": "the component runs out of CPU: CPU stress, CPU-bound work, throttling at its CPU limit",
    "memory_pressure": "the component's memory grows towards or past its limit: memory stress, a leak, OOM kills",
    "pod_failure": "pods of the component fail, crash, are not Ready or are unavailable",
    "traffic_surge": "more users or requests than usual overwhelm the component: rising load, a traffic spike",
    "network_latency": "the network slows or drops traffic: injected delay, packet loss, limited bandwidth",
}
"""One line per root-cause category of `data/evaluate/rubric.yaml`; a category missing here is shown by its name."""
_THINKING = re.compile(r"^\s*<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_WRAPPING = " \t\r\n\"'`*"


@dataclass(frozen=True)
class Judge:
    """The model that judges reports and how many times it is asked."""

    settings: LLMSettings
    """The judge's backend, model, temperature, timeout and retries."""
    samples: int = 3
    """Answers asked for per report; odd, so two categories cannot tie."""

    def __post_init__(self) -> None:
        if self.samples < 1 or self.samples % 2 == 0:
            raise ValueError(f"a judge needs an odd number of samples of at least 1, got {self.samples}")

    def describe(self) -> str:
        """E.g. "OpenAI gpt-4o, 3 samples"."""
        return f"{self.settings.describe()}, {self.samples} sample{'s' if self.samples != 1 else ''}"


def load_judge(secret_path: Path | None) -> Judge | None:
    """The judge configured in the `judge:` section of a secrets file, if any.

    Args:
        secret_path: the file to read; None means `conf/secret.yaml` (no file there: no judge).

    Returns:
        The judge, or None when the file has no `judge:` section (L4 then uses the keyword rubric).

    Raises:
        SecretsError: a file named explicitly is missing, or the judge section is malformed; the
            message is one line naming the file and the field (entry modules exit with code 2).
    """
    found = load_judge_settings(secret_path)
    if found is None:
        return None
    settings, samples = found
    return Judge(settings, samples)


def judge_root_cause(
    judge: Judge,
    report: str,
    expected: str,
    categories: Sequence[str],
) -> Score:
    """L4 by the judge: does the category most of its answers name equal the injected fault's?

    Args:
        judge: the model and its number of samples (see `load_judge`).
        report: the agent's report (or the part of the chat that states the cause).
        expected: the injected fault's category.
        categories: the category names the judge chooses from (`load_rubric().categories`).

    Raises:
        EvaluationError: the judge's endpoint could not be asked; one line naming it and why.
    """
    messages = _messages(report, categories)
    answers: list[str] = []
    settings = judge.settings
    with openai_client(settings, timeout=settings.timeout, max_retries=settings.max_retries) as client:
        for _ in range(judge.samples):
            answers.append(_ask(client, settings, messages))
    parsed = [parse_answer(answer, categories) for answer in answers]
    votes = Counter(parsed)
    found = vote(parsed)
    evidence = {
        "expected": expected,
        "found": found,
        "basis": "llm judge",
        "model": judge.settings.describe(),
        "samples": judge.samples,
        "answers": answers,
        "parsed": parsed,
        "votes": dict(votes.most_common()),
    }
    tally = ", ".join(f"{name} {count}" for name, count in votes.most_common())
    logger.info("LLM judge %s: votes %s -> %s (expected %s)", judge.describe(), tally, found, expected)
    if found is None:
        return Score(
            False, f"the judge finds no single root cause in the report (votes: {tally}); expected {expected}", evidence
        )
    return Score(
        found == expected,
        f"the judge reads the report as blaming {found} ({votes[found]} of {judge.samples} votes); expected {expected}",
        evidence,
    )


def parse_answer(answer: str, categories: Sequence[str]) -> str:
    """The category a judge's answer names, or `NONE` for "none" and for anything that is not exactly a name."""
    text = _THINKING.sub("", answer).strip(_WRAPPING).removesuffix(".").strip(_WRAPPING).lower()
    return next((name for name in categories if name.lower() == text), NONE)


def vote(parsed: Sequence[str]) -> str | None:
    """The category named most often; None for no answers, a tie for the top, or `NONE` on top."""
    ranked = Counter(parsed).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]) or ranked[0][0] == NONE:
        return None
    return ranked[0][0]


def _messages(report: str, categories: Sequence[str]) -> list[ChatCompletionMessageParam]:
    menu = "\n".join(f"- {name}: {CATEGORY_MEANINGS.get(name, name.replace('_', ' '))}" for name in categories)
    system = (
        f"You are the {SYSTEM_MARKER} of an experiment in which LLM agents keep the Sock Shop microservices "
        "healthy on Kubernetes. A fault was injected into the cluster, and an agent investigated and wrote a "
        "report. Decide which root cause the report states: judge what the report blames, not what you would "
        "blame yourself, and not the symptoms it merely lists (latency, errors). Answer with exactly one "
        "category name from the list, or none, and nothing else."
    )
    user = (
        f"Root-cause categories:\n{menu}\n- {NONE}: the report names no root cause, or one that fits no "
        f"category above.\n\nThe agent's report:\n<<<\n{report.strip()}\n>>>\n\n"
        f"Answer with exactly one category name or {NONE}."
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _ask(client: openai.OpenAI, settings: LLMSettings, messages: list[ChatCompletionMessageParam]) -> str:
    """One sample: the judge's raw answer (an empty string when the reply has no text)."""
    where = settings.describe()
    source = settings.source or "conf/secret.yaml"
    try:
        response = client.chat.completions.create(
            model=settings.model,
            messages=messages,
            temperature=openai.omit if settings.temperature is None else settings.temperature,
        )
    except openai.AuthenticationError as err:
        raise EvaluationError(
            f"LLM judge {where} rejected the api_key ({err.status_code}); check judge.api_key in {source}"
        ) from err
    except openai.NotFoundError as err:
        raise EvaluationError(
            f"LLM judge {where} answered 404; check that it serves judge.model {settings.model!r} "
            f"(and that judge.base_url, if any, is the API root) in {source}"
        ) from err
    except openai.APIStatusError as err:
        raise EvaluationError(
            f"LLM judge {where} answered HTTP {err.status_code} (after {settings.max_retries} retries)"
        ) from err
    except openai.APIConnectionError as err:  # timeouts included
        raise EvaluationError(
            f"cannot reach LLM judge {where} within {settings.timeout:g} s "
            f"(after {settings.max_retries} retries); start the server or fix judge.base_url in {source}"
        ) from err
    except openai.APIError as err:
        raise EvaluationError(f"LLM judge {where} gave an unreadable answer ({type(err).__name__})") from err
    if not response.choices:
        return ""
    return response.choices[0].message.content or ""
