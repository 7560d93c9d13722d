"""Field errors and name rules, worded exactly as the apiserver words them.

A rejected write comes back to kubectl as `Deployment.apps "x" is invalid: <field>: <message>`, and
agents (and the people reading their transcripts) search for those messages. So each cause here is a
`meta/v1 StatusCause` (`reason`, `message`, `field`) whose message is what Go's
`field.Error.ErrorBody()` prints: the error type, the bad value in Go syntax, then the detail.

The name checks return lists of messages, like `k8s.io/apimachinery/pkg/util/validation`, because
one bad value can break several rules at once and the apiserver reports each.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

Cause = dict[str, str]


class GoSyntax(str):
    """A bad value already rendered the way Go's `%#v` prints it (structs, typed nil slices)."""


# --- reading objects leniently -------------------------------------------------------------------


def items(value: Any) -> list[dict[str, Any]]:
    """The dict elements of a JSON list; anything else reads as empty (decoding would reject it)."""
    if not isinstance(value, list):
        return []
    return [item if isinstance(item, dict) else {} for item in value]


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# --- rendering bad values ------------------------------------------------------------------------


def _go_quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _go_float(number: float) -> str:
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    return repr(number)


def go_value(value: Any) -> str:
    """A bad value as `ErrorBody` prints it: strings quoted, numbers bare, maps as `map[string]string{...}`."""
    if isinstance(value, GoSyntax):
        return str(value)
    if value is None:
        return '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        return _go_quote(value)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        pairs = ", ".join(f"{_go_quote(str(k))}:{_go_quote(value[k])}" for k in sorted(value))
        return f"map[string]string{{{pairs}}}"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[]string{" + ", ".join(_go_quote(v) for v in value) + "}"
    return json.dumps(value, sort_keys=True)


# --- causes --------------------------------------------------------------------------------------


def _cause(reason: str, field: str, message: str) -> Cause:
    return {"reason": reason, "message": message, "field": field}


def _with_detail(text: str, detail: str) -> str:
    return f"{text}: {detail}" if detail else text


def required(field: str, detail: str = "") -> Cause:
    """`Required value` (FieldValueRequired)."""
    return _cause("FieldValueRequired", field, _with_detail("Required value", detail))


def invalid(field: str, value: Any, detail: str) -> Cause:
    """`Invalid value: <value>: <detail>` (FieldValueInvalid)."""
    return _cause("FieldValueInvalid", field, _with_detail(f"Invalid value: {go_value(value)}", detail))


def not_supported(field: str, value: Any, supported: Sequence[str]) -> Cause:
    """`Unsupported value: "x": supported values: "a", "b"` (FieldValueNotSupported)."""
    detail = "supported values: " + ", ".join(_go_quote(v) for v in supported) if supported else ""
    return _cause("FieldValueNotSupported", field, _with_detail(f"Unsupported value: {go_value(value)}", detail))


def duplicate(field: str, value: Any) -> Cause:
    """`Duplicate value: "x"` (FieldValueDuplicate)."""
    return _cause("FieldValueDuplicate", field, f"Duplicate value: {go_value(value)}")


def not_found(field: str, value: Any) -> Cause:
    """`Not found: "x"` (FieldValueNotFound), e.g. a volumeMount naming no volume."""
    return _cause("FieldValueNotFound", field, f"Not found: {go_value(value)}")


def forbidden(field: str, detail: str) -> Cause:
    """`Forbidden: <detail>` (FieldValueForbidden)."""
    return _cause("FieldValueForbidden", field, _with_detail("Forbidden", detail))


def too_long(field: str, limit: int) -> Cause:
    """`Too long: may not be more than N bytes` (FieldValueTooLong)."""
    return _cause("FieldValueTooLong", field, f"Too long: may not be more than {limit} bytes")


def invalid_each(field: str, value: Any, messages: list[str]) -> list[Cause]:
    """One Invalid cause per broken rule, as the apiserver reports them."""
    return [invalid(field, value, message) for message in messages]


