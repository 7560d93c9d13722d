"""Errors of the LLM layer, named by what the caller should do about them.

    LLMError            anything below; catch it to turn any LLM problem into one line on stderr
    ├── SecretsError    conf/secret.yaml (or the file given) is wrong: the user must edit it;
    │                   entry modules exit with code 2
    └── LLMUnavailable  the configuration is well formed but the endpoint does not answer, rejects
                        the key or does not serve the model: start the server or fix the endpoint

Every message is one line that names the file and field involved and what is expected, so it can
be printed as it is.
"""

from __future__ import annotations


class LLMError(RuntimeError):
    """A problem with the LLM backend; the message is one line meant for the user."""


class SecretsError(LLMError, ValueError):
    """The secrets file is missing, malformed or incomplete; the message names file, field and expectation."""


class LLMUnavailable(LLMError):
    """The configured endpoint cannot serve requests (down, key rejected, model not served, model not loadable)."""
