"""Recognize an import file by its content and load its episodes.

JSON: an otbill visit or episode document (see schemas/input.schema.json), or a list of them.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from otbill.errors import InputError
from otbill.load.json_doc import load_document
from otbill.model import Episode


def load_any(path: Path) -> list[Episode]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InputError(str(path), f"cannot read: {e.strerror}") from None
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as e:
            raise InputError(str(path), f"not JSON: {e.msg} at line {e.lineno}") from None
        if isinstance(data, dict) and data.get("resourceType") == "Bundle":
            raise InputError(str(path), "FHIR bundles are not supported yet")
        docs = data if isinstance(data, list) else [data]
        episodes = []
        for i, d in enumerate(docs):
            try:
                episodes.append(load_document(d))
            except InputError as e:
                where = f"{path}[{i}]" if isinstance(data, list) else str(path)
                raise InputError(f"{where}: {e.field}", e.problem) from None
        return episodes
    raise InputError(str(path), "not an otbill JSON document (CSV and FHIR imports come next)")
