"""Kubernetes API errors, as the apiserver reports them.

Every failure inside the twin that a client should see becomes an `ApiError`; the server turns it
into a `meta/v1 Status` body with the matching HTTP code. kubectl prints `Status.message`, so the
messages follow the real apiserver's wording.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A request the apiserver refuses; carries everything a `Status` object needs."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict[str, Any]:
        """The `Status` body for this error."""
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _object_details(resource: str, name: str, group: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "kind": resource}
    if group:
        details["group"] = group
    return details


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, name: str, group: str = "") -> ApiError:
    return ApiError(
        404,
        "NotFound",
        f'{_qualified(resource, group)} "{name}" not found',
        details=_object_details(resource, name, group),
    )


def already_exists(resource: str, name: str, group: str = "") -> ApiError:
    return ApiError(
        409,
        "AlreadyExists",
        f'{_qualified(resource, group)} "{name}" already exists',
        details=_object_details(resource, name, group),
    )


def conflict(resource: str, name: str, group: str = "") -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_qualified(resource, group)} "{name}": '
        "the object has been modified; please apply your changes to the latest version and try again",
        details=_object_details(resource, name, group),
    )


def invalid(kind: str, name: str, causes: list[dict[str, str]], group: str = "") -> ApiError:
    """422 with field causes, worded like `Deployment.apps "x" is invalid: field: message`."""
    parts = [f"{c.get('field', '')}: {c.get('message', '')}" for c in causes]
    summary = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    details: dict[str, Any] = {"name": name, "kind": kind, "causes": causes}
    if group:
        details["group"] = group
    return ApiError(422, "Invalid", f'{_qualified(kind, group)} "{name}" is invalid: {summary}', details=details)


def unauthorized() -> ApiError:
    """401 for a request whose credentials do not authenticate (kubectl: "You must be logged in")."""
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(resource: str, name: str, group: str, reason: str) -> ApiError:
    """403 worded as `apierrors.NewForbidden`: `<resource>.<group> "<name>" is forbidden: <reason>`.

    With no resource (a non-resource URL) the message is `forbidden: <reason>` and the details are
    empty, not absent, as the apiserver sends them.
    """
    if not resource:
        return ApiError(403, "Forbidden", f"forbidden: {reason}", details={})
    qualified = _qualified(resource, group)
    message = f'{qualified} "{name}" is forbidden: {reason}' if name else f"{qualified} is forbidden: {reason}"
    details: dict[str, Any] = {"name": name, "kind": resource} if name else {"kind": resource}
    if group:
        details["group"] = group
    return ApiError(403, "Forbidden", message, details=details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def method_not_allowed(message: str) -> ApiError:
    return ApiError(405, "MethodNotAllowed", message)


def gone(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def unsupported_media_type(content_type: str) -> ApiError:
    return ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media types include: "
        f"application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml "
        f"(got {content_type})",
    )