# --- name rules ----------------------------------------------------------------------------------

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + r"(\." + _DNS1123_LABEL_FMT + ")*"
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT = "(" + _QUALIFIED_NAME_FMT + ")?"
_PERCENT_FMT = "[0-9]+%"

_QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)


def regex_error(message: str, pattern: str, *examples: str) -> str:
    """A rule's message with examples and the regex, in apimachinery's exact layout."""
    if not examples:
        return f"{message} (regex used for validation is '{pattern}')"
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{pattern}')"


def max_len_error(limit: int) -> str:
    return f"must be no more than {limit} characters"


def _full(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


def dns1123_label(value: str) -> list[str]:
    """Rules for names like container names, namespace names and port names of Services."""
    errors = [max_len_error(63)] if len(value) > 63 else []
    if not _full(_DNS1123_LABEL_FMT, value):
        errors.append(
            regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character",
                _DNS1123_LABEL_FMT,
                "my-name",
                "123-abc",
            )
        )
    return errors


def dns1123_subdomain(value: str) -> list[str]:
    """Rules for most object names (Pods, Deployments, ConfigMaps ...)."""
    errors = [max_len_error(253)] if len(value) > 253 else []
    if not _full(_DNS1123_SUBDOMAIN_FMT, value):
        errors.append(
            regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                "and must start and end with an alphanumeric character",
                _DNS1123_SUBDOMAIN_FMT,
                "example.com",
            )
        )
    return errors


def dns1035_label(value: str) -> list[str]:
    """Rules for Service names: a label that starts with a letter."""
    errors = [max_len_error(63)] if len(value) > 63 else []
    if not _full(_DNS1035_LABEL_FMT, value):
        errors.append(
            regex_error(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                "start with an alphabetic character, and end with an alphanumeric character",
                _DNS1035_LABEL_FMT,
                "my-name",
                "abc-123",
            )
        )
    return errors


def qualified_name(value: str) -> list[str]:
    """Rules for label and annotation keys: an optional DNS subdomain prefix, '/', then a name."""
    parts = value.split("/")
    errors: list[str] = []
    if len(parts) > 2:
        return [
            "a qualified name "
            + regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors += ["prefix part " + message for message in dns1123_subdomain(prefix)]
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part " + max_len_error(63))
    if not _full(_QUALIFIED_NAME_FMT, name):
        errors.append(
            "name part " + regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def label_value(value: str) -> list[str]:
    """Rules for label values: empty, or a name-like string up to 63 characters."""
    errors = [max_len_error(63)] if len(value) > 63 else []
    if not _full(_LABEL_VALUE_FMT, value):
        errors.append(
            regex_error(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                "and must start and end with an alphanumeric character",
                _LABEL_VALUE_FMT,
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return errors


def port_number(value: int) -> list[str]:
    return [] if 1 <= value <= 65535 else ["must be between 1 and 65535, inclusive"]


def port_name(value: str) -> list[str]:
    """Rules for named ports (IANA service names)."""
    errors = [max_len_error(15)] if len(value) > 15 else []
    if not _full("[-a-z0-9]+", value):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    elif not re.search("[a-z]", value):
        errors.append("must contain at least one letter (a-z)")
    if "--" in value:
        errors.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def env_var_name(value: str) -> list[str]:
    """Relaxed environment variable names (GA since Kubernetes 1.34): printable ASCII except '='."""
    if not value:
        return ["environment variable name must be non-empty"]
    if any(not (32 <= ord(char) <= 126) or char == "=" for char in value):
        return ["a valid environment variable name must consist only of printable ASCII characters other than '='"]
    return []


def percent(value: str) -> list[str]:
    if _full(_PERCENT_FMT, value):
        return []
    return [
        regex_error(
            "a valid percent string must be a numeric string followed by an ending '%'", _PERCENT_FMT, "1%", "93%"
        )
    ]
