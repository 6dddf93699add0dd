"""The sandbox's error answers: Axiom's JSON {"message","code"} shape, an nginx-style HTML 500,
and a dropped connection; raised anywhere in a handler, turned into a response by the middleware."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

# 401, 403 and 404 as Axiom's OpenAPI file words them (v1.json: UnauthorizedError, ForbiddenError,
# NotFoundError examples); 429 as axiom-go's tests and the docs' limits page show it.
REASONS = {400: "bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
           405: "method not allowed", 409: "conflict", 413: "request entity too large",
           415: "unsupported media type", 429: "rate limit exceeded",
           430: "monthly ingest limit reached", 500: "internal server error", 502: "bad gateway",
           503: "service unavailable", 504: "gateway timeout"}


class ApiError(Exception):
    """An error answer: JSON {"message","code"} with this status (and maybe extra headers)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class HtmlError(ApiError):
    """A 500 whose body is HTML, as a proxy in front of Axiom sends it."""

    def __init__(self, html: str):
        super().__init__(500, html)


class BadEvent(Exception):
    """Event `index` of the request is not a JSON object: the whole request is refused."""

    def __init__(self, index: int, reason: str):
        super().__init__(f"invalid event at index {index}: {reason}")
        self.index = index


class Dropped(Exception):
    """The connection was aborted on purpose: no answer is sent."""


def drop_connection(request: web.Request) -> None:
    """Abort the connection under `request` (a scripted fault); raises Dropped."""
    if request.transport is not None:
        request.transport.abort()
    raise Dropped()


def json_response(status: int, body: Any) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")


def error_response(status: int, message: str) -> web.Response:
    return json_response(status, {"message": message, "code": status})
