"""otbill x12: write 837P, 270 and 276 files; read any X12 file otbill knows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from otbill.cli.options import build_codesets, codeset_options
from otbill.cli.output import emit, json_options
from otbill.cli.visits import coded, one_practice, read_visits
from otbill.model import Practice
from otbill.model.eligibility import Entity
from otbill.model.remittance import Remittance
from otbill.model.status import ClaimStatusInquiry, StatusClaim, StatusProvider, StatusSubscriber
from otbill.x12.writer import InterchangeInfo


@click.group("x12")
def x12_cmd() -> None:
    """Write and read ASC X12 5010 files."""


def _now() -> datetime:
    return datetime.now().astimezone()


def _info(practice: Practice, receiver: str, control: int, test: bool) -> InterchangeInfo:
    return InterchangeInfo(practice.tax_id, receiver, control, _now(), "T" if test else "P")


_common = [
    click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True),
    click.option(
        "--receiver",
        default="CLEARINGHOUSE",
        show_default=True,
        help="Receiver id (ISA08, NM109 of 1000B).",
    ),
    click.option("--control", default=1, show_default=True, help="Interchange control number."),
    click.option("--test", is_flag=True, help="Mark the interchange as test data (ISA15 T)."),
]


def common(f: Any) -> Any:
    for opt in reversed(_common):
        f = opt(f)
    return f


@x12_cmd.command("837")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@common
@click.option("--force", is_flag=True, help="Write claims that have error findings too.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Check as of this day.")
@codeset_options
def x12_837(
    file: Path,
    output: Path,
    receiver: str,
    control: int,
    test: bool,
    force: bool,
    as_of: Any,
    **files: Any,
) -> None:
    """Code and check visits (otbill JSON, CSV or a FHIR bundle), then write their claims as
    an 837P. Claims with error findings are refused (exit 1) unless --force."""
    from otbill.rules.engine import check_episode
    from otbill.x12.t837p import Party, build_837p

    episodes = read_visits(file)
    practice = one_practice(episodes, file)
    day = as_of.date() if as_of else _now().date()
    cs = build_codesets(**files)
    keep, refused = [], []
    for ep in episodes:
        for r in check_episode(ep, as_of=day, codesets=cs):
            if force or r.clean:
                keep.append((r.claim, ep))
            else:
                refused.append(r)
    for r in refused:
        click.echo(
            f"refused {r.claim.id}: " + "; ".join(f"{f.rule} {f.message}" for f in r.errors),
            err=True,
        )
    if keep:
        sub = Party(practice.name.upper(), practice.tax_id)
        text = build_837p(
            keep,
            sub,
            Party("CLEARINGHOUSE", receiver),
            _info(practice, receiver, control, test),
        )
        output.write_text(text)
        click.echo(f"wrote {len(keep)} claims to {output}")
    if refused:
        raise click.exceptions.Exit(1)


@x12_cmd.command("270")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@common
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Service date.")
@click.option(
    "--service-type",
    "types",
    multiple=True,
    default=("30", "AD"),
    show_default=True,
    help="EQ service types: 30 coverage, AD occupational therapy, PT physical therapy.",
)
def x12_270(
    file: Path,
    output: Path,
    receiver: str,
    control: int,
    test: bool,
    on: Any,
    types: tuple[str, ...],
) -> None:
    """An eligibility inquiry for each patient of the visits file with each coverage's payer."""
    from otbill.x12.t270 import build_270, inquiries_for

    episodes = read_visits(file)
    practice = one_practice(episodes, file)
    when = _now()
    inquiries = []
    for ep in episodes:
        inquiries.extend(inquiries_for(ep, on.date() if on else None, when, types))
    output.write_text(build_270(inquiries, _info(practice, receiver, control, test)))
    click.echo(f"wrote {len(inquiries)} eligibility inquiries to {output}")


@x12_cmd.command("276")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@common
@codeset_options
def x12_276(
    file: Path, output: Path, receiver: str, control: int, test: bool, **files: Any
) -> None:
    """A claim status inquiry for the claims of the visits file."""
    from otbill.x12.t276 import build_276

    episodes = read_visits(file)
    practice = one_practice(episodes, file)
    when = _now()
    claims = coded(episodes, build_codesets(**files))
    inquiries = []
    for ep in episodes:
        mine = [c for c, owner in claims if owner.patient.id == ep.patient.id]
        inquiries.extend(_status_inquiries(ep, mine, when))
    output.write_text(build_276(inquiries, _info(practice, receiver, control, test)))
    click.echo(f"wrote a claim status inquiry for {len(claims)} claims to {output}")


