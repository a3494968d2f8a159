"""Errors as RFC 9457 problem details: type, title, status, detail, instance."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    429: "Too many attempts",
    500: "Server error",
}


class Problem(Exception):
    """Raised by a route or dependency; answered as application/problem+json."""

    def __init__(self, status: int, detail: str, kind: str = "", **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.kind, self.extra = status, detail, kind, extra


def problem_response(
    request: Request, status: int, detail: str, kind: str = "", **extra: Any
) -> JSONResponse:
    body = {
        "type": f"https://otbill.dev/problems/{kind}" if kind else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def not_found(what: str = "no such record in the practices you may see") -> Problem:
    """Out of scope and missing look the same: a record of another practice is not found."""
    return Problem(404, what, "not-found")
