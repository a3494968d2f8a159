"""JSON out: the fast encoder writes what the generic record walk (`plain`) says, exactly; the
commands print it compact by default and indented with --pretty."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otbill.cli import main
from otbill.coding.coder import code_episode
from otbill.export.json import dumps, plain
from otbill.load.json_doc import load_path
from otbill.rules.model import Category
from otbill.x12.core import X12Error
from otbill.x12.read import read_x12
from x12samples import FIXTURES

ROOT = Path(__file__).resolve().parents[2]


def same(value: object) -> None:
    assert json.loads(dumps(value)) == json.loads(json.dumps(plain(value)))
    assert json.loads(dumps(value, pretty=True)) == json.loads(dumps(value))


def test_every_fixture_file_encodes_as_plain_says() -> None:
    read = 0
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.parent in (FIXTURES, FIXTURES / "LICENSES"):
            continue
        try:
            doc = read_x12(path)
        except X12Error:
            continue
        same([{"set": s.header.set_id, "content": s.result} for s in doc.sets])
        read += 1
    assert read > 100


def test_claims_encode_as_plain_says() -> None:
    ep = load_path(ROOT / "schemas/examples/episode.json")
    claims = code_episode(ep)
    same(list(claims))
    same(ep)  # records of every kind: parties, plan of care, visits, enums, mappings


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.text()
        | st.decimals(allow_nan=False, allow_infinity=False, places=2)
        | st.dates(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_any_plain_value_encodes_the_same(value: object) -> None:
    same(value)


def test_money_stays_exact_and_special_values() -> None:
    data = {
        "amount": Decimal("0.10"),
        "big": Decimal("12345678901234567890.01"),
        "day": date(2026, 3, 1),
        "at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "category": Category.UNITS,
        "path": Path("a/b.837"),
        7: "int key",
    }
    assert json.loads(dumps(data)) == {
        "amount": "0.10",
        "big": "12345678901234567890.01",
        "day": "2026-03-01",
        "at": "2026-03-01T09:30:00+00:00",
        "category": "units",
        "path": "a/b.837",
        "7": "int key",
    }
    with pytest.raises(TypeError):
        dumps({"x": object()})


def test_json_is_compact_and_pretty_indents(capsys: pytest.CaptureFixture[str]) -> None:
    sample = str(FIXTURES / "otbill/835-reversal-correction-plb.edi")
    assert main(["x12", "read", "--json", sample]) == 0
    compact = capsys.readouterr().out
    assert compact.count("\n") == 1 and '{"sets":[{"transaction":"835"' in compact
    assert main(["x12", "read", "--pretty", sample]) == 0
    pretty = capsys.readouterr().out
    assert pretty.startswith('{\n  "sets": [\n')
    assert json.loads(pretty) == json.loads(compact)
