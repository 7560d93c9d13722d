"""The functions agents call from the code they write: `from src.agent.tools import ...`.

This module is public and its import path is stable: prompts name it, and LLM-written code runs it
inside the sandbox, whose environment (`KUBECONFIG`, `PROMETHEUS_URL`, `SOCKSHOP_BROKER_URL`,
`SOCKSHOP_RUN_ID`, `SOCKSHOP_ROUND_ID`, `SOCKSHOP_COMPONENT`, `SOCKSHOP_COMPONENTS`) is the tools'
configuration. The docstrings are what the LLM reads about each tool (the prompts are generated
from them with `inspect`), so they are written for it.

Bad arguments raise `ValueError` with a sentence saying what to pass instead: the code block then
fails, and the agent sees why. Conditions of the world (no data, a query Prometheus rejects) come
back as text, because they are answers, not mistakes in the call.

Every message a tool sends is also announced on stderr as one `SENT_MARKER` line of JSON; the
sandbox takes these lines out of the output and records them in the transcript, so the harness
knows what an agent sent without trusting the LLM to print it.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from ._promql import TimeLike, Window, fetch_range, format_result

__all__ = ["AWAITING_FLAG", "assign_tasks", "query_prometheus", "report_result"]

AWAITING_FLAG = "<AWAITING FOR RESPONSE>"
"""Ends `assign_tasks`' answer; the manager's inner chat pauses when its executor output shows it."""
SENT_MARKER = "@@sockshop-sent "
"""Prefix of the stderr line (then JSON) that announces a message a tool sent."""
MESSAGE_TYPES = ("RESPONSE", "ISSUE")


def query_prometheus(
    promQL: str,
    duration: str = "2m",
    step: str = "1m",
    start: TimeLike = None,
    end: TimeLike = None,
) -> str:
    """Run a PromQL range query against the cluster's Prometheus and return the result as text.

    The answer lists EVERY matching series: its labels, then one `HH:MM:SS  value` row per point
    (UTC, most recent last; long series are cut to their latest points). When nothing matches, or
    Prometheus rejects the query, the answer says so and quotes Prometheus' error. Always print
    the result, e.g. `print(query_prometheus('...'))`; otherwise you will not see it.

    Metrics and their labels (all Sock Shop services are in namespace "sock-shop"):
    - request_duration_seconds_bucket / _count / _sum: the services' request latency histogram,
      labels name (the service, e.g. "catalogue"), route, status_code, job ("sock-shop/<service>").
      P99 latency in seconds:
      histogram_quantile(0.99, sum(rate(request_duration_seconds_bucket{name="catalogue"}[1m])) by (name, le))
      Requests per second:
      sum(rate(request_duration_seconds_count{name="catalogue", status_code=~"2..", route!="metrics"}[1m]))
    - process_cpu_seconds_total{job="sock-shop/<service>"}: CPU seconds of a service's process.
    - container_cpu_usage_seconds_total, container_memory_working_set_bytes,
      container_spec_cpu_quota (with container_spec_cpu_period), container_spec_memory_limit_bytes:
      per container, labels namespace, pod, container. CPU cores in use:
      sum(rate(container_cpu_usage_seconds_total{namespace="sock-shop", container="catalogue"}[1m]))
    - kube_pod_status_ready{namespace, pod, condition="true"}, kube_pod_status_phase{phase},
      kube_pod_container_resource_limits{resource="cpu"|"memory"},
      kube_pod_container_status_restarts_total, kube_deployment_status_replicas_ready{deployment}.

    Args:
        promQL: the PromQL expression.
        duration: how far back from `end` (or from now) to look, e.g. '2m', '30s', '1h'.
        step: the spacing of the points, e.g. '1m', '15s'.
        start: optional start time (datetime, Unix seconds or '2024-05-01T12:00:00Z'); overrides duration.
        end: optional end time in the same forms; default now.

    Returns:
        The series as a text table, or a sentence explaining why there is none.
    """
    if not isinstance(promQL, str) or not promQL.strip():
        raise ValueError("promQL must be a non-empty PromQL expression, e.g. 'up{namespace=\"sock-shop\"}'")
    base_url = os.environ.get("PROMETHEUS_URL", "").strip()
    if not base_url:
        return "Error: PROMETHEUS_URL is not set, so there is no Prometheus to ask."
    window = Window.resolve(duration, step, start, end, datetime.now(UTC))
    data, error = fetch_range(base_url, promQL, window)
    if error is not None or data is None:
        return error or "Error: Prometheus gave no answer."
    return format_result(promQL, window, data)


def _environment(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise RuntimeError(f"{name} is not set: this tool only works inside the agent's code executor")
    return value


def _known_components() -> list[str]:
    return [name.strip() for name in os.environ.get("SOCKSHOP_COMPONENTS", "").split(",") if name.strip()]


def _send(message_type: str, body: str, recipient: str) -> Any:
    """Build a message from the environment's ids, send it to the collector, announce it on stderr."""
    from src.messaging import Message, MessageType, send_to_collector

    message = Message(
        run_id=_environment("SOCKSHOP_RUN_ID"),
        round_id=os.environ.get("SOCKSHOP_ROUND_ID", ""),
        sender=_environment("SOCKSHOP_COMPONENT"),
        recipient=recipient,
        type=MessageType(message_type),
        body=body,
    )
    send_to_collector(message)
    announcement = {
        "id": message.id,
        "type": message_type,
        "round_id": message.round_id,
        "sender": message.sender,
        "recipient": recipient,
        "body": body,
    }
    sys.stderr.write(SENT_MARKER + json.dumps(announcement) + "\n")
    sys.stderr.flush()
    return message


