"""Values as people type them: amounts, dates and yes/no, parsed by one set of rules.

The workbook reader and the bank importers both meet text such as "€ 1.234,56", "(12.50)",
"03/11/2026" or an Excel serial 46329; parsing them in one place keeps the two agreeing.
Money is returned as integer minor units of its currency: exact, and fast to sum in pandas.
`digits` says how many decimals that currency has (common.currency.currency_digits: EUR 2,
JPY 0, KWD 3); cents, the default, are the minor units of two-decimal currencies.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "DATE_ORDERS",
    "MAX_AMOUNT_CENTS",
    "MAX_EXACT",
    "MAX_TOTAL_CENTS",
    "amount_limit_text",
    "cents_to_decimal",
    "format_cents",
    "parse_amount_cents",
    "parse_bool",
    "parse_date",
    "yes_no",
]

DATE_ORDERS = ("dmy", "mdy", "ymd")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
# A currency code is a word of its own ("EUR 12", "12EUR"), never three letters inside a longer word.
_CURRENCY = re.compile(r"(?<![A-Za-z])(?:S?Fr\.?|[A-Za-z]{3})(?![A-Za-z])|[€$£¥₹₩₽₺₪฿₫₴₦₱]|元", re.UNICODE)
# Full-width forms as Chinese and Japanese input methods type them ("１２３．４５") -> ASCII.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")

MAX_AMOUNT_CENTS = 99_999_999_999
"""The largest amount arbook takes, either sign, in minor units of the amount's own currency:
999,999,999.99 EUR, USD or GBP; 99,999,999,999 JPY (no decimals); 99,999,999.999 KWD (three).

