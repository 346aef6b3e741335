"""Which rows of a bank CSV are money movements, and what the sign marks say.

Exports put more than movements in their table: an opening-balance row, turnover totals, a
closing-balance row (Swedbank marks them in a record-type column: 10 opening, 20
transaction, 82 turnover, 86 closing), or a "合计"/"Total" row at the end. Taken for
movements they become payments (a 10,374.04 "opening balance" credit handed to the
matcher), so they are told apart here: by the record-type column when there is one (a code
it does not know is refused), else by a row whose payer or memo cell is exactly such a
label. Their amounts are kept for one check: an opening balance plus the movements must
give the closing balance.

Sign marks beside an unsigned amount are read in the languages banks write them: D/C,
S/H, D/K, Af/Bij, 借/贷, Cargo/Abono, Dare/Avere, T/J, Uznanie/Obciążenie ...
"""

from __future__ import annotations

from .csv_profiles import normalise_name

__all__ = ["ROW_CODES", "mark_sign", "row_kind"]

# Record-type codes: Swedbank's (Baltic and Nordic exports) and their names.
ROW_CODES = {"10": "opening", "20": "movement", "82": "total", "86": "closing", "900": "total"}
_LABELS = {
    "opening": (
        "Opening balance",
        "Saldo inicial",
        "Saldo iniziale",
        "Anfangssaldo",
        "Alter Kontostand",
        "Beginsaldo",
        "Solde initial",
        "Solde précédent",
        "Saldo początkowe",
        "Nyitó egyenleg",
        "Počáteční zůstatek",
        "Ingående saldo",
        "Likutis pradžiai",
        "Algsaldo",
        "期初余额",
        "上期余额",
        "前月繰越",
    ),
    "closing": (
        "Closing balance",
        "Saldo final",
        "Saldo finale",
        "Endsaldo",
        "Neuer Kontostand",
        "Eindsaldo",
        "Solde final",
        "Nouveau solde",
        "Saldo końcowe",
        "Záró egyenleg",
        "Konečný zůstatek",
        "Utgående saldo",
        "Likutis pabaigai",
        "Lõppsaldo",
        "期末余额",
        "本期余额",
    ),
    "total": (
        "Total",
        "Totals",
        "Turnover",
        "Summe",
        "Umsatzsumme",
        "Totaal",
        "Totale",
        "Suma",
        "Összesen",
        "Celkem",
        "Summa",
        "Apyvarta",
        "Käive",
        "合计",
        "总计",
        "合計",
    ),
}
_TOTAL_SUFFIXES = ("合计", "总计", "合計")  # "人民币合计": the total of one currency
_LABEL_KIND = {normalise_name(label): kind for kind, labels in _LABELS.items() for label in labels}
_DEBIT = ("s", "d", "dr", "debit", "debet", "debetas", "soll", "belastung", "af", "cargo", "dare", "t")
_CREDIT = (
    "h",
    "c",
    "cr",
    "credit",
    "kredit",
    "kreditas",
    "k",
    "haben",
    "gutschrift",
    "bij",
    "abono",
    "avere",
    "j",
)
_DEBIT_MORE = ("obciazenie", "terheles", "vydaj", "uttag", "借", "支出", "支", "出金", "出")
_CREDIT_MORE = ("uznanie", "jovairas", "prijem", "insattning", "贷", "收入", "收", "入金", "入")
_MARKS = {m: -1 for m in (*_DEBIT, *_DEBIT_MORE)} | {m: 1 for m in (*_CREDIT, *_CREDIT_MORE)}


def mark_sign(mark: str) -> int | None:
    """+1 for a credit mark, -1 for a debit mark, None for anything else. The first word
    counts ("贷 Cr", "Debit card"): accents, case and punctuation are ignored."""
    text = mark.strip()
    if text in ("+", "-"):
        return 1 if text == "+" else -1
    first = text.replace("/", " ").split()[0] if text.split() else ""
    return _MARKS.get(normalise_name(first))


def row_kind(code: str | None, texts: tuple[str, ...]) -> str | None:
    """ "movement", "opening", "closing" or "total" for one row; None when its record-type
    `code` is not one this reader knows. Without a code, a row whose payer or memo cell is
    exactly a balance or total label is that kind."""
    if code is not None:
        return ROW_CODES.get(code.strip().lstrip("0") if code.strip() not in ROW_CODES else code.strip())
    for text in texts:
        if not text:
            continue
        name = normalise_name(text)
        kind = _LABEL_KIND.get(name) or ("total" if name.endswith(_TOTAL_SUFFIXES) else None)
        if kind:
            return kind
    return "movement"
