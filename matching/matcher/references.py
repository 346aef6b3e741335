"""Invoice numbers found in memo text, in whatever spelling the payer typed them.

The numbering scheme is learned from the Invoices table, not hard-coded: every invoice number
is cut into letter and digit runs ("INV-2026-00412" -> INV, 2026, 00412) and indexed under the
spellings a payer plausibly writes, each with a strength level:

    FULL      every run (INV202600412, or INV2026412 without leading zeros)
    NOPREFIX  the letters dropped (202600412, 2026412)
    NOYEAR    the year run dropped, with or without prefix (INV412, 412 when a year was there)
    CORE      the last digit run alone (412), the weakest: dates and postcodes look like it

A year inside an all-digit number is found too: 202603074 is also written 2026-3074 and,
serial first, 3074/2026 or 3074/26 (NOPREFIX), or 3074 alone (NOYEAR). Long numbers
(12 digits and more, such as China's 20-digit e-invoice numbers) are quoted by their last
6 to 8 digits (NOYEAR). PO and contract numbers the invoices carry in Reference are found
at the STRUCTURED level, marked as not being the invoice's own number.

A memo is cut the same way, after masking what only looks like a number reference (dates,
IBANs, amounts with decimals). Runs are matched greedily, longest gram first, so "INV 2026
412" is one FULL hit, not a FULL hit plus a spurious CORE hit for another year's 412.
Structured creditor references are checked by their check digits before use: ISO 11649 (RF..)
and the Swiss QR reference (27 digits, recursive mod 10). Customer numbers in the memo are
found in the same pass, as evidence for the customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum

import pandas as pd
from anyascii import anyascii

__all__ = [
    "Level",
    "ReferenceIndex",
    "build_reference_index",
    "find_references",
    "qr_reference_valid",
    "rf_reference_valid",
    "typo_words",
]

_RUN = re.compile(r"[A-Z]+|\d+")
_MAX_GRAM = 4
_MAX_HITS_PER_FORM = 20  # a form shared by more invoices than this says nothing
_MIN_CORE_DIGITS = 3

_MASKS = (
    re.compile(r"\b\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b"),  # 03.11.2026, 3/11/26
    re.compile(r"\b\d{1,2}\.\d{1,2}\.(?!\d)"),  # "vom 22.10."
    re.compile(r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b"),  # 2026-11-03
    re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"),  # IBAN
    re.compile(r"(?<![\d.,])\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}(?![\d.,])"),  # 1.234,56 / 99.00
)
_RF = re.compile(r"\bRF\d{2}(?: ?[A-Z0-9]{1,4}){1,6}")
# A Swiss QR reference: 27 digits, unspaced or in groups of five from the right (21 00000 ...).
_QRR = re.compile(r"(?<!\d)(?:\d{27}|\d{2}(?: \d{5}){5})(?!\d)")


# Words that say the number after them is not one of ours: orders, delivery notes, customer
# and supplier numbers, phone numbers. After them only a complete invoice number counts.
_OTHER_DOCUMENTS = frozenset(
    (
        "SO",
        "PO",
        "ORDER",
        "AUFTRAG",
        "BESTELLUNG",
        "AB",
        "LS",
        "DELIVERY",
        "LIEFERSCHEIN",
        "COMMANDE",
        "KD",
        "KDNR",
        "KUNDE",
        "KUNDENNR",
        "CUSTOMER",
        "CUST",
        "CLIENT",
        "VENDOR",
        "SUPPLIER",
        "LIEFERANT",
        "FOURNISSEUR",
        "TEL",
        "FAX",
        "PLZ",
    )
)


class Level(IntEnum):
    """How strongly a memo spelling points at one invoice (higher is stronger)."""

    TYPO = 0
    CORE = 1
    NOYEAR = 2
    NOPREFIX = 3
    FULL = 4
    STRUCTURED = 5


@dataclass(frozen=True)
class ReferenceIndex:
    """Spellings of every invoice number (and customer number), learned from the tables."""

    forms: dict[str, list[tuple[int, int]]]  # spelling -> [(invoice position, Level)]
    customers: dict[str, int]  # customer number spelling -> customer position
    typo_forms: list[tuple[str, ...]] = field(default_factory=list)  # per invoice: FULL/NOPREFIX
    prefixes: frozenset[str] = frozenset()  # the letters invoice numbers start with (INV, RE)
    digit_lengths: frozenset[int] = frozenset()  # lengths of all-digit invoice numbers


def _upper_ascii(text: str) -> str:
    return anyascii(text).upper()


def _strip(run: str) -> str:
    return run.lstrip("0") or "0" if run.isdigit() else run


def _joined(runs: list[str]) -> tuple[str, str]:
    return "".join(runs), "".join(_strip(r) for r in runs)


def _is_year(run: str, year: int) -> bool:
    if len(run) == 4:
        return 1990 <= int(run) <= 2099
    return len(run) == 2 and abs(int(run) - year % 100) <= 1


_TAIL_FROM = 12  # digits a number needs before payers quote it by its tail
_TAILS = (8, 7, 6)


def _year_split(run: str, year: int) -> tuple[str, str] | None:
    """(year, serial) of an all-digit run that starts with its invoice's year (202603074)."""
    if len(run) >= 7 and run[:4].isdigit() and abs(int(run[:4]) - year) <= 1 and run[4:].strip("0"):
        return run[:4], run[4:]
    return None


