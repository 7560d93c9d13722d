"""Label and field selectors, parsed and matched the way the apiserver does.

Clients filter lists and watches with `?labelSelector=` and `?fieldSelector=` query strings, and
workload objects carry structured selectors (`{matchLabels, matchExpressions}`) that controllers
match against pod labels. Both kinds parse once into immutable requirement lists; a parse failure
is a `SelectorError` whose message the server returns in a 400 `Status`, so it names the offending
text. Rendering with `str()` gives canonical text (requirements sorted by key, set values sorted),
which is what a Scale subresource reports as `status.selector`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_MAX_NAME = 63
_MAX_PREFIX = 253

_TOKEN = re.compile(r"\s*(==|!=|=|!|\(|\)|,|[^\s!=(),]+)")
_FIELD_OPERATOR = re.compile(r"!=|==|=")
_OPERATORS = {"=": "=", "==": "==", "!=": "!=", "in": "in", "notin": "notin"}

_EXPRESSION_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
"""`matchExpressions` operators and the requirement operator each becomes."""

_FIELD_ALIASES = {"source": "source.component"}
"""Field selector names that are not literal paths (an Event's `source` is its component)."""

_FIELD_DEFAULTS = {"spec.unschedulable": "false", "spec.hostNetwork": "false"}
"""Values the apiserver reports for unset boolean fields instead of the empty string."""


class SelectorError(ValueError):
    """A selector that cannot be parsed; the message goes into a 400 BadRequest `Status`."""


def _check_key(key: str) -> None:
    """Validate a label key: an optional DNS-subdomain prefix and `/`, then a name of 63 chars."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > _MAX_PREFIX or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        raise SelectorError(f"invalid label key {key!r}: prefix must be a DNS subdomain")
    if not name or len(name) > _MAX_NAME or not _NAME.fullmatch(name):
        raise SelectorError(
            f"invalid label key {key!r}: name must be 63 characters or less, alphanumeric, '-', '_' or '.', "
            "starting and ending with an alphanumeric character"
        )


def _check_value(value: str) -> None:
    if value and (len(value) > _MAX_NAME or not _NAME.fullmatch(value)):
        raise SelectorError(
            f"invalid label value {value!r}: must be 63 characters or less, empty or alphanumeric, "
            "'-', '_' or '.', starting and ending with an alphanumeric character"
        )


@dataclass(frozen=True)
class Requirement:
    """One label condition: `key` with an operator (`=`, `==`, `!=`, `in`, `notin`, `exists`, `!`).

    Set values are kept sorted and unique by the constructors, so equal selectors compare equal.
    """

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_key(self.key)
        for value in self.values:
            _check_value(value)
        if self.operator in ("in", "notin") and not self.values:
            raise SelectorError(f"{self.key}: values set can't be empty for '{self.operator}'")
        if self.operator in ("exists", "!") and self.values:
            raise SelectorError(f"{self.key}: values set must be empty for exists and does not exist")

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether the labels satisfy this condition; a missing key satisfies `!=` and `notin`."""
        if self.operator == "exists":
            return self.key in labels
        if self.operator == "!":
            return self.key not in labels
        if self.operator in ("!=", "notin"):
            return labels.get(self.key) not in self.values
        return self.key in labels and labels[self.key] in self.values

    def __str__(self) -> str:
        if self.operator == "exists":
            return self.key
        if self.operator == "!":
            return f"!{self.key}"
        if self.operator in ("in", "notin"):
            return f"{self.key} {self.operator} ({','.join(self.values)})"
        return f"{self.key}{self.operator}{self.values[0]}"


@dataclass(frozen=True)
class LabelSelector:
    """A conjunction of label requirements; no requirements matches everything.

    `matches_nothing` is the apiserver's "Nothing" selector, which a missing structured selector
    converts to; it renders as the empty string, like Kubernetes, so check `is_empty` before
    round-tripping it through text.
    """

    requirements: tuple[Requirement, ...] = ()
    matches_nothing: bool = False

    @classmethod
    def parse(cls, text: str) -> LabelSelector:
        """Parse `?labelSelector=` text, e.g. `app=web,tier!=db,env in (a,b),!canary`.

        Raises:
            SelectorError: On syntax errors or invalid keys and values.
        """
        return cls(tuple(sorted(_LabelParser(text).requirements(), key=lambda r: r.key)))

    @classmethod
    def from_labels(cls, labels: Mapping[str, str] | None) -> LabelSelector:
        """The equality selector of a plain label map (a Service's or Chaos Mesh's `labelSelectors`)."""
        return cls.from_spec({"matchLabels": dict(labels or {})})

    @classmethod
    def from_spec(cls, selector: Mapping[str, Any] | None) -> LabelSelector:
        """Convert a structured `{matchLabels, matchExpressions}` selector.

        Following Kubernetes, `{}` selects everything and None selects nothing.

        Raises:
            SelectorError: On an unknown operator or invalid keys and values.
        """
        if selector is None:
            return cls(matches_nothing=True)
        match_labels = selector.get("matchLabels") or {}
        expressions = selector.get("matchExpressions") or []
        if not isinstance(match_labels, Mapping) or not all(isinstance(e, Mapping) for e in expressions):
            raise SelectorError("a label selector needs a matchLabels map and a list of matchExpressions maps")
        requirements = [Requirement(key, "=", (str(value),)) for key, value in match_labels.items()]
        for expression in expressions:
            operator = _EXPRESSION_OPERATORS.get(expression.get("operator", ""))
            if operator is None:
                raise SelectorError(f"{expression.get('operator')!r} is not a valid label selector operator")
            values = tuple(sorted({str(v) for v in expression.get("values") or ()}))
            requirements.append(Requirement(expression.get("key", ""), operator, values))
        return cls(tuple(sorted(requirements, key=lambda r: r.key)))

    @property
    def is_empty(self) -> bool:
        """Whether this selector matches everything."""
        return not self.requirements and not self.matches_nothing

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object with these labels is selected."""
        labels = labels or {}
        return not self.matches_nothing and all(r.matches(labels) for r in self.requirements)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


class _LabelParser:
    """Recursive descent over label selector tokens; one instance per parse."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._tokens = list(_tokenize(text))
        self._at = 0

    def _peek(self) -> str | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _next(self, expected: str) -> str:
        token = self._peek()
        if token is None:
            raise SelectorError(f"unable to parse requirement in {self._text!r}: expected {expected}, found end")
        self._at += 1
        return token

    def requirements(self) -> Iterator[Requirement]:
        if self._peek() is None:
            return
        while True:
            yield self._requirement()
            token = self._peek()
            if token is None:
                return
            self._at += 1
            if token != ",":
                raise SelectorError(f"unable to parse {self._text!r}: expected ',', found {token!r}")

    def _requirement(self) -> Requirement:
        token = self._next("a label key")
        if token == "!":
            return Requirement(self._identifier("a label key"), "!")
        key = _identifier(token, "a label key", self._text)
        if self._peek() in (None, ","):
            return Requirement(key, "exists")
        operator = _OPERATORS.get(self._next("an operator"))
        if operator is None:
            raise SelectorError(f"unable to parse {self._text!r}: expected an operator after {key!r}")
        if operator in ("in", "notin"):
            return Requirement(key, operator, self._value_set())
        value = "" if self._peek() in (None, ",") else self._identifier("a label value")
        return Requirement(key, operator, (value,))

    def _identifier(self, expected: str) -> str:
        return _identifier(self._next(expected), expected, self._text)

    def _value_set(self) -> tuple[str, ...]:
        """Parse `(a,b)`; empty members (`(a,)`) are the empty value, as in Kubernetes."""
        if self._next("'('") != "(":
            raise SelectorError(f"unable to parse {self._text!r}: expected '(' after in/notin")
        if self._peek() == ")":
            self._at += 1
            return ()
        values: list[str] = []
        while True:
            values.append("" if self._peek() in (",", ")") else self._identifier("a label value"))
            separator = self._next("',' or ')'")
            if separator == ")":
                return tuple(sorted(set(values)))
            if separator != ",":
                raise SelectorError(f"unable to parse {self._text!r}: expected ',' or ')', found {separator!r}")


def _tokenize(text: str) -> Iterator[str]:
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None:
            raise SelectorError(f"unable to parse {text!r} at position {position}")
        position = match.end()
        yield match.group(1)


def _identifier(token: str, expected: str, text: str) -> str:
    if token in ("(", ")", ",", "!", "=", "==", "!="):
        raise SelectorError(f"unable to parse {text!r}: expected {expected}, found {token!r}")
    return token


@dataclass(frozen=True)
class FieldRequirement:
    """One field condition: the value at a dotted path equals (or differs from) a string."""

    path: str
    value: str
    negated: bool = False

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Compare the field's text; a missing field reads as the empty string, like the apiserver."""
        return (_field_text(obj, self.path) == self.value) != self.negated

    def __str__(self) -> str:
        return f"{self.path}{'!=' if self.negated else '='}{_escape(self.value)}"


@dataclass(frozen=True)
class FieldSelector:
    """A conjunction of field requirements; no requirements matches everything."""

    requirements: tuple[FieldRequirement, ...] = ()

    @classmethod
    def parse(cls, text: str) -> FieldSelector:
        """Parse `?fieldSelector=` text, e.g. `status.phase!=Running,spec.nodeName=node-1`.

        Values may escape `,`, `=` and `\\` with a backslash, as `kubectl` does.

        Raises:
            SelectorError: On a term without an operator, an empty field name or a bad escape.
        """
        return cls(tuple(_field_requirement(term, text) for term in _split_terms(text)))

    @property
    def is_empty(self) -> bool:
        """Whether this selector matches everything."""
        return not self.requirements

    def field_paths(self) -> tuple[str, ...]:
        """The distinct field names used, in order, so the server can refuse unsupported ones."""
        return tuple(dict.fromkeys(r.path for r in self.requirements))

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether the object satisfies every requirement."""
        return all(r.matches(obj) for r in self.requirements)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


def _split_terms(text: str) -> Iterator[str]:
    """Split on commas that are not escaped, keeping escapes for the term parser; skip empty terms."""
    start = 0
    escaped = False
    for at, char in enumerate(text):
        if char == "," and not escaped:
            if text[start:at].strip():
                yield text[start:at]
            start = at + 1
        escaped = char == "\\" and not escaped
    if text[start:].strip():
        yield text[start:]


def _field_requirement(term: str, text: str) -> FieldRequirement:
    """Split a term at its leftmost operator (`!=`, `==` or `=`), as the apiserver does."""
    match = _FIELD_OPERATOR.search(term)
    if match is None:
        raise SelectorError(f"invalid field selector {text!r}: can't understand {term!r}")
    path = term[: match.start()].strip()
    if not path:
        raise SelectorError(f"invalid field selector {text!r}: empty field name in {term!r}")
    value = _unescape(term[match.end() :].strip(), text)
    return FieldRequirement(path, value, negated=match.group() == "!=")


def _unescape(value: str, text: str) -> str:
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            if char in ",=":
                raise SelectorError(f"invalid field selector {text!r}: unescaped {char!r} in value {value!r}")
            out.append(char)
            continue
        escaped = next(chars, "")
        if escaped not in ("\\", ",", "="):
            raise SelectorError(f"invalid field selector {text!r}: invalid escape sequence in {value!r}")
        out.append(escaped)
    return "".join(out)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _field_text(obj: Mapping[str, Any], path: str) -> str:
    """The text the apiserver compares for a field: booleans lowercase, missing fields empty."""
    value: Any = obj
    for part in _FIELD_ALIASES.get(path, path).split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return _FIELD_DEFAULTS.get(path, "")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def matches_all(obj: Mapping[str, Any], label: LabelSelector | None, field: FieldSelector | None) -> bool:
    """Whether an object passes both selectors; a None selector lets everything through."""
    labels = (obj.get("metadata") or {}).get("labels")
    return (label is None or label.matches(labels)) and (field is None or field.matches(obj))
