"""Refusals on the pages: where the API answers a problem document, a page answers what a person
can act on. No session: to the sign-in page (303), and back here after it; not allowed, not
found, not valid: a page that says so with the same words as the API (a record of another
practice is not found, never forbidden)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from otbill.api.problems import TITLES, Problem
from otbill.errors import OtbillError


def safe_next(path: str | None) -> str:
    """A place on this site to return to after signing in (never another site's address)."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")):
        return "/"
    return path


def page_problem(request: Request, status: int, detail: str) -> Response:
    if status == 401:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = "/login" if request.method != "GET" else f"/login?next={quote(safe_next(here))}"
        if request.headers.get("hx-request"):
            # htmx follows this header whatever the status: the whole window goes to sign in.
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    from otbill.web.render import page

    return page(
        request,
        "error.html",
        actor=request.state.actor,
        status=status,
        title=TITLES.get(status, "Error"),
        detail=detail,
    )


class PageRoute(APIRoute):
    """A page's route: a form that does not validate, or a refusal of otbill's, becomes a
    Problem, which api/app.py answers as a page for paths outside /api."""

    def get_route_handler(self) -> Any:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                response: Response = await handler(request)
            except RequestValidationError as e:
                fields = "; ".join(
                    f"{'.'.join(str(x) for x in err['loc'][1:]) or 'form'}: {err['msg']}"
                    for err in e.errors()
                )
                raise Problem(422, f"the form is not valid ({fields})", "invalid") from None
            except OtbillError as e:
                raise Problem(422, str(e), "refused") from None
            return response

        return run
