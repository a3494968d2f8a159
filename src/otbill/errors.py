"""The error types the shell turns into messages and exit status 2."""

from __future__ import annotations


class OtbillError(Exception):
    """Base of every error otbill raises on purpose."""


class InputError(OtbillError):
    """Bad input: names the field (a JSON path, a CLI argument, a file line) and what is wrong."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


class CodeSetError(OtbillError):
    """A code-set data file that cannot be read; names the file and line."""
