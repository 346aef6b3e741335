"""Where the records sit on a sheet people keep by hand: the heading row, and the rows that are not records.

A receivables list kept in Excel rarely starts in A1. Above the headings there is a merged
title ("Offene Posten Oktober 2026"), the company name, a date line ("Stand: 31.10.2026") and
blank rows; blank rows separate groups; and a total row ("Summe", "Gesamt", "Total", "合计",
Excel's own "K100 Ergebnis" / "Grand Total" subtotals) closes the list. This module finds
the heading row among the first rows of a sheet and tells total rows apart, so that a total
is never read as one more invoice and never summed in. Blank rows need nothing here: the
reader drops a row whose read cells are all empty.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["HEADING_SCAN", "filled_span", "heading_rows", "is_total_label", "is_total_row"]

HEADING_SCAN = 30
"""How many rows from the top are searched for the heading row (titles and notes sit above it)."""

_TOTAL_WORDS = frozenset(
    {
        # German
        "summe",
        "summen",
        "gesamt",
        "gesamtsumme",
        "gesamtbetrag",
        "gesamtergebnis",
        "ergebnis",
        "endsumme",
        "zwischensumme",
        "insgesamt",
        "übertrag",
        "saldo",
        # English
        "total",
        "totals",
        "subtotal",
        "sub-total",
        "sum",
        # French
        "totaux",
        "sous-total",
        "somme",
        # Italian, Spanish, Dutch (the same words Excel writes for its subtotals there)
        "totale",
        "suma",
        "totaal",
    }
)
# Chinese and Japanese labels carry no spaces: "合计金额", "小计：", "K100 汇总" (each word two characters).
_CJK_TOTALS = frozenset(
    {"合计", "合計", "小计", "小計", "总计", "總計", "共计", "共計", "汇总", "彙總", "总额"}
)
_PUNCTUATION = ":：.。"
_CURRENCY_TOKEN = re.compile(r"[A-Z]{3}|[€$£¥₹₩₽₺₪฿₫₴₦₱]|元|円")


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def filled_span(row: Sequence[object]) -> tuple[int, int] | None:
    """The first and last filled column of a row (1-based), or None for a blank row."""
    filled = [i for i, v in enumerate(row, start=1) if _filled(v)]
    return (filled[0], filled[-1]) if filled else None


def is_total_label(value: object) -> bool:
    """Whether a cell's text labels a total: "Summe", "Gesamt:", "Total EUR", "K100 Ergebnis", "合计"."""
    if not isinstance(value, str):
        return False
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)
    words = text.casefold().split()  # str methods only: this runs once per row of every mapped sheet
    if not words:
        return False
    first, last = words[0].strip(_PUNCTUATION), words[-1].strip(_PUNCTUATION)
    return (
        first in _TOTAL_WORDS or last in _TOTAL_WORDS or first[:2] in _CJK_TOTALS or last[-2:] in _CJK_TOTALS
    )


def is_total_row(row: Sequence[object]) -> bool:
    """A row whose first filled cell labels a total and whose other cells hold only figures.

    "Summe | | | | 3046,50 | EUR" is a total; "Total Energies SE | ap@total.example" (a customer
    whose name begins with the word) is not, because a record carries text besides its label.
    """
    first = next((i for i, v in enumerate(row) if _filled(v)), None)
    return (
        first is not None
        and is_total_label(row[first])
        and all(
            not _filled(v)
            or isinstance(v, (int, float))
            or (isinstance(v, str) and _CURRENCY_TOKEN.fullmatch(v.strip()) is not None)
            for v in row[first + 1 :]
        )
    )


def heading_rows(grid: Sequence[Sequence[object]], limit: int = HEADING_SCAN) -> list[int]:
    """Excel row numbers, top down, of the first `limit` rows that may hold headings.

    A heading row has two or more filled cells, all text, and is no total row: a merged title
    or a company name (one cell), a date line ("Stand:" beside a date) and blank rows are not.
    """
    out = []
    for number, row in enumerate(grid[:limit], start=1):
        cells = [v for v in row if _filled(v)]
        if len(cells) >= 2 and all(isinstance(v, str) for v in cells) and not is_total_label(cells[0]):
            out.append(number)
    return out
