"""MT940 `:86:` transaction details to payer, memo and bank reference.

Banks fill `:86:` three ways, all seen in the samples:
- German GVC ("166?00GUTSCHRIFT?20EREF+...?21SVWZ+Rechnung 4711?32MUELLER GMBH"): numbered
  subfields, ?20..?29 and ?60..?63 the purpose (SEPA keywords EREF+, SVWZ+, ... inside it),
  ?32/?33 the counterparty's name;
- Dutch/SEPA structured ("/EREF/123/ORDP//NAME/Bedrijf B.V./REMI/NR.201303-111"): /KEY/ fields;
- free text, with the counterparty's name on the `:61:` line's second line (ASN, old Rabobank).
Fixed-width formats cut words at the field width (27 for GVC subfields, 65 per `:86:` line):
a piece that fills its width continues in the next one, a shorter piece ends a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Details", "parse_details"]

_GVC = re.compile(r"^\d{3}\?\d{2}")
_GVC_FIELD = re.compile(r"\?(\d{2})")
_SEPA_KEY = re.compile(r"\b(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|COAM|OAMT|IBAN|BIC)\+|\bMTLG:")
_SLASH_KEYS = (
    "EREF",
    "ORDP",
    "BENM",
    "NAME",
    "REMI",
    "ISDT",
    "IBAN",
    "BIC",
    "CSID",
    "MARF",
    "ADDR",
    "TRCD",
    "PREF",
    "RTRN",
    "CNTP",
    "ULTC",
    "ULTD",
    "ULTB",
    "PURP",
    "EXCH",
    "OCMT",
    "SVCL",
    "BUSP",
    "CDTRREF",
    "CDTRREFTP",
)
_SLASH_FIELD = re.compile(r"/(" + "|".join(_SLASH_KEYS) + r")/")
_NO_REF = {"", "NONREF", "NOTPROVIDED", "NOT PROVIDED"}
_GVC_WIDTH, _LINE_WIDTH = 27, 65


@dataclass(frozen=True)
class Details:
    payer: str
    memo: str
    ref: str


def _join_fixed(pieces: list[str], width: int) -> str:
    """Rejoin text cut into fixed-width pieces: a full piece continues without a space."""
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i and len(pieces[i - 1]) < width:
            out.append(" ")
        out.append(piece)
    return " ".join("".join(out).split())


def parse_details(raw: str, supplementary: str = "") -> Details:
    """Payer, memo and the payer's reference (EREF) from one transaction's `:86:` text."""
    lines = [line.rstrip() for line in (raw or "").split("\n")]
    text = _join_fixed(lines, _LINE_WIDTH) if lines else ""
    flat = "".join(lines)
    if _GVC.match(flat):
        return _gvc(flat)
    if text.startswith("/") and _SLASH_FIELD.search(text):
        return _slash(text, supplementary)
    payer = " ".join(supplementary.split())
    if not payer and (m := re.search(r"NAAM:\s*(.+)$", text)):
        payer = m[1].strip()
    return Details(payer=payer, memo=text, ref="")


def _gvc(flat: str) -> Details:
    fields: dict[str, list[str]] = {}
    parts = _GVC_FIELD.split(flat)
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        fields.setdefault(key, []).append(value)
    purpose_keys = [f"{n:02d}" for n in (*range(20, 30), *range(60, 64))]
    purpose = _join_fixed([v for k in purpose_keys for v in fields.get(k, [])], _GVC_WIDTH)
    payer = _join_fixed(fields.get("32", []) + fields.get("33", []), _GVC_WIDTH)
    memo, ref = _sepa_purpose(purpose)
    return Details(payer=payer, memo=memo, ref=ref)


def _sepa_purpose(purpose: str) -> tuple[str, str]:
    """(memo, end-to-end reference) from a purpose with SEPA keywords; plain text is all memo."""
    marks = list(_SEPA_KEY.finditer(purpose))
    if not marks:
        return purpose, ""
    memo = [purpose[: marks[0].start()].strip()]
    ref = ""
    for mark, nxt in zip(marks, [*marks[1:], None], strict=True):
        value = purpose[mark.end() : nxt.start() if nxt else len(purpose)].strip()
        key = mark[1] or "MTLG"
        if key in ("SVWZ", "MTLG"):
            memo.append(value)
        elif key == "EREF" and value.upper() not in _NO_REF:
            ref = value
    return " ".join(m for m in memo if m), ref


def _slash(text: str, supplementary: str) -> Details:
    parts = _SLASH_FIELD.split(text)
    fields: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        fields.setdefault(key, value.strip().strip("/").strip())
    payer = fields.get("NAME", "")
    if not payer and (cntp := fields.get("CNTP")):
        pieces = cntp.split("/")
        payer = pieces[2].strip() if len(pieces) > 2 else ""
    memo = re.sub(r"^(USTD|STRD)/+(CUR/+)?", "", fields.get("REMI", ""))
    ref = fields.get("EREF", "")
    return Details(
        payer=payer or " ".join(supplementary.split()),
        memo=memo,
        ref="" if ref.upper() in _NO_REF else ref,
    )
