"""What a Locust user requests from each Sock Shop component, as data.

Two shapes of traffic, both closed-loop (the user waits 1 s after each iteration):

- **front-end**: a browsing visit, the paper's persistent-connection script — fetch the
  catalogue, pick one of its items, then open the home page, the category page and that item's
  detail page. Four requests per iteration.
- **any other component**: one request per iteration, drawn by weight from that component's own
  API. For catalogue, `GET /catalogue` carries most of the weight because the paper's low-level
  load on catalogue was, in effect, exactly one `GET /catalogue` per user per second. Components
  without an HTTP API of their own (databases, queues) get `GET /health`.

URLs that carry an id have a fixed stats `name`, so Locust's statistics stay bounded. Kept free
of Locust imports so the parent process and unit tests can validate components and mixes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SOCK_IDS = (
    "03fef6ac-1896-4ce8-bd69-b798f85c6e0b",
    "3395a43e-2d88-40de-b95f-e00e1502085b",
    "510a0d7e-8e83-4193-b483-e27e09ddc34d",
    "808a2de1-1aaa-4c25-a9b9-6612e8f29a38",
    "819e1fbf-8b7e-4f6d-811f-693534916a8b",
    "a0a4f044-b040-410d-8ead-4de0446aec7e",
    "d3588630-ad8e-49df-bbd7-3167f7efb246",
    "zzz4f044-b040-410d-8ead-4de0446aec7e",
)
"""Sock ids of the real Sock Shop catalogue: used until a `/catalogue` response supplies ids."""

CUSTOMER_IDS = ("57a98d98e4b00679b4a830af", "57a98d98e4b00679b4a830b2", "57a98d98e4b00679b4a830b5")
"""Customer ids of Sock Shop's seeded user database, for carts' per-customer routes."""

COMPONENTS = (
    "front-end",
    "catalogue",
    "catalogue-db",
    "carts",
    "carts-db",
    "orders",
    "orders-db",
    "payment",
    "queue-master",
    "rabbitmq",
    "session-db",
    "shipping",
    "user",
    "user-db",
)
"""Every Sock Shop service a load test may target."""


class UnknownComponentError(ValueError):
    """The component is not a Sock Shop service."""


@dataclass(frozen=True)
class Call:
    """One HTTP request of a mix. `path` may hold `{item}` (a sock id) or `{customer}`."""

    method: str
    path: str
    name: str | None = None
    """Stats name for a path with ids; None groups by the path itself."""
    weight: int = 1
    body: Mapping[str, Any] | None = None
    """JSON body, for POST routes."""
    lists_items: bool = False
    """The response is a catalogue listing whose item ids later calls may use."""


@dataclass(frozen=True)
class Mix:
    """A component's traffic: a whole visit per iteration, or one weighted call per iteration."""

    calls: tuple[Call, ...]
    visit: bool = False

    def next_calls(self, rng: random.Random) -> tuple[Call, ...]:
        """The calls of one iteration, in order."""
        if self.visit:
            return self.calls
        return tuple(rng.choices(self.calls, weights=[call.weight for call in self.calls]))


_HEALTH = Mix((Call("GET", "/health"),))

_MIXES: dict[str, Mix] = {
    "front-end": Mix(
        (
            Call("GET", "/catalogue", lists_items=True),
            Call("GET", "/"),
            Call("GET", "/category.html"),
            Call("GET", "/detail.html?id={item}", name="/detail.html?id=[id]"),
        ),
        visit=True,
    ),
    "catalogue": Mix(
        (
            Call("GET", "/catalogue", weight=7, lists_items=True),
            Call("GET", "/catalogue/{item}", name="/catalogue/[id]"),
            Call("GET", "/catalogue/size"),
            Call("GET", "/tags"),
        )
    ),
    "carts": Mix(
        (
            Call("GET", "/carts/{customer}/items", name="/carts/[customerId]/items", weight=3),
            Call("GET", "/carts/{customer}", name="/carts/[customerId]"),
        )
    ),
    "user": Mix((Call("GET", "/customers", weight=2), Call("GET", "/cards"), Call("GET", "/addresses"))),
    "orders": Mix((Call("GET", "/orders"),)),
    "payment": Mix((Call("POST", "/paymentAuth", body={"amount": 42.5}),)),
    "shipping": Mix((Call("GET", "/shipping"),)),
}


def check_component(component: str) -> str:
    """Return `component` if it is a Sock Shop service.

    Raises:
        UnknownComponentError: with the list of valid components.
    """
    if component not in COMPONENTS:
        raise UnknownComponentError(f"unknown component {component!r}; valid components: {', '.join(COMPONENTS)}")
    return component


def mix_for(component: str) -> Mix:
    """The request mix for `component` (`GET /health` for services without an API of their own)."""
    return _MIXES.get(check_component(component), _HEALTH)


def items_from_catalogue(text: str) -> list[str]:
    """Sock ids from a `/catalogue` response body; empty when it is not a catalogue listing."""
    try:
        listing = json.loads(text)
    except ValueError:
        return []
    if not isinstance(listing, list):
        return []
    return [entry["id"] for entry in listing if isinstance(entry, dict) and isinstance(entry.get("id"), str)]