Why this figure: arbook keeps money as int64 minor units, and a total over a table adds at most
1,048,575 amounts (the rows an Excel sheet holds); even 10 million amounts at this limit add up
to less than 1e18 minor units, a ninth of what int64 holds, so no total can overflow. And with at
most 11 significant digits, every such amount is exact as an Excel number (Excel keeps 15):
written as a double and read back, it gives the same minor units. A larger figure is refused where it
is read (a workbook cell, a bank file), with its place, never carried into a sum.
"""

MAX_EXACT = 2**53
"""The largest whole number a double, and so an Excel cell, holds exactly."""

MAX_TOTAL_CENTS = 10**15 - 1
"""The largest sum arbook writes into a table of its own (Aging, Credit, Forecast), either way, in
minor units: 9,999,999,999,999.99 EUR (999,999,999,999,999 JPY), fifteen significant digits, as many as Excel shows and keeps when a
person edits the cell; up to it, the double written reads back to the same minor units."""

# Yes/no as people type them in a flag column ("strittig", "Disputed", "Mahnsperre"): the
# words themselves, the column's own word for yes, and that word negated ("nicht strittig").
_TRUE = frozenset(
    {
        *("y", "yes", "true", "1", "x", "✓", "✔", "☑"),
        *("ja", "j", "wahr", "strittig", "bestritten", "reklamiert", "gesperrt"),
        *("oui", "o", "vrai", "litige", "en litige", "litigieux", "contesté", "bloqué"),
        *("si", "sí", "disputed", "in dispute", "blocked"),
        *("是", "是的", "有", "对", "有争议", "争议", "冻结"),
    }
)
_FALSE = frozenset(
    {
        *("", "n", "no", "false", "0", "-", "–", "—", "✗", "✘", "☐", "none"),
        *("nein", "falsch", "unstrittig", "unbestritten", "kein", "keine"),
        *("non", "faux", "aucun", "sans litige", "pas de litige"),
        *("undisputed",),
        *("否", "不是", "无", "没有", "不"),
    }
)
_NEGATIONS = ("nicht ", "not ", "non ", "kein ", "keine ", "pas ", "无", "没有", "不", "非")
_BOOL_WORDS = "Y/N, ja/nein, oui/non, 是/否, TRUE/FALSE, WAHR/FALSCH, 1/0, x or ✓ for yes; blank is no"


def parse_amount_cents(
    value: object, *, decimal_comma: bool | None = None, largest: int = MAX_AMOUNT_CENTS, digits: int = 2
) -> int:
    """Return the amount in integer minor units (cents for `digits` 2), or raise ValueError
    saying what was expected.

    Accepts numbers, and text with currency symbols or codes, thousands separators
    (`.` `,` `'` and spaces), a decimal comma, `(123.45)` or trailing-minus negatives, in
    ASCII or full-width characters.
    `decimal_comma` settles "1,234" (None: a lone separator followed by exactly three
    digits is a thousands separator, otherwise it is the decimal mark; in a currency of three
    decimals or more it is the decimal mark: "1.234" KWD is 1.234). More decimals than the
    currency has are refused ("1.5" JPY). An amount beyond `largest` minor units either way
    (MAX_AMOUNT_CENTS) is refused.
    """
    if isinstance(value, bool):
        raise ValueError("expected an amount, got a yes/no value")
    if isinstance(value, int):
        cents = value * 10**digits
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("expected an amount, got an empty or infinite number")
        cents = _decimal_to_cents(Decimal(repr(value)), digits)
    elif isinstance(value, Decimal):
        cents = _decimal_to_cents(value, digits)
    elif isinstance(value, str):
        if decimal_comma is None and digits >= 3:
            decimal_comma = _lone_decimal_mark(value)
        cents = _decimal_to_cents(_parse_amount_text(value, decimal_comma), digits)
    else:
        raise ValueError(f"expected an amount, got {type(value).__name__}")
    if abs(cents) > largest:
        raise ValueError(f"{amount_limit_text(largest, digits)}, got {value}")
    return cents


def amount_limit_text(largest: int = MAX_AMOUNT_CENTS, digits: int = 2) -> str:
    """What an amount beyond the limit is told: "beyond the largest amount arbook takes (expected ...)"."""
    shown = f"{cents_to_decimal(largest, digits):,.{digits}f}"
    return f"beyond the largest amount arbook takes (expected at most {shown} either way)"


def _lone_decimal_mark(text: str) -> bool | None:
    """In a currency of three decimals, the one separator of "1.234" or "1,234" is its decimal mark."""
    marks = [c for c in text if c in ".,"]
    return (marks[0] == ",") if len(marks) == 1 else None


def _parse_amount_text(text: str, decimal_comma: bool | None) -> Decimal:
    raw = text.strip()
    s = _CURRENCY.sub("", raw.translate(_FULL_WIDTH))
    s = _SPACES.sub("", s)
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.endswith("-"):
        negative, s = True, s[:-1]
    if s.startswith("+"):
        s = s[1:]
    elif s.startswith("-"):
        negative, s = not negative, s[1:]
    s = _CURRENCY.sub("", s)
    if not s or not re.fullmatch(r"[0-9.,]+", s):
        raise ValueError(f"expected an amount such as 1234.56 or 1.234,56, got {raw!r}")
    s = _normalise_separators(s, decimal_comma, raw)
    try:
        number = Decimal(s)
    except InvalidOperation as exc:
        raise ValueError(f"expected an amount such as 1234.56 or 1.234,56, got {raw!r}") from exc
    return -number if negative else number


def _normalise_separators(s: str, decimal_comma: bool | None, raw: str) -> str:
    """Turn "1.234,56" / "1,234.56" / "1234,5" into "1234.56"-style text."""
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
    elif dots + commas == 0:
        return s
    else:
        sep = "." if dots else ","
        if dots + commas > 1:
            decimal = None if _grouped(s, sep) else "bad"
        elif decimal_comma is not None:
            decimal = "," if decimal_comma else "."
            if sep != decimal:
                decimal = None
        else:
            thousands = len(s) - s.rfind(sep) - 1 == 3 and not s.startswith("0")  # "0.001" has no thousands
            decimal = None if thousands else sep
        if decimal == "bad":
            raise ValueError(f"expected an amount with one decimal mark, got {raw!r}")
        if decimal is None:
            if not _grouped(s, sep):
                raise ValueError(f"expected thousands groups of three digits, got {raw!r}")
            return s.replace(sep, "")
    thousands = "," if decimal == "." else "."
    whole, _, frac = s.rpartition(decimal)
    if thousands in whole and not _grouped(whole, thousands):
        raise ValueError(f"expected thousands groups of three digits, got {raw!r}")
    if thousands in frac or decimal in whole:
        raise ValueError(f"expected one decimal mark, got {raw!r}")
    return whole.replace(thousands, "") + "." + frac


def _grouped(s: str, sep: str) -> bool:
    head, *groups = s.split(sep)
    return 1 <= len(head) <= 3 and head.isdigit() and all(len(g) == 3 and g.isdigit() for g in groups)


def _decimal_to_cents(number: Decimal, digits: int = 2) -> int:
    if not number.is_finite():
        raise ValueError("expected a finite amount")
    if number.adjusted() > 18:  # beyond every limit (and beyond int64): no quantize of a huge number
        raise ValueError(f"{number} is not an amount money can be: {amount_limit_text(digits=digits)}")
    minor = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if minor != number and abs(minor - number) > Decimal("0.000001"):
        raise ValueError(
            f"expected at most {digits} decimals, got {number}"
            if digits
            else f"expected a whole amount (the currency has no decimals), got {number}"
        )
    return int(minor.scaleb(digits))


def cents_to_decimal(cents: int, digits: int = 2) -> Decimal:
    """The exact Decimal for an amount in minor units (for printing and for writing to the workbook)."""
    return Decimal(int(cents)).scaleb(-digits)


def format_cents(cents: int, digits: int = 2) -> str:
    """Plain "-1234.56" text (as many decimals as `digits`); locale-aware formatting is the mailer's job (Babel)."""
    return f"{cents_to_decimal(cents, digits):.{digits}f}"


