"""Instant queries against Prometheus' HTTP API (`/api/v1/query`), with the standard library only.

The evaluators read the same Prometheus the agents read, over HTTP, so they work unchanged on the
twin and on a real cluster. An instant query at time `at` evaluates `rate(...[window])` over the
window ending then, which is how "the last two minutes" and "at report time" are both expressed.
"""

from __future__ import annotations

import json
import logging
import math
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from ._score import EvaluationError

logger = logging.getLogger(__name__)

HTTP_TIMEOUT = 15.0

Sample = tuple[dict[str, str], float]
"""One series of an instant vector: its labels and its value."""


def instant_query(prometheus_url: str, promql: str, at: datetime | None = None) -> list[Sample]:
    """Evaluate `promql` at `at` (default: now) and return every series of the result.

    NaN values (a quantile of no requests, a ratio of zeros) are dropped: they mean "no data".

    Raises:
        EvaluationError: Prometheus did not answer, rejected the query, or returned a non-vector.
    """
    parameters = {"query": promql}
    if at is not None:
        parameters["time"] = f"{at.timestamp():.3f}"
    url = f"{prometheus_url.rstrip('/')}/api/v1/query?{urllib.parse.urlencode(parameters)}"
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as err:
        detail = err.read().decode(errors="replace")
        raise EvaluationError(f"prometheus rejected {promql!r}: HTTP {err.code} {detail}") from err
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise EvaluationError(f"prometheus at {prometheus_url} did not answer: {err}") from err
    except ValueError as err:
        raise EvaluationError(f"prometheus answered {promql!r} with something that is not JSON") from err
    data = body.get("data") or {}
    if body.get("status") != "success" or data.get("resultType") != "vector":
        raise EvaluationError(f"prometheus answered {promql!r} with {body.get('status')} / {data.get('resultType')}")
    samples: list[Sample] = []
    for series in data.get("result") or []:
        value = float(series["value"][1])
        if not math.isnan(value):
            samples.append((dict(series.get("metric") or {}), value))
    logger.debug("prometheus %s -> %d series", promql, len(samples))
    return samples


def scalar_query(prometheus_url: str, promql: str, at: datetime | None = None) -> float | None:
    """The single value of a query that aggregates to one series; None when there is no data."""
    samples = instant_query(prometheus_url, promql, at)
    return samples[0][1] if samples else None


def by_label(samples: list[Sample], label: str) -> dict[str, float]:
    """Map each series' value by one of its labels (e.g. `pod`)."""
    return {labels.get(label, ""): value for labels, value in samples}