def report_result(component: str, message: str, message_type: str = "RESPONSE") -> str:
    """Send your report to the cluster manager (through the message collector).

    Call it once when your task is done, whether it succeeded or failed: say what you found, what
    you changed, and the state you verified afterwards. The manager waits for this report.

    Args:
        component: your own component's name, e.g. 'catalogue'.
        message: the report, in plain words with the key numbers.
        message_type: 'RESPONSE' to answer the task you were given (the usual case), or 'ISSUE' to
            raise a problem you could not solve on your own.

    Returns:
        A confirmation that the message was sent. Print it.
    """
    if message_type not in MESSAGE_TYPES:
        raise ValueError(f"message_type must be 'RESPONSE' or 'ISSUE', got {message_type!r}")
    if not isinstance(message, str) or not message.strip():
        raise ValueError("message must be a non-empty text: the report the manager will read")
    own = _environment("SOCKSHOP_COMPONENT")
    sent = _send(message_type, message.strip(), "manager")
    note = "" if component == own else f" (as {own}: you passed component={component!r})"
    return f"{message_type} sent to the manager{note}; message id {sent.id}."


def assign_tasks(components: list[str], messages: list[str]) -> str:
    """Give tasks to the service maintainers; their answers come back to you all together.

    `components[i]` receives `messages[i]`. Give at most one task per maintainer in a call, and
    state the goal (what should be true), not the commands to type. After the call, stop and wait:
    the answers (or a note naming who did not answer in time) arrive as your next message.

    Args:
        components: maintainers to ask, e.g. ['catalogue', 'front-end'].
        messages: one task text per component, in the same order.

    Returns:
        A line naming who got a task, ending with <AWAITING FOR RESPONSE>. Print it.
    """
    if isinstance(components, str) or isinstance(messages, str):
        raise ValueError("components and messages must be lists, e.g. assign_tasks(['catalogue'], ['Check ...'])")
    components, messages = list(components), list(messages)
    if not components:
        raise ValueError("components is empty: name at least one maintainer")
    if len(components) != len(messages):
        raise ValueError(f"got {len(components)} components but {len(messages)} messages; give one message each")
    known = _known_components()
    unknown = [name for name in components if name not in known]
    if unknown:
        raise ValueError(f"unknown component(s) {unknown}; the maintainers are {known}")
    if len(set(components)) != len(components):
        raise ValueError("a component appears twice; give each maintainer at most one task per call")
    empty = [name for name, text in zip(components, messages, strict=True) if not str(text).strip()]
    if empty:
        raise ValueError(f"the task for {empty} is empty")
    from src.messaging import Assignment, encode_assignments

    body = encode_assignments(
        [Assignment(name, str(text).strip()) for name, text in zip(components, messages, strict=True)]
    )
    _send("TASK", body, "collector")
    return f"Tasks assigned to {', '.join(components)}. {AWAITING_FLAG}"
