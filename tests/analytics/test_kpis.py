"""The KPI formulas alone, on figures worked by hand, and the charts drawn from a report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otbill.analytics import kpis
from otbill.analytics.model import Chart, Column, Series, Table
from otbill.analytics.svg import chart_svg, nice_max

D = Decimal
NS = "{http://www.w3.org/2000/svg}"


def test_a_rate_is_a_percentage_to_two_places_rounded_half_up() -> None:
    assert kpis.rate(1, 3) == D("33.33")
    assert kpis.rate(2, 3) == D("66.67")
    assert kpis.rate(1, 8) == D("12.50")
    assert kpis.rate(1, 800) == D("0.13")  # 0.125 rounds up, not to even
    assert kpis.rate(0, 5) == D("0.00")
    # Nothing to divide by is no rate, not 0% or 100%.
    assert kpis.rate(0, 0) is None and kpis.rate(3, None) is None


def test_hfma_initial_denial_rate_divides_by_the_three_months_before() -> None:
    # 30 claims denied in April; 400, 500 and 600 sent in January to March: 30 / 500 = 6%.
    assert kpis.initial_denial_rate(30, [400, 500, 600]) == D("6.00")
    # Dollars the same way: $12,345.67 denied over ($100,000 + $150,000 + $200,000) / 3.
    assert kpis.initial_denial_rate(D("12345.67"), [D("100000"), D("150000"), D("200000")]) == D(
        "8.23"
    )
    # At the start of a practice's history only the months it sent claims in are averaged.
    assert kpis.initial_denial_rate(5, [100]) == D("5.00")
    assert kpis.initial_denial_rate(5, []) is None


def test_clean_claim_first_pass_and_overturn() -> None:
    assert kpis.clean_claim_rate(950, 1000) == D("95.00")  # HFMA's CL-1 target
    assert kpis.first_pass_resolution_rate(92, 100) == D("92.00")
    assert kpis.overturn_rate(41, 100) == D("41.00")


def test_days_in_ar_and_aging() -> None:
    # $120,000 open; $270,000 charged in 90 days is $3,000 a day: 40 days.
    assert kpis.days_in_ar(D("120000"), D("270000")) == D("40.0")
    # 230 / (994 / 90) = 20.825 -> 20.8
    assert kpis.days_in_ar(D("230.00"), D("994.00")) == D("20.8")
    assert kpis.days_in_ar(D("10"), D("0")) is None
    assert kpis.aged_share(D("13500"), D("100000")) == D("13.50")  # MGMA's cited 13.5%


def test_net_collection_rate() -> None:
    # $95,000 collected on $150,000 charged less $50,000 contractual: 95%.
    assert kpis.net_collection_rate(D("95000"), D("150000"), D("50000")) == D("95.00")
    assert kpis.net_collection_rate(D("1"), D("50"), D("50")) is None


def test_mean_days() -> None:
    assert kpis.mean_days([36, 36, 22]) == D("31.3")
    assert kpis.mean_days([1, 2]) == D("1.5")
    assert kpis.mean_days([]) is None


def test_kx_status() -> None:
    th, mr, near = D("2410.00"), D("3000.00"), D("0.80")
    assert kpis.kx_status(D("1927.99"), th, mr, near) == "under"  # 80% of 2,410 is 1,928.00
    assert kpis.kx_status(D("1928.00"), th, mr, near) == "near"
    assert kpis.kx_status(D("2410.00"), th, mr, near) == "near"  # at it, not past it
    assert kpis.kx_status(D("2410.01"), th, mr, near) == "over"
    assert kpis.kx_status(D("3000.01"), th, mr, near) == "review"
    assert kpis.kx_status(D("5000"), None, None, near) == "unknown"


@given(st.decimals(min_value=D("0.01"), max_value=D("1e9"), places=2))
def test_nice_max_is_the_next_one_two_or_five(top: Decimal) -> None:
    m = nice_max(top)
    assert m >= top and m.normalize().as_tuple().digits[0] in (1, 2, 5)
    assert m < top * 5 + 1


@pytest.mark.parametrize("kind", ["bars", "columns", "lines", "stacked"])
def test_a_chart_is_accessible_svg_with_its_values_as_text(kind: str) -> None:
    table = Table(
        "t", "Denials by cause", (Column("k", "Cause"), Column("a", "Amount", "$")),
        (("bundling", D("104.00")), ("medical necessity", D("162.00"))),
    )  # fmt: skip
    series = (Series("Amount", (D("104.00"), D("162.00"))),)
    if kind == "stacked":
        series += (Series("Other", (D("1.00"), None)),)
    c = Chart("c", "Denied dollars", "Bundling $104; medical necessity $162.", kind,
              ("bundling", "medical necessity"), series, "$", "t")  # fmt: skip
    svg = chart_svg(c, table)
    root = ET.fromstring(svg)
    inner = root.find(f"{NS}svg")
    assert inner is not None and inner.get("role") == "img"
    ids = (inner.get("aria-labelledby") or "").split()
    assert [e.get("id") for e in inner if e.tag in (f"{NS}title", f"{NS}desc")] == ids
    texts = [e.text for e in root.iter(f"{NS}text")]
    assert "Denied dollars" in texts and "Data" in texts
    assert "$162" in texts  # the value, in the chart or its table
    assert chart_svg(c, table) == svg  # the same bytes


def test_an_empty_chart_says_so() -> None:
    c = Chart("c", "Nothing", "No data.", "lines", (), (), "%", "t")
    assert "No data in the period" in chart_svg(c)