def _status_inquiries(ep: Any, claims: list[Any], when: datetime) -> list[ClaimStatusInquiry]:
    by_payer: dict[str, list[StatusClaim]] = {}
    for c in claims:
        by_payer.setdefault(c.payer_id, []).append(
            StatusClaim(
                trace=c.id,
                patient_account=c.id,
                charge=c.total_charge,
                service_from=c.date_of_service,
                service_to=c.date_of_service,
            )
        )
    p, pr = ep.patient, ep.practice
    inquiries = []
    for payer_id, items in by_payer.items():
        payer = ep.payers[payer_id]
        cov = next(c for c in ep.coverages if c.payer_id == payer_id)
        sub = StatusSubscriber(
            Entity(p.last_name, p.first_name, True, "MI", cov.member_id),
            p.birth_date,
            p.sex.value,
            tuple(items),
        )
        inquiries.append(
            ClaimStatusInquiry(
                payer=Entity(payer.name, id_qualifier="PI", id=payer.id),
                receiver=Entity(pr.name, id_qualifier="46", id=pr.tax_id),
                providers=(StatusProvider(Entity(pr.name, id_qualifier="XX", id=pr.npi), (sub,)),),
                reference=f"{p.id}-{payer_id}",
                created=when.date(),
                created_time=when.strftime("%H%M"),
            )
        )
    return inquiries


@x12_cmd.command("read")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_options()
@click.option("--strict", is_flag=True, help="Stop at the first error.")
def x12_read(file: Path, as_json: str | None, strict: bool) -> None:
    """Recognize the transaction and print it (for an 835: claims, services, adjustments,
    totals and the balancing result). Exit 1 when it has errors."""
    from otbill.x12.read import NAMES, read_x12

    doc = read_x12(file, strict=strict)
    if as_json:
        emit(
            {
                "sets": [
                    {
                        "transaction": s.header.set_id,
                        "version": s.header.version,
                        "control": s.header.set_control,
                        "content": s.result,
                    }
                    for s in doc.sets
                ],
                "issues": [{"level": i.level, "message": str(i)} for i in doc.issues.items],
            },
            as_json,
        )
    else:
        for s in doc.sets:
            click.echo(
                f"{NAMES.get(s.header.set_id, s.header.set_id)} {s.header.version} "
                f"(set {s.header.set_control})"
            )
            if isinstance(s.result, Remittance):
                _print_835(s.result)
            elif isinstance(s.result, list):
                click.echo(f"  {len(s.result)} item(s)")
                for item in s.result[:50]:
                    click.echo(f"  - {_brief(item)}")
            elif s.result is not None:
                click.echo(f"  {_brief(s.result)}")
        for i in doc.issues.items:
            click.echo(f"{i.level.upper()}: {i}")
    if doc.issues.errors:
        raise click.exceptions.Exit(1)


def _brief(item: Any) -> str:
    from otbill.export.json import plain
    from otbill.x12.t837p_read import ReceivedClaim

    if isinstance(item, ReceivedClaim):
        c = item.claim
        lines = ", ".join(
            f"{ln.code}{':' + ':'.join(ln.modifiers) if ln.modifiers else ''}"
            f" x{ln.units} {ln.charge}"
            for ln in c.lines
        )
        return (
            f"claim {c.id} {c.date_of_service} to {item.payer_name} for "
            f"{item.patient_name} [{c.member_id}]: {c.total_charge} ({lines})"
        )
    data = plain(item)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if v not in (None, "", [], ())}
        return ", ".join(f"{k}={v}" for k, v in list(data.items())[:8])
    return str(data)


def _print_835(r: Remittance) -> None:
    click.echo(
        f"  payment {r.amount} {r.method} trace {r.trace_number} on {r.payment_date}; "
        f"payer {r.payer_name}; payee {r.payee_name} {r.payee_id}"
    )
    for c in r.claims:
        click.echo(
            f"  claim {c.patient_control_number} status {c.status}: charge {c.charge}, "
            f"paid {c.paid}, patient {c.patient_responsibility or 0}, payer claim "
            f"{c.payer_claim_number}"
        )
        for a in c.adjustments:
            click.echo(f"      claim adjustment {a.group}-{a.reason} {a.amount}")
        for s in c.services:
            mods = ":".join(s.modifiers)
            billed = (
                f" (billed {s.billed_code} {':'.join(s.billed_modifiers)})" if s.billed_code else ""
            )
            click.echo(
                f"    {s.code}{':' + mods if mods else ''}{billed} {s.date or ''}: "
                f"charge {s.charge} paid {s.paid}"
                + "".join(f"; {a.group}-{a.reason} {a.amount}" for a in s.adjustments)
                + (f"; remarks {' '.join(s.remarks)}" if s.remarks else "")
            )
    for p in r.provider_adjustments:
        click.echo(f"  provider adjustment {p.reason} {p.reference} {p.amount}")
    total_paid = sum((c.paid for c in r.claims), start=r.amount - r.amount)
    click.echo(
        f"  totals: {len(r.claims)} claims, paid {total_paid}, payment {r.amount}; "
        + ("balanced" if r.balanced else f"{len(r.breaks)} balancing breaks")
    )
    for b in r.breaks:
        click.echo(f"    BREAK {b.level}: {b.message}")
