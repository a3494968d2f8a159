"""Coding and checking each patient's claims for the ledger, in worker processes when there are
many: it is pure work on one patient's documents, and a practice builds tens of thousands of
claims at a time on a machine with more than one core.

The workers get plain documents and give back plain rows (no database, no records crossing the
process boundary), so the database work stays in the caller's one transaction.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from otbill.codesets import CodeSets, default_codesets
from otbill.coding.grouping import code_by_day
from otbill.coding.kx import apply_kx
from otbill.export.json import claim as claim_json
from otbill.export.json import finding as finding_json
from otbill.ledger.claimdoc import claim_from_doc
from otbill.ledger.edits import Edit, apply_edits, silences
from otbill.load.json_doc import load_document
from otbill.model import Claim
from otbill.rules.engine import check_episode

PARALLEL_FROM = 2000  # patients' visits below this are built in process: a pool costs ~0.5 s


@dataclass(frozen=True, slots=True)
class Built:
    """One claim as built: its row's values and its lines'."""

    number: str
    stored: bool  # past ready: kept as it is, only counted in the history
    # As JSON text: serialized in the worker, in parallel, not in the parent that writes.
    doc: str
    findings: str
    clean: bool
    errors: tuple[str, ...]
    total_charge: Decimal
    first_visit: str
    payer_id: str
    member_id: str
    date_of_service: date
    frequency: str
    original_number: str | None
    lines: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Task:
    patient_id: int
    episode_doc: dict[str, Any]
    stored: dict[str, tuple[dict[str, Any], list[Decimal | None]]]  # number -> doc, allowed


def build_patient(
    task: Task, edits: Sequence[Edit], as_of: date, cs: CodeSets
) -> tuple[int, list[Built], list[str]]:
    episode = load_document(task.episode_doc, validate=False)  # validated when imported
    # KX last: the year's amount counts the claims already sent as stored, with what the 835
    # allowed, and the biller's edits are made on lines that KX does not tell apart.
    combined, coded = code_by_day(episode, cs, kx=False)
    claims, notes = apply_edits(list(coded), edits)
    sent = {c.id: _stored(*task.stored[c.id]) for c in claims if c.id in task.stored}
    for c in claims:
        late = [v for v in c.visit_ids if c.id in sent and v not in sent[c.id].visit_ids]
        if late:
            # The day's claim went out before this visit was recorded: it is billed on no
            # claim until a person corrects the one sent (or bills it on a new one).
            notes.append(
                f"claim {c.id} was sent before visit {', '.join(late)} of "
                f"{c.date_of_service} was recorded: correct it (otbill claims correct) to "
                "bill the visit"
            )
    claims = [sent.get(c.id, c) for c in claims]
    claims = list(apply_kx(combined, claims, keep=set(task.stored)))
    out = []
    quiet = silences(edits)
    for report in check_episode(combined, claims, as_of=as_of, codesets=cs, silences=quiet):
        c = report.claim
        stored = c.id in task.stored
        out.append(
            Built(
                number=c.id,
                stored=stored,
                doc="" if stored else json.dumps(claim_json(c)),
                findings=""
                if stored
                else json.dumps(
                    {
                        "as_of": as_of.isoformat(),
                        "items": [finding_json(f) for f in report.findings],
                    }
                ),
                clean=report.clean,
                errors=tuple(f.rule for f in report.errors),
                total_charge=c.total_charge,
                first_visit=c.visit_ids[0],
                payer_id=c.payer_id,
                member_id=c.member_id,
                date_of_service=c.date_of_service,
                frequency=c.frequency_code,
                original_number=c.original_claim_number,
                lines=() if stored else _lines(c),
            )
        )
    return task.patient_id, out, notes


def _lines(c: Claim) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "line_no": n,
            "code": ln.code,
            "modifiers": ":".join(ln.modifiers),
            "units": ln.units,
            "charge": ln.charge,
            "allowed": ln.allowed,
        }
        for n, ln in enumerate(c.lines, start=1)
    )


def _stored(doc: dict[str, Any], allowed: list[Decimal | None]) -> Claim:
    """A claim past ready as stored, with the 835's allowed amounts where one was posted."""
    c = claim_from_doc(doc, explanation=False)
    if len(allowed) != len(c.lines):
        return c
    return replace(
        c,
        lines=tuple(
            ln if a is None else replace(ln, allowed=a)
            for ln, a in zip(c.lines, allowed, strict=True)
        ),
    )


# What the forked workers share with the parent: set before the pool starts, inherited.
_SHARED: dict[str, Any] = {}


def _work(span: tuple[int, int]) -> list[tuple[int, list[Built], list[str]]]:
    tasks, edits, as_of, cs = (_SHARED[k] for k in ("tasks", "edits", "as_of", "cs"))
    return [build_patient(x, edits, as_of, cs) for x in tasks[span[0] : span[1]]]


def build_all(
    tasks: Sequence[Task],
    edits: Sequence[Edit],
    as_of: date,
    codesets: CodeSets | None,
    visits: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, list[Built], list[str]]]:
    """Each task's claims, in order. Forked workers share the loaded code sets (ICD-10-CM takes
    seconds to load) with the parent; without fork, or for a small job, it runs in process."""
    cs = codesets or default_codesets()
    workers = min(os.cpu_count() or 1, 8)
    fork = "fork" in multiprocessing.get_all_start_methods()
    if visits < PARALLEL_FROM or workers < 2 or not fork or os.environ.get("OTBILL_NO_FORK"):
        for task in tasks:
            yield build_patient(task, edits, as_of, cs)
            if progress is not None:
                progress(1)
        return
    # ICD-10-CM loaded in the parent, before the fork, once for all workers.
    cs.icd10.for_date(as_of)[0].get("R69")
    # The tasks too: a worker is sent only which of them to build, not the documents.
    _SHARED.update(tasks=tasks, edits=list(edits), as_of=as_of, cs=cs)
    size = max(1, len(tasks) // (workers * 8))
    spans = [(k, min(k + size, len(tasks))) for k in range(0, len(tasks), size)]
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for done in pool.map(_work, spans):
                yield from done
                if progress is not None:
                    progress(len(done))
    finally:
        _SHARED.clear()