_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\.?(?:[ T].*)?$")  # "2019.04.19." in Hungary
_CJK = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T].*)?$")


def parse_date(value: object, *, date_order: str, date1904: bool = False) -> dt.date:
    """Return a date, or raise ValueError saying what was expected.

    Accepts date/datetime objects, Excel serial numbers, ISO text, 2026年11月3日, 20261103,
    and d.m.Y, d/m/Y or m/d/Y text; `date_order` ("dmy" or "mdy") decides which of day and
    month comes first when both are 12 or less. A day or month out of range is refused, not
    swapped, except where only one reading is a real date.
    """
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {', '.join(DATE_ORDERS)}, got {date_order!r}")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()  # type: ignore[union-attr]
    if isinstance(value, bool):
        raise ValueError("expected a date, got a yes/no value")
    if isinstance(value, (int, float)):
        return _from_serial(float(value), date1904)
    if not isinstance(value, str):
        raise ValueError(f"expected a date, got {type(value).__name__}")
    text = value.strip()
    try:
        if m := _ISO.match(text) or _CJK.match(text) or _COMPACT.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            a, b, year = int(m[1]), int(m[3]), int(m[4])
            year += 2000 if year < 100 else 0
            first_is_day = date_order != "mdy"
            if m[2] == ".":
                first_is_day = True  # 03.11.2026 is day-first everywhere it is written
            elif a > 12 >= b:
                first_is_day = True
            elif b > 12 >= a:
                first_is_day = False
            day, month = (a, b) if first_is_day else (b, a)
            return dt.date(year, month, day)
        if re.fullmatch(r"\d{5}(\.\d+)?", text):
            return _from_serial(float(text), date1904)
    except ValueError as exc:
        raise ValueError(f"expected a real date, got {text!r} ({exc})") from exc
    raise ValueError(f"expected a date such as 2026-11-30 or 30.11.2026, got {text!r}")


def _from_serial(serial: float, date1904: bool) -> dt.date:
    if not 1 <= serial < 2958466:
        raise ValueError(f"expected a date, got the number {serial:g}")
    epoch = _EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH
    return epoch + dt.timedelta(days=int(serial))


def yes_no(flag: bool) -> str:
    """A yes/no cell's text: Y or N, what the template's drop-down offers (any word `parse_bool` takes is read)."""
    return "Y" if flag else "N"


def parse_bool(value: object) -> bool:
    """Yes or no, in the words people type in English, German, French and Chinese; blank is no.

    Y/N, ja/nein, oui/non, 是/否, TRUE/FALSE (WAHR/FALSCH, VRAI/FAUX as text), 1/0, x and ✓;
    a flag column's own word ("strittig", "disputed", "litige", "争议") is yes and that word
    negated ("nicht strittig", "not disputed", "无争议") is no. Full-width forms count the same.
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = " ".join(unicodedata.normalize("NFKC", str(value)).casefold().split()).rstrip(".!")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    for negation in _NEGATIONS:
        if text.startswith(negation) and text[len(negation) :] in _TRUE:
            return False
    raise ValueError(f"expected yes or no ({_BOOL_WORDS}), got {value!r}")
