"""Which rows of a bank CSV are money movements, and what the sign marks say.

Exports put more than movements in their table: an opening-balance row, turnover totals, a
closing-balance row (Swedbank marks them in a record-type column: 10 opening, 20
transaction, 82 turnover, 86 closing), or a "合计"/"Total" row at the end. Taken for
movements they become payments (a 10,374.04 "opening balance" credit handed to the
matcher), so they are told apart here: by the record-type column when there is one (a code
it does not know is refused), else by a row whose payer or memo cell is exactly such a
label. Their amounts are kept for one check: an opening balance plus the movements must
give the closing balance.

Rows that carry no money at all are not movements either: a row with neither a date nor
an amount under a movement goes on with its text (OCBC writes each payment's details on
the line below it), and rows after the last movement whose date cell holds text that is
not a date are a footer (兴业银行's "说明" disclaimer). A row with a date but no amount, or
an amount but no date, stays a movement and is refused by the reader.

Sign marks beside an unsigned amount are read in the languages banks write them: D/C,
S/H, D/K, Af/Bij, 借/贷, Cargo/Abono, Dare/Avere, T/J, Uznanie/Obciążenie ...
"""

from __future__ import annotations

from common.values import parse_date

from .csv_profiles import Layout, normalise_name

__all__ = ["ROW_CODES", "fold_text_rows", "mark_sign", "row_kind"]

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
        "合计金额",  # ICBC's credit-card download
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
    words = text.replace("/", " ").split()  # "/" alone (WeChat's neutral rows) has no word
    first = words[0] if words else ""
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


def fold_text_rows(
    cells: dict[int, list[str]], layout: Layout, positions: list[int]
) -> tuple[dict[int, list[str]], list[int]]:
    """`cells` and their record `positions` without the rows that carry no money (see the
    module doc): a continuation row's text is added to the memo of the row above it, a
    footer is dropped. Balance and total rows are left for row_kind, whatever they hold."""
    date_col = layout.one("date")
    money = [c for role in ("amount", "debit", "credit", "balance") for c in layout.columns.get(role, ())]
    if date_col is None or not positions:
        return cells, positions
    dates = cells[date_col]
    texts = [c for role in ("payer", "memo") for c in layout.columns.get(role, ())]

    def bare(i: int) -> bool:
        return (
            not any(cells[c][i] for c in money)
            and row_kind(None, tuple(cells[c][i] for c in texts)) == "movement"
        )

    end = len(positions)
    while end > 0 and dates[end - 1] and bare(end - 1) and not _is_date(dates[end - 1]):
        end -= 1
    drop = set(range(end, len(positions)))
    if "" in dates[:end]:
        memo = layout.one("memo")
        above = None
        for i in range(end):
            if not dates[i] and above is not None and bare(i):
                drop.add(i)
                if memo is not None:
                    extra = " ".join(cells[c][i] for c in sorted(cells) if c != date_col and cells[c][i])
                    cells[memo][above] = " ".join(filter(None, (cells[memo][above], extra)))
            else:
                above = i
    if not drop:
        return cells, positions
    keep = [i for i in range(len(positions)) if i not in drop]
    return {c: [v[i] for i in keep] for c, v in cells.items()}, [positions[i] for i in keep]


def _is_date(text: str) -> bool:
    try:
        parse_date(text, date_order="dmy")  # either order: the question is only whether it is a date
    except ValueError:
        return False
    return True