def _digit_forms(run: str, year: int, prefix: str) -> dict[str, int]:
    """Spellings of a number's single digit run: the year inside it, and the tail of a long one."""
    out: dict[str, int] = {}
    if len(run) < 7:
        return out
    split = _year_split(run, year)
    if split:
        yy, serial = split
        short = serial.lstrip("0")
        # Without a letter prefix to confirm it, the serial's zeros dropped ("2026-843") is no
        # full number: an order confirmation "AB-2026-0843" is written the same way.
        out[prefix + yy + short] = int(Level.FULL if prefix else Level.NOPREFIX)
        out.setdefault(yy + short, int(Level.NOPREFIX))
        for written in (serial, short):
            for y in (yy, yy[2:]):
                out.setdefault(written + y, int(Level.NOPREFIX))
        if len(short) >= _MIN_CORE_DIGITS and not _looks_like_year(short):
            out.setdefault(serial, int(Level.NOYEAR))
            out.setdefault(short, int(Level.NOYEAR))
    if len(run) >= _TAIL_FROM:
        for size in _TAILS:
            out.setdefault(run[-size:], int(Level.NOYEAR))
    return out


def _invoice_forms(number: str, year: int) -> dict[str, int]:
    """Every spelling of one invoice number, with its Level (the strongest when two coincide).

    Spellings are added strongest first, so `setdefault` keeps the strongest level.
    """
    runs = _RUN.findall(number.upper() if number.isascii() else _upper_ascii(number))
    if not runs:
        return {}
    digit = [r.isdigit() for r in runs]
    if True not in digit:
        return {"".join(runs): int(Level.FULL)}
    # INV-202603074, 202603074, 26442000000377913461: one digit run, at the end
    single = digit.count(True) == 1 and digit[-1]
    extra = _digit_forms(runs[-1], year, "".join(runs[:-1])) if single else {}
    stripped = [(r.lstrip("0") or "0") if d else r for r, d in zip(runs, digit, strict=True)]
    first = digit.index(True)
    best = {"".join(runs): int(Level.FULL)}
    best.setdefault("".join(stripped), int(Level.FULL))
    if first:
        best.setdefault("".join(runs[first:]), int(Level.NOPREFIX))
        best.setdefault("".join(stripped[first:]), int(Level.NOPREFIX))
    last = len(runs) - 1 - digit[::-1].index(True)
    weak: list[tuple[list[str], list[str], Level]] = []
    year_run = next((i for i in range(first, last) if digit[i] and _is_year(runs[i], year)), None)
    if year_run is not None:
        weak.append(
            (
                runs[:year_run] + runs[year_run + 1 :],
                stripped[:year_run] + stripped[year_run + 1 :],
                Level.NOYEAR,
            )
        )
        weak.append(
            (
                runs[first:year_run] + runs[year_run + 1 :],
                stripped[first:year_run] + stripped[year_run + 1 :],
                Level.NOYEAR,
            )
        )
    if first or last > first:
        weak.append(([runs[last]], [stripped[last]], Level.CORE))
    for raw_runs, short_runs, level in weak:
        short = "".join(short_runs)
        if len(short) >= _MIN_CORE_DIGITS and not _looks_like_year(short):
            best.setdefault("".join(raw_runs), int(level))
            best.setdefault(short, int(level))
    for form, level in extra.items():
        if best.get(form, -1) < level:
            best[form] = level
    return best


def _looks_like_year(digits: str) -> bool:
    """A bare 2026 in a memo is a year far more often than invoice no. 2026 without its year."""
    return len(digits) == 4 and digits.isdigit() and 1990 <= int(digits) <= 2099


