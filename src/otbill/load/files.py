"""Recognize a file of visits by its content and load its episodes: one loader for every
command that reads visits (code, check, x12 837/270/276, cms1500, import).

JSON: an otbill visit or episode document (see schemas/input.schema.json), or a list of them;
or a FHIR R4 Bundle (docs/import-fhir.md). Text whose first line is a header naming visit_id: a
CSV export, one row per service line (docs/import-csv.md).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from otbill.errors import InputError
from otbill.load.csv_visits import is_visits_csv, load_csv
from otbill.load.json_doc import load_document
from otbill.model import Episode


def load_file(path: Path) -> list[Episode]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InputError(str(path), f"cannot read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text (save the export as UTF-8)") from None
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as e:
            raise InputError(str(path), f"not JSON: {e.msg} at line {e.lineno}") from None
        if isinstance(data, dict) and "resourceType" in data:
            if data["resourceType"] != "Bundle":
                raise InputError(str(path), f"a FHIR {data['resourceType']}: import a Bundle")
            # fhir.resources takes a while to import, and only bundles need it.
            from otbill.load.fhir import load_bundle

            return load_bundle(data, str(path))
        docs = data if isinstance(data, list) else [data]
        episodes = []
        for i, d in enumerate(docs):
            try:
                episodes.append(load_document(d))
            except InputError as e:
                where = f"{path}[{i}]" if isinstance(data, list) else str(path)
                raise InputError(f"{where}: {e.field}", e.problem) from None
        return episodes
    if is_visits_csv(text):
        return load_csv(text, str(path))
    raise InputError(
        str(path),
        "not an otbill JSON document, a FHIR R4 Bundle, or a visits CSV (a header naming visit_id)",
    )
