"""Plausible Sock Shop response bodies: the sock catalogue, carts, customers, orders and pages."""

from __future__ import annotations

import json
from typing import Any

SOCKS: tuple[dict[str, Any], ...] = (
    {"id": "03fef6ac-1896-4ce8-bd69-b798f85c6e0b", "name": "Holy", "price": 99.99, "count": 1,
     "description": "Socks fit for a Messiah. You too can experience walking in water with these special edition beauties.",
     "imageUrl": ["/catalogue/images/holy_1.jpeg", "/catalogue/images/holy_2.jpeg"], "tag": ["action", "magic"]},
    {"id": "3395a43e-2d88-40de-b95f-e00e1502085b", "name": "Colourful", "price": 18, "count": 438,
     "description": "proident occaecat irure et excepteur labore minim nisi amet irure",
     "imageUrl": ["/catalogue/images/colourful_socks.jpg", "/catalogue/images/colourful_socks.jpg"],
     "tag": ["brown", "blue"]},
    {"id": "510a0d7e-8e83-4193-b483-e27e09ddc34d", "name": "SuperSport XL", "price": 15, "count": 820,
     "description": "Ready for action. Engineers: be ready to smash that next bug! Be ready, with these super-action sport-masterpieces.",
     "imageUrl": ["/catalogue/images/puma_1.jpeg", "/catalogue/images/puma_2.jpeg"], "tag": ["sport", "formal", "black"]},
    {"id": "808a2de1-1aaa-4c25-a9b9-6612e8f29a38", "name": "Crossed", "price": 17.32, "count": 738,
     "description": "A mature sock, crossed, with an air of nonchalance.",
     "imageUrl": ["/catalogue/images/cross_1.jpeg", "/catalogue/images/cross_2.jpeg"], "tag": ["blue", "action", "red"]},
    {"id": "819e1fbf-8b7e-4f6d-811f-693534916a8b", "name": "Figueroa", "price": 14, "count": 808,
     "description": "enim officia aliqua excepteur esse deserunt quis aliquip nostrud anim",
     "imageUrl": ["/catalogue/images/WAT.jpg", "/catalogue/images/WAT2.jpg"], "tag": ["green", "formal", "blue"]},
    {"id": "a0a4f044-b040-410d-8ead-4de0446aec7e", "name": "Nerd leg", "price": 7.99, "count": 115,
     "description": "For all those leg lovers out there. A perfect example of a swivel chair trained calf.",
     "imageUrl": ["/catalogue/images/bit_of_leg_1.jpeg", "/catalogue/images/bit_of_leg_2.jpeg"], "tag": ["blue", "skin"]},
    {"id": "d3588630-ad8e-49df-bbd7-3167f7efb246", "name": "YouTube.sock", "price": 10.99, "count": 801,
     "description": "We were not paid to sell this sock. It's just a bit geeky.",
     "imageUrl": ["/catalogue/images/youtube_1.jpeg", "/catalogue/images/youtube_2.jpeg"], "tag": ["geek", "formal"]},
    {"id": "zzz4f044-b040-410d-8ead-4de0446aec7e", "name": "Classic", "price": 12, "count": 127,
     "description": "Keep it simple.",
     "imageUrl": ["/catalogue/images/classic.jpg", "/catalogue/images/classic2.jpg"], "tag": ["brown", "green"]},
)
TAGS = sorted({tag for sock in SOCKS for tag in sock["tag"]})
CUSTOMER = {"id": "57a98d98e4b00679b4a830af", "firstName": "Eve", "lastName": "Berger", "username": "Eve_Berger"}
PAGE = (
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>WeaveSocks</title>"
    "<link href=\"css/bootstrap.min.css\" rel=\"stylesheet\"></head><body><div id=\"top\"><div class=\"container\">"
    "<a href=\"index.html\">WeaveSocks</a></div></div><div id=\"content\"><div class=\"container\">"
    "<div class=\"row products\" id=\"products\"></div></div></div><script src=\"js/front.js\"></script>"
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