def build_reference_index(invoices: pd.DataFrame, customers: pd.DataFrame) -> ReferenceIndex:
    """Index `invoices` (InvoiceNo, InvoiceDate, Reference) by position, customers likewise."""
    forms: dict[str, list[tuple[int, int]]] = {}
    typo_forms: list[tuple[str, ...]] = []
    prefixes: set[str] = set()
    lengths: set[int] = set()
    years = pd.to_datetime(invoices["InvoiceDate"]).dt.year.fillna(0).astype(int).to_numpy()
    refs = invoices["Reference"].fillna("").astype(str).to_numpy() if "Reference" in invoices else None
    for pos, number in enumerate(invoices["InvoiceNo"].astype(str).to_numpy()):
        own = _invoice_forms(number, int(years[pos]))
        runs = _RUN.findall(_upper_ascii(number))
        if runs and not runs[0].isdigit():
            prefixes.add(runs[0])
        elif len(runs) == 1:
            lengths.add(len(runs[0]))
        for form, level in own.items():
            forms.setdefault(form, []).append((pos, level))
        typo_forms.append(tuple(f for f, lv in own.items() if lv >= Level.NOPREFIX and len(f) >= 5))
        if refs is not None and refs[pos].strip():
            ref = "".join(_RUN.findall(_upper_ascii(refs[pos])))
            if len(ref) >= 5:
                forms.setdefault(ref, []).append((pos, int(Level.STRUCTURED)))
    forms = {k: v for k, v in forms.items() if len(v) <= _MAX_HITS_PER_FORM}
    custs: dict[str, int] = {}
    for pos, cid in enumerate(customers["CustomerID"].astype(str).to_numpy()):
        runs = _RUN.findall(_upper_ascii(cid))
        if sum(len(r) for r in runs if r.isdigit()) >= 3:
            for form in _joined(runs):
                custs.setdefault(form, pos)
    return ReferenceIndex(forms, custs, typo_forms, frozenset(prefixes), frozenset(lengths))


def rf_reference_valid(ref: str) -> bool:
    """ISO 11649 creditor reference check (RFkk + up to 21 characters, mod 97 == 1)."""
    ref = ref.replace(" ", "").upper()
    if not re.fullmatch(r"RF\d{2}[A-Z0-9]{1,21}", ref):
        return False
    moved = ref[4:] + ref[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


_QR_TABLE = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)


def qr_reference_valid(ref: str) -> bool:
    """Swiss QR reference check: 27 digits, the last a recursive mod-10 check digit."""
    digits = ref.replace(" ", "")
    if not re.fullmatch(r"\d{27}", digits):
        return False
    carry = 0
    for d in digits[:-1]:
        carry = _QR_TABLE[(carry + int(d)) % 10]
    return (10 - carry) % 10 == int(digits[-1])


def _structured(memo: str, index: ReferenceIndex) -> tuple[str, list[tuple[int, int, str]]]:
    """Hits from valid RF and QR references, and the memo with them cut out."""
    hits: list[tuple[int, int, str]] = []
    for match in list(_RF.finditer(memo)):
        groups = match.group().split(" ")
        while groups and not rf_reference_valid("".join(groups)):
            groups.pop()
        if not groups:
            continue
        ref = "".join(groups)
        payload = ref[4:]
        found = index.forms.get(ref) or index.forms.get(payload) or index.forms.get(_strip_all(payload))
        if found:
            hits += [(pos, int(Level.STRUCTURED), ref) for pos, lv in found if lv >= Level.NOYEAR]
        memo = memo.replace(" ".join(groups), " ")
    for match in list(_QRR.finditer(memo)):
        digits = match.group().replace(" ", "")
        if not qr_reference_valid(digits):
            continue
        payload = digits[:-1].lstrip("0")
        found = index.forms.get(digits)
        for start in range(len(payload) - 3):  # longest suffix first
            if found:
                break
            found = [h for h in index.forms.get(payload[start:], []) if h[1] >= Level.NOYEAR]
        if found:
            hits += [(pos, int(Level.STRUCTURED), digits) for pos, _ in found]
            memo = memo.replace(match.group(), " ")
    return memo, hits


def _strip_all(text: str) -> str:
    return "".join(_strip(r) for r in _RUN.findall(text))


@dataclass(frozen=True)
class MemoReferences:
    """What the memos of some lines point at (positions into lines, invoices, customers)."""

    invoices: pd.DataFrame  # line, invoice, level, text, by_number (False: found by its Reference)
    customers: pd.DataFrame  # line, customer, text
    masked: pd.DataFrame  # line, text: the memo with dates, IBANs, amounts and exact hits masked
    unresolved: dict[int, list[str]] = field(default_factory=dict)  # line -> invoice-like words found nowhere


