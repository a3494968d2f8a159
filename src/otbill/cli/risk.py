"""`otbill claims risk`: the ready claims by their denial risk, with the reasons behind each.

The model (denials/risk) is trained on the practice's own posted claims each time the command
runs: counts, so a few thousand claims train in a second and nothing is kept between runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from otbill.cli.ledger import _engine, _out, _practice, claims_cmd, db_options
from otbill.denials.risk import Risk, RiskModel
from otbill.ledger.claims import list_claims
from otbill.ledger.db import session_scope
from otbill.ledger.risk_history import claim_facts, history


@claims_cmd.command("risk")
@db_options
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day the claims would go out (default: today): it sets their days since service.",
)
@click.option("--reasons", default=3, show_default=True, help="Reasons shown per claim.")
def claims_risk(
    db_path: str | None,
    practice_npi: str | None,
    as_json: str | None,
    as_of: Any,
    reasons: int,
) -> None:
    """Ready claims, riskiest first: a denial-risk score from the practice's own history."""
    day = as_of.date() if as_of else datetime.now().astimezone().date()
    with session_scope(_engine(db_path)) as s:
        pid = _practice(s, practice_npi)
        examples = history(s, pid)
        facts = claim_facts(s, pid, list_claims(s, pid, "ready"), day)
    model = RiskModel.train(examples)
    risks = sorted((model.score(f) for f in facts), key=lambda r: -r.score)
    data = {
        "trained_on": {"claims": model.total.n, "denied": model.total.denied},
        "claims": [_json(r, reasons) for r in risks],
    }
    if not examples:
        text = "no posted claims yet: the score is learnt from the practice's own 835s"
    elif not risks:
        text = f"no ready claims (history: {model.total.n} posted claims)"
    else:
        text = _table(risks, reasons, model)
    _out(as_json, data, text)


def _json(r: Risk, n: int) -> dict[str, Any]:
    return {
        "number": r.claim,
        "score": round(r.score, 4),
        "payer_rate": round(r.payer_rate, 4),
        "reasons": [
            {
                "reason": x.text,
                "denied": x.denied,
                "claims": x.n,
                "weight": round(x.weight, 3),
                "root_cause": x.cause,
            }
            for x in r.reasons[:n]
        ],
    }


def _table(risks: list[Risk], n: int, model: RiskModel) -> str:
    out = [
        f"{len(risks)} ready claims; history: {model.total.n} posted claims, "
        f"{model.total.denied} with a denial",
        f"{'claim':<20}{'risk':>6}  {'payer rate':>10}  reasons",
    ]
    for r in risks:
        first, *rest = [x.text for x in r.reasons[:n]] or ["nothing above the payer's rate"]
        out.append(f"{r.claim:<20}{100 * r.score:>5.0f}%  {100 * r.payer_rate:>9.0f}%  {first}")
        out += [f"{'':<40}{x}" for x in rest]
    return "\n".join(out)
