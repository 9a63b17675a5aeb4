"""Models: ``GET /models`` and ``GET /models/{id}``.

Public calls (``client.models``):

``await client.models.list() -> list[Model]``
    In the server's order, duplicates removed. Tolerates ``{"data": [...]}``, a bare list, and ids
    given as plain strings. A server without the endpoint raises ``NotFoundError`` (quirk 10): the
    UI should then let the user type a model id. An id listed here may still be refused by the chat
    endpoint; that error comes from the chat call.
``await client.models.retrieve(model_id) -> Model``
"""

from __future__ import annotations

import urllib.parse

from app.api._http import HTTPCore
from app.api.types import Model

__all__ = ["Models"]


class Models:
    """``client.models``."""

    def __init__(self, http: HTTPCore) -> None:
        self._http = http

    async def list(self) -> list[Model]:
        payload = await self._http.request_json("GET", "models")
        items = payload.get("data", payload.get("models")) if isinstance(payload, dict) else payload
        if not isinstance(items, list):
            raise self._http.status_error(200, {"content-type": "text/plain"}, b"The answer has no model list.",
                                          method="GET", url=self._http.url("models"))
        seen: set[str] = set()
        models: list[Model] = []
        for item in items:
            if not isinstance(item, (dict, str)):
                continue
            model = Model.from_json(item)
            if model.id and model.id not in seen:
                seen.add(model.id)
                models.append(model)
        return models

    async def retrieve(self, model_id: str) -> Model:
        # Slashes stay: ids like "accounts/x/models/y" are routed as paths by the servers that use them.
        path = "models/" + urllib.parse.quote(model_id, safe="/:@")
        payload = await self._http.request_json("GET", path)
        model = Model.from_json(payload if isinstance(payload, dict) else {})
        return model if model.id else Model(id=model_id)
