"""Remittance texts as customers really type them, including the traps.

An invoice number reaches the bank memo in many spellings (separators, case, prefix or
year dropped, zeros dropped, one digit mistyped or two swapped) and is surrounded by
numbers that are not invoice numbers at all: dates, postcodes, our customer number,
their vendor number for us, IBAN fragments, order numbers. The matcher is benchmarked
against exactly these, so each spelling is named (the `Situation` of the ground truth).
"""

from __future__ import annotations

import random
import re

import numpy as np

__all__ = [
    "MEMO_LIMIT",
    "REF_SPELLINGS",
    "memo_no_reference",
    "memo_with_references",
    "spell_reference",
]

MEMO_LIMIT = 140  # SEPA unstructured remittance information
REF_SPELLINGS = (
    "exact",
    "ref_separators",
    "ref_case",
    "ref_no_prefix",
    "ref_no_year",
    "ref_no_zeros",
    "ref_typo",
    "ref_transposed",
)
OUR_IBAN_FRAGMENTS = ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "...0130 00")
_NUMBER = re.compile(r"^([A-Z]+)-(\d{4})-(\d+)$")

_WITH_REF = {
    "de": (
        "RE {refs}",
        "RE {refs} / KD {cid}",
        "Rechnung {refs}",
        "Rechnung {refs} vom {inv_date}",
        "Rechnungsnr. {refs}",
        "RG {refs} KD {cid}",
        "Zahlung zu {refs}",
        "RE-NR. {refs} / Kunden-Nr. {cid}",
    ),
    "en": (
        "INVOICE {refs}",
        "Payment invoice {refs}",
        "INV {refs}",
        "{refs}",
        "Payment of {refs} - thank you",
        "Invoice {refs} cust no {cid}",
    ),
    "fr": ("FACTURE {refs}", "Règlement facture {refs} du {inv_date}", "VIR FACT {refs}", "Paiement {refs}"),
    "zh": ("货款 {refs}", "支付发票 {refs}", "PAYMENT FOR INVOICE {refs}", "INV {refs} 货款"),
}
_NO_REF = {
    "de": (
        "Zahlung",
        "Überweisung",
        "Rechnungsausgleich",
        "Zahlung vom {pay_date}",
        "Ausgleich offene Posten",
        "Lieferung vom {inv_date}",
        "Ihre Lieferung {postcode} {city}",
    ),
    "en": ("PAYMENT", "Payment for goods", "Transfer", "Supplier payment {month}", "Settlement of account"),
    "fr": ("VIREMENT", "Règlement fournisseur", "Paiement marchandises {month}"),
    "zh": ("货款", "付款", "支付货款", "PAYMENT FOR GOODS"),
}
_TRAPS = {
    "de": (
        " / {postcode} {city}",
        " IBAN {iban}",
        " Lief.-Nr. {vendor}",
        " vom {pay_date_long}",
        " KD {cid}",
        " Auftrag SO-{year}-{order}",
        " Tel. 0711 {phone}",
    ),
    "en": (
        " / {postcode} {city}",
        " IBAN {iban}",
        " Vendor no {vendor}",
        " dated {pay_date_long}",
        " cust {cid}",
        " order SO-{year}-{order}",
    ),
    "fr": (" {postcode} {city}", " IBAN {iban}", " Fournisseur {vendor}", " du {pay_date_long}"),
    "zh": (" {postcode}", " IBAN {iban}", " 供应商 {vendor}", " {pay_date_long}"),
}


def _choice(rng: random.Random, options: tuple[str, ...]) -> str:
    return rng.choice(options)


