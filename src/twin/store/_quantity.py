"""Kubernetes resource quantities ("200m", "1Gi", "1e3") as numbers, and back as kubectl prints them.

The apiserver accepts exactly the grammar of `k8s.io/apimachinery/pkg/api/resource`: a signed
decimal, then one binary suffix (Ki..Ei), one decimal suffix (n, u, m, "", k, M, G, T, P, E) or an
exponent (e3). `is_valid_quantity` and `parse_cpu` hold to that grammar, because they judge what a
user wrote in a manifest. `parse_bytes` also accepts the human sizes that Chaos Mesh stressors use
("256MB", "1GiB"), since the stress controller reads memory sizes through it.

Values are computed with `Decimal`, so "0.1" cores times 1000 is exactly 100 millicores, and byte
counts round up like `Quantity.Value()`.
"""

from __future__ import annotations

import logging
import math
import re
from decimal import Decimal, InvalidOperation

logger = logging.getLogger(__name__)

QUANTITY_PATTERN = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
"""The regular expression the apiserver quotes when it rejects a quantity."""

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|[numkMGTPE]?)$"
)
_HUMAN_SIZE = re.compile(r"^(?P<number>[0-9]+(?:\.[0-9]+)?) ?(?P<prefix>[kKmMgGtTpPeE]?)(?P<binary>[iI]?)[bB]$")

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
_HUMAN_POWER = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}

KI, MI, GI = 2**10, 2**20, 2**30


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity; the message quotes the apiserver's rule."""


def _error(q: object) -> QuantityError:
    return QuantityError(f"invalid quantity {q!r}: quantities must match the regular expression '{QUANTITY_PATTERN}'")


def _decimal(q: object) -> Decimal:
    """The exact value of a quantity in base units; numbers pass through (JSON allows them)."""
    if isinstance(q, bool):
        raise _error(q)
    if isinstance(q, int | float):
        if isinstance(q, float) and not math.isfinite(q):
            raise _error(q)
        return Decimal(str(q))
    if not isinstance(q, str):
        raise _error(q)
    match = _QUANTITY.match(q)
    if match is None:
        raise _error(q)
    try:
        number = Decimal(match["number"])
    except InvalidOperation as err:
        raise _error(q) from err
    suffix = match["suffix"]
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        return number.scaleb(int(suffix[1:]))
    return number * _DECIMAL[suffix]


def parse_quantity(q: str | int | float) -> Decimal:
    """The exact value of a quantity in base units, for comparisons such as requests <= limits.

    Raises:
        QuantityError: `q` is not a Kubernetes quantity.
    """
    return _decimal(q)


def is_valid_quantity(q: object) -> bool:
    """Whether the apiserver would accept `q` as a quantity (strings in the grammar, or numbers)."""
    try:
        _decimal(q)
    except QuantityError:
        return False
    return True


def parse_cpu(q: str | int | float) -> float:
    """CPU in cores: "200m" -> 0.2, "1" -> 1.0, "0.5" -> 0.5.

    Raises:
        QuantityError: `q` is not a Kubernetes quantity.
    """
    return float(_decimal(q))


def _human_bytes(q: str) -> Decimal | None:
    """Sizes like "256MB" or "1GiB" (go-units style, used by Chaos Mesh stressors), else None."""
    match = _HUMAN_SIZE.match(q.strip())
    if match is None:
        return None
    base = Decimal(1024 if match["binary"] else 1000)
    return Decimal(match["number"]) * base ** _HUMAN_POWER[match["prefix"].lower()]


def parse_bytes(q: str | int | float) -> int:
    """Bytes, rounded up like `Quantity.Value()`: "200Mi", "1Gi", "129M", "1e3", "1k", "256MB".

    Raises:
        QuantityError: `q` is neither a Kubernetes quantity nor a human size with a `B` suffix.
    """
    try:
        value = _decimal(q)
    except QuantityError:
        human = _human_bytes(q) if isinstance(q, str) else None
        if human is None:
            raise
        value = human
    return math.ceil(value)


def format_cpu(cores: float) -> str:
    """Millicores as `kubectl top` prints them ("12m"), rounding up like `MilliValue()`."""
    millis = math.ceil(round(cores * 1000, 6))
    return f"{millis}m"


def format_bytes(n: int) -> str:
    """Bytes as `kubectl top` prints memory: whole Mi ("153Mi"), rounded down.

    Exact multiples of a Gi print as Gi ("2Gi"); sizes under one Mi use Ki, and under one Ki, bytes.
    """
    if n >= GI and n % GI == 0:
        return f"{n // GI}Gi"
    if n >= MI:
        return f"{n // MI}Mi"
    if n >= KI:
        return f"{n // KI}Ki"
    return str(n)
