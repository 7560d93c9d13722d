"""Plausible Sock Shop response bodies: the sock catalogue, carts, customers, orders and pages."""

from __future__ import annotations

import json
from typing import Any

import yaml

from ...config import REPO_ROOT

CATALOGUE_FILE = REPO_ROOT / "data" / "twin" / "sock-catalogue.yaml"
SOCKS: tuple[dict[str, Any], ...] = tuple(yaml.safe_load(CATALOGUE_FILE.read_text())["socks"])
TAGS = sorted({tag for sock in SOCKS for tag in sock["tag"]})
CUSTOMER = {"id": "57a98d98e4b00679b4a830af", "firstName": "Eve", "lastName": "Berger", "username": "Eve_Berger"}
PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>WeaveSocks</title>'
    '<link href="css/bootstrap.min.css" rel="stylesheet"></head><body><div id="top"><div class="container">'
    '<a href="index.html">WeaveSocks</a></div></div><div id="content"><div class="container">'
    '<div class="row products" id="products"></div></div></div><script src="js/front.js"></script>'
    "</body></html>"
)


def _item(path: str) -> dict[str, Any]:
    wanted = path.rstrip("/").rsplit("/", 1)[-1]
    return next((sock for sock in SOCKS if sock["id"] == wanted), SOCKS[0])


def _json(value: Any) -> tuple[str, bytes]:
    return "application/json", json.dumps(value).encode()


def render(kind: str, path: str) -> tuple[str, bytes]:
    """(content type, body) for a route's body kind; unknown kinds answer an empty JSON object."""
    renderers = {
        "html": lambda: ("text/html", PAGE.encode()),
        "catalogue": lambda: _json(list(SOCKS)),
        "item": lambda: _json(_item(path)),
        "size": lambda: _json({"size": len(SOCKS), "err": None}),
        "tags": lambda: _json({"tags": TAGS, "err": None}),
        "health": lambda: _json({"health": [{"service": "ok", "status": "OK"}]}),
        "cart": lambda: _json([{"itemId": SOCKS[1]["id"], "quantity": 1, "unitPrice": SOCKS[1]["price"]}]),
        "orders": lambda: _json({"_embedded": {"customerOrders": []}, "page": {"size": 20, "totalElements": 0}}),
        "order": lambda: _json({"id": "5d9f1c6a2b", "customerId": CUSTOMER["id"], "total": 22.99}),
        "customers": lambda: _json({"_embedded": {"customer": [CUSTOMER]}}),
        "customer": lambda: _json(CUSTOMER),
        "cards": lambda: _json({"_embedded": {"card": [{"longNum": "5953580604169678", "expires": "08/19"}]}}),
        "addresses": lambda: _json({"_embedded": {"address": [{"street": "Whitelees Road", "city": "Glasgow"}]}}),
        "payment": lambda: _json({"authorised": True, "message": "Payment authorised"}),
        "shipping": lambda: _json({"id": "a5c14b15", "name": CUSTOMER["id"]}),
        "id": lambda: _json({"id": CUSTOMER["id"]}),
    }
    return renderers.get(kind, lambda: _json({}))()
