"""Password hashes: Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB,
3 passes, 4 lanes), above OWASP's minimum; a hash made with older parameters is renewed at the
next sign-in."""

from __future__ import annotations

import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OTBILL_TEST_FAST_HASHES=1 is for the test suite only, which signs in hundreds of times: the
# same Argon2id at a few kilobytes, so a test's cost is not the hash's. Never set it in use.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    if os.environ.get("OTBILL_TEST_FAST_HASHES") == "1"
    else PasswordHasher()
)
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def password_problem(password: str, username: str) -> str | None:
    """Why a new password is refused (length, and not the username), or None."""
    if len(password) < MIN_LENGTH:
        return f"a password has at least {MIN_LENGTH} characters"
    if username.lower() in password.lower():
        return "a password may not contain the username"
    return None
