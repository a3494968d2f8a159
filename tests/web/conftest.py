"""Fixtures of the page tests (the helpers are in pagekit.py, imported by that name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from pagekit import Pages, make_pages


@pytest.fixture
def pages(engine: Engine, tmp_path: Path) -> Pages:
    return make_pages(engine, tmp_path)
