"""What the page modules share: the router they are built on, the practice of a request, and a
form's fields checked by the API's own body model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter
from pydantic import BaseModel, ValidationError

from otbill.api.deps import Ctx
from otbill.api.problems import Problem
from otbill.errors import OtbillError
from otbill.ledger import schema as t
from otbill.web.errors import PageRoute

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


def page_router() -> APIRouter:
    return APIRouter(route_class=PageRoute, include_in_schema=False)


def practice(ctx: Ctx) -> t.Practice:
    row = ctx.db.get(t.Practice, ctx.practice_id)
    assert row is not None  # require() let the caller in: the practice exists
    return row


def body(model: type[M], **fields: Any) -> M:
    """The API route's body model from a form's fields: the same checks, in a form's words."""
    try:
        return model(**fields)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in err['loc']) or 'form'}: {err['msg'].lower()}"
            for err in e.errors()
        )
        raise Problem(422, f"the form is not complete: {problems}", "invalid") from None


def query(values: dict[str, Any]) -> str:
    """A query string of the values given (empty ones left out): a filtered view's address."""
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    return urlencode(kept)


class Refused:
    """A form refused by the ledger or the API's checks: the page is shown again with why, and
    the status the API would answer (the audit row records the refusal, not a success)."""

    def __init__(self, status: int, detail: str) -> None:
        self.status, self.detail = status, detail


def attempt(ctx: Ctx, work: Callable[[], R]) -> R | Refused:
    """Do a form's work; a refusal undoes whatever it wrote (as the API's rolls back)."""
    try:
        return work()
    except Problem as e:
        if e.status in (401, 403, 404):
            raise  # who may see what: answered as the API answers it
        ctx.db.rollback()
        return Refused(e.status, e.detail)
    except OtbillError as e:
        ctx.db.rollback()
        return Refused(422, str(e))