def spell_reference(number: str, spelling: str, rng: random.Random) -> str:
    """`number` ("INV-2026-00412") as a customer wrote it under `spelling` (see REF_SPELLINGS)."""
    m = _NUMBER.match(number)
    if spelling == "exact" or m is None:
        return number
    prefix, year, seq = m.groups()
    short = seq.lstrip("0") or "0"
    if spelling == "ref_separators":
        sep = _choice(rng, (" ", "/", ".", "", "_"))
        return _choice(
            rng, (f"{prefix}{sep}{year}{sep}{seq}", f"{prefix}{year}-{seq}", f"{prefix} {year} {short}")
        )
    if spelling == "ref_case":
        return _choice(rng, (number.lower(), prefix.title() + number[len(prefix) :]))
    if spelling == "ref_no_prefix":
        return _choice(rng, (f"{year}-{seq}", f"{year}/{seq}", f"{year}{seq}"))
    if spelling == "ref_no_year":
        return _choice(rng, (f"{prefix}-{short}", f"{prefix}-{seq}", f"{prefix} {short}", short))
    if spelling == "ref_no_zeros":
        return f"{prefix}-{year}-{short}"
    digits = list(seq)
    if spelling == "ref_typo":
        i = len(digits) - 1 - rng.randrange(min(3, len(digits)))
        digits[i] = str((int(digits[i]) + rng.randrange(1, 10)) % 10)
        return f"{prefix}-{year}-{''.join(digits)}"
    if spelling == "ref_transposed":
        # swap two adjacent, different digits among the significant ones
        positions = [
            i for i in range(len(digits) - 1) if digits[i] != digits[i + 1] and i >= len(digits) - len(short)
        ]
        if not positions:
            positions = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1]]
        if not positions:
            return f"{prefix}-{year}-{seq}"
        i = rng.choice(positions)
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
        return f"{prefix}-{year}-{''.join(digits)}"
    raise ValueError(f"unknown reference spelling {spelling!r}")


def _join_references(refs: list[str], rng: random.Random) -> str:
    if len(refs) == 1:
        return refs[0]
    first = _NUMBER.match(refs[0])
    if first and rng.random() < 0.3 and all(_NUMBER.match(r) for r in refs):
        # "INV-2026-00412/415/417": only the first in full, then the significant digits
        return refs[0] + "".join("/" + (_NUMBER.match(r)[3].lstrip("0") or "0") for r in refs[1:])  # type: ignore[index]
    sep = _choice(rng, (", ", " ", "; ", " + ", "/"))
    return sep.join(refs)


def _fill(template: str, fields: _Fields) -> str:
    return template.format_map(fields)


def _trap(language: str, fields: _Fields, rng: random.Random) -> str:
    return _fill(_choice(rng, _TRAPS[language]), fields) if rng.random() < 0.35 else ""


class _Fields(dict):
    """Memo placeholders, each made only when a template asks for it (most ask for two)."""

    def __init__(
        self, rng: random.Random, inv_date: np.datetime64, pay_date: np.datetime64, **given: str
    ) -> None:
        super().__init__(given)
        self.rng, self.inv, self.pay = rng, str(inv_date), str(pay_date)  # YYYY-MM-DD

    def __missing__(self, key: str) -> str:
        inv, pay, rng = self.inv, self.pay, self.rng
        value = {
            "inv_date": lambda: f"{inv[8:10]}.{inv[5:7]}.",
            "pay_date": lambda: f"{pay[8:10]}.{pay[5:7]}.",
            "pay_date_long": lambda: f"{pay[8:10]}.{pay[5:7]}.{pay[:4]}",
            "month": lambda: f"{pay[5:7]}/{pay[:4]}",
            "year": lambda: pay[:4],
            "iban": lambda: _choice(rng, OUR_IBAN_FRAGMENTS),
            "vendor": lambda: str(rng.randrange(70000, 79999)),
            "order": lambda: f"{rng.randrange(1, 99999):05d}",
            "phone": lambda: str(rng.randrange(1000000, 9999999)),
        }[key]()
        self[key] = value
        return value


def memo_with_references(
    refs: list[str],
    language: str,
    customer_id: str,
    postcode: str,
    city: str,
    inv_date: np.datetime64,
    pay_date: np.datetime64,
    rng: random.Random,
    suffix: str = "",
) -> str:
    """A remittance text quoting the already-spelled references `refs`."""
    fields = _Fields(
        rng,
        inv_date,
        pay_date,
        cid=customer_id,
        postcode=postcode,
        city=city,
        refs=_join_references(refs, rng),
    )
    text = _fill(_choice(rng, _WITH_REF[language]), fields) + suffix + _trap(language, fields, rng)
    return text[:MEMO_LIMIT].rstrip()


def memo_no_reference(
    language: str,
    customer_id: str,
    postcode: str,
    city: str,
    inv_date: np.datetime64,
    pay_date: np.datetime64,
    rng: random.Random,
) -> str:
    """A remittance text that names no invoice (the matcher has only amount and payer)."""
    fields = _Fields(rng, inv_date, pay_date, cid=customer_id, postcode=postcode, city=city)
    return (_fill(_choice(rng, _NO_REF[language]), fields) + _trap(language, fields, rng))[
        :MEMO_LIMIT
    ].rstrip()
