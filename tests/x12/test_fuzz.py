"""Fuzzing the readers: truncated, re-delimited and mutated files give the X12 error type
(raised, or reported as an error issue), never another exception, and never a silent partial
result."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otbill.export.json import plain
from otbill.x12.core import X12Error
from otbill.x12.read import read_x12
from x12samples import sample

FILES = [
    "835/albmarin__X221-multiple-claims-single-check.edi",
    "835/albmarin__X221-secondary-payments.edi",
    "837P/albmarin__X222-commercial-health-insurance.edi",
    "837P/albmarin__X222-COB-claim-from-billing-provider-to-payer-b.edi",
    "999/imsweb__x12_999_rejected.txt",
    "277CA/imsweb__x12_277CA_accepted.txt",
    "271/linuxforheal__demo.271",
]
TEXTS = {f: sample(f).read_text() for f in FILES}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(text: str) -> tuple[str, object]:
    """("error", message) or ("ok", what was read). Any other exception fails the test."""
    try:
        doc = read_x12(text)
    except X12Error as e:
        return "error", str(e)
    if doc.issues.errors:
        return "error", [str(i) for i in doc.issues.errors]
    return "ok", [(s.header.set_id, plain(s.result)) for s in doc.sets]


@FUZZ
@given(st.sampled_from(FILES), st.floats(min_value=0.0, max_value=0.999))
def test_truncated_files_are_errors(name: str, fraction: float) -> None:
    text = TEXTS[name].rstrip()
    cut = text[: int(len(text) * fraction)]
    kind, _ = outcome(cut)
    if kind == "ok":
        # Only the final terminator is gone: everything was read, and the reader says so.
        assert cut == text[:-1], f"a file cut at {len(cut)} of {len(text)} read as complete"
        assert any("no terminator" in str(i) for i in read_x12(cut).issues.items)
        return
    assert kind == "error"


@FUZZ
@given(
    st.sampled_from(FILES),
    st.sampled_from(["|", "^", "!", "\x1d"]),
    st.sampled_from(["~", "\n", "\x1c", "'"]),
    st.sampled_from([">", "\\", "\x1f"]),
)
def test_redelimited_files_read_the_same(name: str, sep: str, term: str, comp: str) -> None:
    original = TEXTS[name]
    d = {"*": sep, "~": term, ":": comp}
    isa_comp = original[104]
    if sep in original or term in original or comp in original or isa_comp != ":":
        return  # the new delimiter occurs in the data: not a faithful re-delimiting
    # ISA11 is the repetition separator in 5010; keep it unless it collides.
    redone = "".join(d.get(ch, ch) for ch in original)
    assert outcome(redone) == outcome(original)


@FUZZ
@given(st.sampled_from(FILES), st.data())
def test_mutated_files_never_crash(name: str, data: st.DataObject) -> None:
    text = TEXTS[name]
    chars = list(text)
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        i = data.draw(st.integers(min_value=0, max_value=len(chars) - 1))
        op = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        ch = data.draw(st.sampled_from(list("*~:^0123456789ABCXYZ .-\n")))
        if op == "replace":
            chars[i] = ch
        elif op == "delete":
            del chars[i]
        else:
            chars.insert(i, ch)
    outcome("".join(chars))  # either result is fine; another exception type is not
