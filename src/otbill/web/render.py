"""Pages from Jinja2 templates (autoescaped), and the one-time message a page shows after a form
was worked (a redirect follows every successful POST, so reloading never posts again)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from otbill.access.roles import can
from otbill.api.deps import Actor

HERE = Path(__file__).parent
FLASH = "__Host-otbill-flash"

env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def money(x: Any) -> str:
    if x is None or x == "":
        return "—"
    d = x if isinstance(x, Decimal) else Decimal(str(x))
    return f"-${-d:,.2f}" if d < 0 else f"${d:,.2f}"


def day(x: Any) -> str:
    if x is None or x == "":
        return "—"
    if isinstance(x, datetime):
        return f"{x:%Y-%m-%d %H:%M}"
    if isinstance(x, date):
        return x.isoformat()
    return str(x)


def words(x: str | None) -> str:
    """A state or key as words: partially_paid -> partially paid."""
    return (x or "").replace("_", " ")


env.filters.update(money=money, day=day, words=words)


# The pages of a practice, in the order of the navigation, with the permission each needs (the
# same as the API route it reads).
NAV = (
    ("dashboard", "Dashboard", "", "claims:read"),
    ("claims", "Claims", "/claims", "claims:read"),
    ("denials", "Denials", "/denials", "claims:read"),
    ("remittances", "Remittances", "/remittances", "claims:read"),
    ("eligibility", "Eligibility", "/eligibility", "eligibility:run"),
    ("patients", "Patients", "/patients", "patients:read"),
)


def nav(practice_id: int, role: str) -> list[dict[str, str]]:
    return [
        {"key": key, "label": label, "href": f"/p/{practice_id}{path}"}
        for key, label, path, perm in NAV
        if can(role, perm)
    ]


def landing(practice_id: int, role: str) -> str:
    """The first page of a practice for the role: its dashboard, or (a front desk, who reads
    no claims) its patients."""
    links = {x["key"]: x["href"] for x in nav(practice_id, role)}
    for key in ("dashboard", "patients", *links):
        if key in links:
            return links[key]
    return "/"


def _sign(actor: Actor, payload: str) -> str:
    key = (actor.csrf or "").encode()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:32]


def redirect(url: str, actor: Actor | None = None, message: str = "") -> RedirectResponse:
    """303 to ``url``; with a message the next page shows once (a cookie signed with the
    session's CSRF secret, so only this session's pages take it)."""
    r = RedirectResponse(url, status_code=303)
    if message and actor is not None:
        payload = base64.urlsafe_b64encode(json.dumps(message).encode()).decode()
        r.set_cookie(
            FLASH,
            f"{payload}.{_sign(actor, payload)}",
            max_age=120,
            secure=True,
            httponly=True,
            samesite="strict",
            path="/",
        )
    return r


def _take_flash(request: Request, actor: Actor | None) -> str:
    raw = request.cookies.get(FLASH, "")
    if not raw or actor is None or "." not in raw:
        return ""
    payload, sig = raw.rsplit(".", 1)
    if not hmac.compare_digest(sig, _sign(actor, payload)):
        return ""
    try:
        text = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return ""
    return text if isinstance(text, str) else ""


def page(
    request: Request,
    template: str,
    *,
    actor: Actor | None = None,
    practice: Any = None,
    current: str = "",
    status: int = 200,
    error: str = "",
    **values: Any,
) -> Response:
    """A whole page: the template with who is signed in, the practice's navigation, the CSRF
    token for forms and htmx, and the message left by the last form (shown once)."""
    role = actor.roles.get(practice.id) if actor is not None and practice is not None else None
    message = _take_flash(request, actor)
    html = env.get_template(template).render(
        request=request,
        actor=actor,
        practice=practice,
        role=role,
        nav=nav(practice.id, role) if practice is not None and role else [],
        current=current,
        csrf=actor.csrf if actor is not None else "",
        message=message,
        error=error,
        can=(lambda perm: role is not None and can(role, perm)),
        **values,
    )
    r = HTMLResponse(html, status_code=status)
    if request.cookies.get(FLASH):
        r.delete_cookie(FLASH, secure=True, httponly=True, samesite="strict", path="/")
    return r


def fragment(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Part of a page, for htmx to swap in."""
    return HTMLResponse(env.get_template(template).render(**values), status_code=status)
