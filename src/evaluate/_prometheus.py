"""Instant and range queries against Prometheus' HTTP API, with the standard library only.

The evaluators read the same Prometheus the agents read, over HTTP, so they work unchanged on the
twin and on a real cluster. An instant query at time `at` evaluates `rate(...[window])` over the
window ending then, which is how "the last two minutes" and "at report time" are both expressed;
a range query (`/api/v1/query_range`) evaluates it at every step of a run, for the timeline.
"""

from __future__ import annotations

import json
import logging
import math
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from typing import Any

from ._score import EvaluationError

logger = logging.getLogger(__name__)

HTTP_TIMEOUT = 15.0

Sample = tuple[dict[str, str], float]
"""One series of an instant vector: its labels and its value."""
RangeSeries = tuple[dict[str, str], list[tuple[float, float]]]
"""One series of a range query: its labels and its (unix time, value) points."""


def _api(prometheus_url: str, endpoint: str, parameters: dict[str, str], result_type: str) -> list[dict[str, Any]]:
    """GET `/api/v1/<endpoint>` and return the `result` list of an answer of `result_type`.

    Raises:
        EvaluationError: Prometheus did not answer, rejected the query, or answered another type.
    """
    promql = parameters["query"]
    url = f"{prometheus_url.rstrip('/')}/api/v1/{endpoint}?{urllib.parse.urlencode(parameters)}"
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as err:
        detail = " ".join(err.read().decode(errors="replace").split())
        raise EvaluationError(f"prometheus rejected {promql!r}: HTTP {err.code} {detail}") from err
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise EvaluationError(f"prometheus at {prometheus_url} did not answer: {err}") from err
    except ValueError as err:
        raise EvaluationError(f"prometheus answered {promql!r} with something that is not JSON") from err
    data = body.get("data") or {}
    if body.get("status") != "success" or data.get("resultType") != result_type:
        raise EvaluationError(f"prometheus answered {promql!r} with {body.get('status')} / {data.get('resultType')}")
    result: list[dict[str, Any]] = data.get("result") or []
    logger.debug("prometheus %s %s -> %d series", endpoint, promql, len(result))
    return result


def instant_query(prometheus_url: str, promql: str, at: datetime | None = None) -> list[Sample]:
    """Evaluate `promql` at `at` (default: now) and return every series of the result.

    NaN values (a quantile of no requests, a ratio of zeros) are dropped: they mean "no data".

    Raises:
        EvaluationError: Prometheus did not answer, rejected the query, or returned a non-vector.
    """
    parameters = {"query": promql}
    if at is not None:
        parameters["time"] = f"{at.timestamp():.3f}"
    samples: list[Sample] = []
    for series in _api(prometheus_url, "query", parameters, "vector"):
        value = float(series["value"][1])
        if not math.isnan(value):
            samples.append((dict(series.get("metric") or {}), value))
    return samples


def range_query(prometheus_url: str, promql: str, start: datetime, end: datetime, step: float) -> list[RangeSeries]:
    """Evaluate `promql` every `step` seconds from `start` to `end` and return every series.

    NaN values are dropped as in `instant_query`, so a series has points only where there was data.

    Raises:
        EvaluationError: Prometheus did not answer, rejected the query, or returned a non-matrix.
    """
    parameters = {
        "query": promql,
        "start": f"{start.timestamp():.3f}",
        "end": f"{end.timestamp():.3f}",
        "step": f"{step:g}",
    }
    found: list[RangeSeries] = []
    for series in _api(prometheus_url, "query_range", parameters, "matrix"):
        points = [(float(at), float(value)) for at, value in series.get("values") or []]
        found.append((dict(series.get("metric") or {}), [point for point in points if not math.isnan(point[1])]))
    return found


def scalar_query(prometheus_url: str, promql: str, at: datetime | None = None) -> float | None:
    """The single value of a query that aggregates to one series; None when there is no data."""
    samples = instant_query(prometheus_url, promql, at)
    return samples[0][1] if samples else None


def by_label(samples: list[Sample], label: str) -> dict[str, float]:
    """Map each series' value by one of its labels (e.g. `pod`)."""
    return {labels.get(label, ""): value for labels, value in samples}
