"""The Prometheus side of `query_prometheus`: a range query over HTTP, its answer as a text table.

Kept apart from `tools.py` so the public module stays a short list of what agents may call. Only
the standard library is used: the tool runs inside every code block an agent executes, and a
light import keeps each block fast.
"""

from __future__ import annotations

import json
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

HTTP_TIMEOUT = 30.0
MAX_SERIES = 20
"""Series shown in full; the rest are counted."""
MAX_POINTS_PER_SERIES = 30
"""The most recent points of a series shown; earlier ones are counted."""
MAX_ROWS = 200
"""Value rows in one answer, over all series."""

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
TIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%fZ")

TimeLike = datetime | str | int | float | None


def parse_duration(text: str | int | float, field: str) -> float:
    """Seconds in a Prometheus-style duration (`90s`, `2m`, `1h30m`) or a plain number of seconds.

    Raises:
        ValueError: the text is not a positive duration; the message names `field`.
    """
    if isinstance(text, bool):
        raise ValueError(f"{field} must be a duration such as '2m' or '30s', got {text!r}")
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        cleaned = str(text).strip()
        parts = _DURATION.findall(cleaned)
        if not parts or "".join(number + unit for number, unit in parts) != cleaned:
            raise ValueError(f"{field} must be a duration such as '2m', '30s' or '1h30m', got {text!r}")
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ValueError(f"{field} must be longer than zero, got {text!r}")
    return seconds


def parse_time(value: TimeLike, field: str) -> datetime | None:
    """A timezone-aware UTC datetime from a datetime (naive = UTC), ISO text or Unix seconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        for layout in TIME_FORMATS:
            if parsed is not None:
                break
            try:
                parsed = datetime.strptime(text, layout).replace(tzinfo=UTC)
            except ValueError:
                continue
        if parsed is not None:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    raise ValueError(f"{field} must be a datetime, Unix seconds or text like '2024-05-01T12:00:00Z', got {value!r}")


@dataclass(frozen=True)
class Window:
    """The time range and resolution of one range query."""

    start: datetime
    end: datetime
    step: float

    @classmethod
    def resolve(cls, duration: str | float, step: str | float, start: TimeLike, end: TimeLike, now: datetime) -> Window:
        step_seconds = parse_duration(step, "step")
        start_at, end_at = parse_time(start, "start"), parse_time(end, "end")
        if end_at is None:
            end_at = now
        if start_at is None:
            start_at = end_at - timedelta(seconds=parse_duration(duration, "duration"))
        if start_at >= end_at:
            raise ValueError(f"start ({_clock(start_at)}) must be before end ({_clock(end_at)})")
        return cls(start_at, end_at, step_seconds)


def _clock(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ")


def _step_text(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    return f"{seconds:g}s"


def fetch_range(base_url: str, promql: str, window: Window) -> tuple[dict[str, Any] | None, str | None]:
    """Run `/api/v1/query_range`; returns (data, None) or (None, an error text for the agent)."""
    query = urllib.parse.urlencode(
        {
            "query": promql,
            "start": f"{window.start.timestamp():.3f}",
            "end": f"{window.end.timestamp():.3f}",
            "step": f"{window.step:g}",
        }
    )
    url = f"{base_url.rstrip('/')}/api/v1/query_range?{query}"
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
            body = json.loads(response.read().decode())
    except urllib.error.HTTPError as err:
        try:
            body = json.loads(err.read().decode())
        except (ValueError, OSError):
            return None, f"Error: Prometheus answered HTTP {err.code} ({err.reason}) to the query {promql!r}."
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        reason = getattr(err, "reason", err)
        return None, f"Error: cannot reach Prometheus at {base_url} ({reason}). Is PROMETHEUS_URL right?"
    except ValueError:
        return None, f"Error: Prometheus at {base_url} did not answer with JSON."
    if body.get("status") != "success":
        kind = body.get("errorType", "error")
        return None, (
            f"Error: Prometheus rejected the query {promql!r} ({kind}): {body.get('error', 'no details')}. "
            "Fix the PromQL and try again."
        )
    return body.get("data") or {}, None


def _value(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return text
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    return f"{number:.6g}"


def _labels(metric: dict[str, str]) -> str:
    name = metric.get("__name__", "")
    inner = ", ".join(f'{key}="{value}"' for key, value in sorted(metric.items()) if key != "__name__")
    return f"{name}{{{inner}}}"


def format_result(promql: str, window: Window, data: dict[str, Any]) -> str:
    """Every series with its labels and (the most recent of) its values, as a compact text table."""
    result = data.get("result") or []
    span = f"from {_clock(window.start)} to {_clock(window.end)}, step {_step_text(window.step)}"
    if data.get("resultType") not in (None, "matrix"):
        return f"Query {promql!r} returned a {data.get('resultType')}: {json.dumps(result)[:2000]}"
    if not result:
        return (
            f"No data: {promql!r} matched no series {span}. Check the metric name and the label values "
            '(e.g. name="catalogue", namespace="sock-shop"), or use a longer duration.'
        )
    lines = [f"{len(result)} series for {promql!r} {span} (times in UTC):"]
    rows = 0
    all_nan = True
    shown = 0
    for index, series in enumerate(result, start=1):
        if shown == MAX_SERIES or rows >= MAX_ROWS:
            break
        shown += 1
        values = series.get("values") or []
        lines.append(f"[{index}] {_labels(series.get('metric') or {})}")
        budget = min(MAX_POINTS_PER_SERIES, MAX_ROWS - rows)
        if len(values) > budget:
            lines.append(f"    ... {len(values) - budget} earlier points not shown")
            values = values[-budget:]
        for stamp, raw in values:
            text = _value(raw)
            all_nan = all_nan and text == "NaN"
            lines.append(f"    {datetime.fromtimestamp(float(stamp), UTC).strftime('%H:%M:%S')}  {text}")
            rows += 1
    if shown < len(result):
        lines.append(
            f"... {len(result) - shown} more series not shown; aggregate them (e.g. sum by (name) (...)) "
            "or add label filters."
        )
    if all_nan:
        lines.append("Every value is NaN: no requests in the window? Use a longer duration or rate window.")
    return "\n".join(lines)