def _invoice_like(runs: list[str], index: ReferenceIndex) -> bool:
    """A word shaped like our invoice numbers (their prefix, or the length of all-digit ones)."""
    digits = "".join(r for r in runs if r.isdigit())
    if not digits:
        return False
    if not runs[0].isdigit():
        return runs[0] in index.prefixes
    return len(runs) == 1 and len(digits) in index.digit_lengths


def find_references(memos: pd.Series, index: ReferenceIndex) -> MemoReferences:
    """Every invoice and customer number each memo mentions; `memos` is indexed by line position.

    A word the memo spells exactly like one of our invoice numbers is masked for the one-typo
    search: the exact number wins over any number one character away from it.
    """
    inv_rows: list[tuple[int, int, int, str, bool]] = []
    cust_rows: list[tuple[int, int, str]] = []
    masked_rows: list[tuple[int, str]] = []
    unresolved: dict[int, list[str]] = {}
    forms, custs = index.forms, index.customers
    for line, raw in zip(memos.index, memos.fillna("").astype(str).to_numpy(), strict=True):
        if not raw.strip():
            continue
        memo, structured = _structured(_upper_ascii(raw), index)
        inv_rows += [(line, pos, level, text, True) for pos, level, text in structured]
        for mask in _MASKS:
            memo = mask.sub(" ", memo)
        found = list(_RUN.finditer(memo))
        runs = [m.group() for m in found]
        exact_spans: list[tuple[int, int]] = []
        i, n = 0, len(runs)
        while i < n:
            step = 1
            other = i > 0 and runs[i - 1] in _OTHER_DOCUMENTS  # "SO-2026-00008" is an order number
            for size in range(min(_MAX_GRAM, n - i), 0, -1):
                gram = runs[i : i + size]
                if not any(r.isdigit() for r in gram):
                    continue
                raw_form, stripped = _joined(gram)
                hits = forms.get(raw_form) or forms.get(stripped)
                if hits and other:
                    hits = [h for h in hits if h[1] >= Level.FULL]
                if hits:
                    text = "-".join(gram)
                    inv_rows += [(line, pos, level, text, level != Level.STRUCTURED) for pos, level in hits]
                    if any(Level.NOPREFIX <= level < Level.STRUCTURED for _, level in hits):
                        exact_spans.append((found[i].start(), found[i + size - 1].end()))
                    step = size
                    break
                cust = custs.get(raw_form, custs.get(stripped))
                if cust is not None:
                    cust_rows.append((line, cust, "-".join(gram)))
                    step = size
                    break
            else:
                if not other and _invoice_like(
                    runs[i : i + 2] if not runs[i].isdigit() else runs[i : i + 1], index
                ):
                    unresolved.setdefault(line, []).append("-".join(runs[i : i + 2]))
                while other and i + step < n and runs[i + step].isdigit():
                    step += 1  # the whole other number, not a tail of it
            i += step
        for start, end in reversed(exact_spans):
            memo = memo[:start] + " " * (end - start) + memo[end:]
        masked_rows.append((line, memo))
    return MemoReferences(
        pd.DataFrame(inv_rows, columns=["line", "invoice", "level", "text", "by_number"])
        .sort_values("level", ascending=False, kind="stable")
        .drop_duplicates(["line", "invoice"]),
        pd.DataFrame(cust_rows, columns=["line", "customer", "text"]).drop_duplicates(["line", "customer"]),
        pd.DataFrame(masked_rows, columns=["line", "text"]),
        unresolved,
    )


_CHUNK = re.compile(r"[A-Z0-9]+(?:[-/._#:][A-Z0-9]+)*")


def typo_words(memo: str) -> list[str]:
    """Number-like spans (1 to 3 neighbouring words, >= 4 digits) as stripped spellings.

    They are compared, one edit apart, only with invoices whose amount or customer already
    agrees with the line: a mistyped number alone is never evidence.
    """
    chunks = _CHUNK.findall(memo)
    out: set[str] = set()
    for start in range(len(chunks)):
        for size in (1, 2, 3):
            window = chunks[start : start + size]
            if len(window) < size or not any(c.isdigit() for c in window[-1]):
                continue
            runs = _RUN.findall("".join(window))
            if sum(len(r) for r in runs if r.isdigit()) >= 4:
                out.add(_joined(runs)[1])
                digits_on = next(i for i, r in enumerate(runs) if r.isdigit())
                out.add(_joined(runs[digits_on:])[1])
    return sorted(out)
