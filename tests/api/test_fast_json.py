"""The API's JSON written by orjson is byte for byte what FastAPI and pydantic would write, the
route's status code is kept, and a route that sets a cookie keeps FastAPI's own path."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from fastapi.testclient import TestClient

from otbill.api.fast import JSONRoute

SAMPLE: dict[str, Any] = {
    "amount": Decimal("104.00"),
    "total": Decimal("-0.50"),
    "date_of_service": date(2026, 3, 2),
    "at": datetime(2026, 3, 20, 9, 0, 0, 123456, tzinfo=UTC),
    "at_chicago": datetime(2026, 3, 20, 9, 0, tzinfo=timezone(timedelta(hours=-5))),
    "naive": datetime(2026, 3, 20, 9, 0),  # noqa: DTZ001 - a naive one on purpose
    "roles": {1: "biller", 2: "coder"},
    "lines": [{"code": "97110", "units": 2, "modifiers": ("GO", "KX")}, None],
    "ratio": 0.25,
    "ok": True,
    "text": 'Ünïcode, "quoted" </script>',
}


def app_with(route_class: type | None) -> TestClient:
    router = APIRouter(route_class=route_class) if route_class else APIRouter()

    @router.get("/sample")
    def sample() -> dict[str, Any]:
        return SAMPLE

    @router.post("/made", status_code=201)
    def made() -> dict[str, Any]:
        return {"id": 7}

    @router.get("/cookie")
    def cookie(response: Response) -> dict[str, Any]:
        response.set_cookie("k", "v")
        return {"set": True}

    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


def test_the_same_bytes_as_pydantic() -> None:
    ours, theirs = app_with(JSONRoute), app_with(None)
    a, b = ours.get("/sample"), theirs.get("/sample")
    assert a.content == b.content
    assert a.headers["content-type"] == b.headers["content-type"] == "application/json"
    assert a.json()["amount"] == "104.00" and a.json()["at"].endswith(".123456Z")


def test_the_status_code_and_the_cookie_are_kept() -> None:
    c = app_with(JSONRoute)
    assert c.post("/made").status_code == 201
    r = c.get("/cookie")
    assert r.json() == {"set": True} and r.cookies.get("k") == "v"
