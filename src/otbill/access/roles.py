"""Roles and what each may do. A user holds one role per practice (Membership); an API token
holds one role in one practice. Every route names the permission it needs (api/deps.py)."""

from __future__ import annotations

PERMISSIONS = (
    "practice:read",  # the practice itself, its dashboard
    "patients:read",
    "patients:pay",  # record a payment at the front desk, print a statement
    "visits:write",  # import visits
    "claims:read",
    "claims:write",  # build, split, merge, correct, void, submit
    "remits:post",  # post an 835 or an acknowledgment
    "denials:work",  # assign, note, act, appeal letters
    "eligibility:run",
    "reports:read",
    "audit:read",
    "users:admin",  # users, memberships, API tokens
)

_READ = {"practice:read", "patients:read", "claims:read", "reports:read"}
ROLES: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "manager": frozenset(PERMISSIONS) - {"users:admin"},
    "biller": frozenset(
        _READ | {"patients:pay", "claims:write", "remits:post", "denials:work", "eligibility:run"}
    ),
    "coder": frozenset(_READ | {"visits:write", "claims:write"}),
    "front_desk": frozenset(
        {"practice:read", "patients:read", "patients:pay", "eligibility:run", "visits:write"}
    ),
    "auditor": frozenset(_READ | {"audit:read"}),  # read only
}
# Roles that must prove a second factor (TOTP) at sign-in.
MFA_ROLES = frozenset({"admin"})


def can(role: str, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise ValueError(f"no such permission {permission!r}")
    return permission in ROLES.get(role, frozenset())
