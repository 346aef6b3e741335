"""Bank CSV exports: encoding, delimiter and header row found, columns mapped by profile.

Nothing about a bank CSV is declared, so everything is found from the file: each plausible
encoding (textio) and delimiter is tried on the first lines, and the reading whose row best
looks like a header (a date and an amount column, known names; see csv_profiles) wins. Lines
above it are a preamble (account holder, period) and are skipped; the body is parsed by
pandas' C reader as text and the columns are converted whole (columns.py).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

from common.errors import BankFileError
from common.values import format_cents

from .columns import amount_column, date_column
from .csv_profiles import Layout, header_score, layout_for
from .csv_rows import fold_text_rows, mark_sign, row_kind
from .model import PARSED_COLUMNS, Parsed, check_balanced
from .textio import head_of, rank_encodings

__all__ = ["CsvImporter"]

_DELIMITERS = (";", ",", "\t", "|")
_HEADER_SEARCH_LINES = 40
_EXTRA_FIELDS = 4  # trailing delimiters some banks put on data rows but not on the header
_LABEL_LIKE = re.compile(r"^[^\d\n]{1,40}$", re.MULTILINE)  # one C pass over a whole column
_EMPTY_MARKS = frozenset({"-", "--", "—", "－"})
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "CHF": "CHF"}
_CURRENCY_NAMES = {
    "人民币": "CNY",
    "RMB": "CNY",
    "元": "CNY",
    "€": "EUR",
    "$": "USD",
    "£": "GBP",
    "美元": "USD",
    "欧元": "EUR",
    "港币": "HKD",
    "港元": "HKD",
}


class CsvImporter:
    """Any delimited text with a recognisable header row."""

    name = "csv"

    def accepts(self, head: str) -> bool:
        return "\x00" not in head and any(d in head for d in _DELIMITERS)

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        text, delimiter, header_index, layout = _find_header(data, source)
        body = _after_line(text, header_index)
        first_line = header_index + 2
        _refuse_cut_short(body, delimiter, len(layout.headers), source, first_line)
        # the first column too: a total row's label stands there when the date read is another
        # column (ICBC's credit card: "合计金额" under 交易日期, the lines dated by 记账日期)
        used = sorted({0, *(i for cols in layout.columns.values() for i in cols)})
        locate_record = _record_locator(body, delimiter, first_line)
        cells = _read_cells(body, delimiter, len(layout.headers), used, source, first_line, locate_record)
        _refuse_unclosed_quote(cells, layout, delimiter, source, locate_record)
        lines, notes = _lines(cells, layout, source, locate_record, date_order)
        return Parsed(lines=lines, notes=notes)


def _find_header(data: bytes, source: str) -> tuple[str, str, int, Layout]:
    """(full text, delimiter, header line index, layout) of the most convincing reading."""
    ranked = rank_encodings(data)
    if not ranked:
        raise BankFileError(
            source, None, "cannot tell the text encoding (tried UTF-8, UTF-16, cp1252 and GB18030)"
        )
    head = head_of(data)
    best: list[tuple[int, int, str, str, int, Layout]] = []
    for rank, encoding in enumerate(ranked):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        lines = _split_lines(text)[:_HEADER_SEARCH_LINES]
        for index, line in enumerate(lines):
            for delimiter in _DELIMITERS:
                if delimiter not in line:
                    continue
                layout = layout_for(next(csv.reader([line], delimiter=delimiter)))
                score = header_score(layout) if layout else 0
                if score:
                    best.append((-score, rank, encoding, delimiter, index, layout))
    if not best:
        raise BankFileError(
            source,
            None,
            f"no header row with a date and an amount column in the first {_HEADER_SEARCH_LINES} lines; "
            "expected names such as Date/Buchungstag/交易日期 and Amount/Betrag/金额 (or Debit and Credit)",
        )
    problems = []
    for _score, _rank, encoding, delimiter, index, layout in sorted(best, key=lambda b: b[:2]):
        try:
            # CR CR LF (a CRLF file passed through a tool that added a CR) is one line end
            return data.decode(encoding).replace("\r\r\n", "\r\n"), delimiter, index, layout
        except UnicodeDecodeError as exc:
            problems.append(f"not {encoding} at byte {exc.start}")
    raise BankFileError(source, None, "cannot decode the whole file: " + "; ".join(dict.fromkeys(problems)))


def _after_line(text: str, index: int) -> str:
    """The text after line `index` (0-based), whatever the line ends (\\n, \\r\\n or \\r)."""
    at = 0
    for _ in range(index + 1):
        ends = [p for p in (text.find("\n", at), text.find("\r", at)) if p >= 0]
        if not ends:
            return ""
        at = min(ends) + (2 if text.startswith("\r\n", min(ends)) else 1)
    return text[at:]


def _refuse_cut_short(body: str, delimiter: str, width: int, source: str, first_line: int) -> None:
    """A file whose last row has no line end and fewer fields than the header was cut inside
    that row (its amount may be cut too: "71" of "717.55"): refused at that line. Rows that
    all stop short of the header (Swedbank's carry 13 fields under a 17-field header) are
    held to the row before instead."""
    if not body or body.endswith(("\n", "\r")):
        return
    rows = [line for line in _split_lines(body) if line.strip()]
    fields = next(csv.reader(rows[-1:], delimiter=delimiter), [])
    before = next(csv.reader(rows[-2:-1], delimiter=delimiter), [])
    if 0 < len(fields) < min(width, len(before) or width):
        raise BankFileError(
            source,
            first_line + len(_split_lines(body)) - 1,
            f"the file ends inside a row ({len(fields)} of the header's {width} fields, no line end): "
            "it was cut short",
        )


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _read_cells(
    body: str,
    delimiter: str,
    width: int,
    used: list[int],
    source: str,
    first_line: int,
    locate_record: Callable[[int], int | None],
) -> dict[int, list[str]]:
    """The stripped text of the columns in `used`, every data row; a row with more fields than
    the header is refused, unless the extra fields are empty (a trailing delimiter)."""
    data = body.encode("utf-8")  # pandas' C reader takes UTF-8 bytes without a Python decoding layer
    try:
        return _stripped(_read_csv(data, delimiter, width), used)
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        pass  # some rows are wider (or all narrower) than the header: read again with room to spare
    try:
        table = _read_csv(data, delimiter, width + _EXTRA_FIELDS)
    except pd.errors.ParserWarning:  # the first row is wider still
        raise BankFileError(
            source, locate_record(0), f"row has more fields than the header's {width}"
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        where = re.search(r"line (\d+)", str(exc))
        row = re.search(r"starting at row (\d+)", str(exc))  # an unclosed quote: pandas counts records from 0
        line = first_line + int(where[1]) - 1 if where else locate_record(int(row[1])) if row else None
        raise BankFileError(
            source, line, f"not a well-formed CSV row: {str(exc).split(': ', 1)[-1]}"
        ) from None
    overfull = (table.iloc[:, width:] != "").any(axis=1).to_numpy()
    if overfull.any():
        pos = int(np.flatnonzero(overfull)[0])
        raise BankFileError(source, locate_record(pos), f"row has more fields than the header's {width}")
    return _stripped(table, used)


def _refuse_unclosed_quote(
    cells: dict[int, list[str]],
    layout: Layout,
    delimiter: str,
    source: str,
    locate_record: Callable[[int], int | None],
) -> None:
    """A quote opened in a cell and closed only on a later line takes in the rest of its row
    and the start of the next one: the cell then holds a line end and the delimiter, and the
    rows around it would be read shifted (a payment merged into the next). Refused at the row
    where the quote opens; a text cell that runs over lines without the delimiter stays text."""
    for column, values in cells.items():
        joined = "\x00".join(values)  # one C pass: most files have no line end in any cell
        if "\n" not in joined and "\r" not in joined:
            continue
        for pos, value in enumerate(values):
            if delimiter in value and ("\n" in value or "\r" in value):
                swallowed = value.replace("\r", "").replace("\n", "⏎")
                raise BankFileError(
                    source,
                    locate_record(pos),
                    f"column {layout.headers[column] or column + 1}: a quote opened here is closed only "
                    f"on a later line, taking in what looks like the next row ({swallowed[:60]!r}); "
                    "a closing quote is missing",
                )


def _stripped(table: pd.DataFrame, used: list[int]) -> dict[int, list[str]]:
    return {c: list(map(str.strip, table[c].tolist())) for c in used}


def _read_csv(data: bytes, delimiter: str, width: int) -> pd.DataFrame:
    """Every row as `width` text fields (short rows padded with ""). A longer row raises: a
    ParserError, or a ParserWarning when it is the first row (pandas would otherwise drop its
    extra fields, and those of every later row as long, with only that warning). usecols would
    drop them without any word, so it is not used."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        return pd.read_csv(
            io.BytesIO(data),
            names=range(width),
            sep=delimiter,
            header=None,
            dtype=object,
            encoding="utf-8",
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            engine="c",
            index_col=False,
        )


def _record_locator(body: str, delimiter: str, first_line: int) -> Callable[[int], int | None]:
    """Record position -> file line number; computed only when a message needs one."""

    @cache
    def starts() -> list[int]:
        reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
        found, consumed = [], 0
        try:
            for record in reader:
                if record:
                    found.append(first_line + consumed)
                consumed = reader.line_num
        except csv.Error:
            pass  # lines past a malformed record stay unknown (None)
        return found

    def locate(pos: int) -> int | None:
        lines = starts()
        return lines[pos] if 0 <= pos < len(lines) else None

    return locate


def _lines(
    cells: dict[int, list[str]],
    layout: Layout,
    source: str,
    locate_record: Callable[[int], int | None],
    date_order: str,
) -> tuple[pd.DataFrame, list[str]]:
    """The movement rows, and notes for the clerk (lines the bank's numbering shows left out)."""
    positions = list(range(len(next(iter(cells.values())))))
    if not any(map(all, cells.values())):  # some row may be blank (a separator, or empty cells only)
        keep = [any(row) for row in zip(*cells.values(), strict=True)]
        positions = [i for i, k in enumerate(keep) if k]
        cells = {c: [v for v, k in zip(values, keep, strict=True) if k] for c, values in cells.items()}

    cells, positions = fold_text_rows(cells, layout, positions)

    def header(role: str) -> str:
        return layout.headers[layout.columns[role][0]] or role

    kinds = _row_kinds(cells, layout, header, source, lambda pos: locate_record(positions[pos]))
    summary: dict[str, list[int]] = {}
    if kinds is not None:  # balance and total rows are set aside, their amounts kept for one check
        for pos, kind in enumerate(kinds):
            summary.setdefault(kind, []).append(pos)
        summary_cells = {
            c: [v[i] for i in summary.get("opening", []) + summary.get("closing", [])]
            for c, v in cells.items()
        }
        summary_lines = [
            locate_record(positions[i]) for i in summary.get("opening", []) + summary.get("closing", [])
        ]
        movement = summary.get("movement", [])
        positions = [positions[i] for i in movement]
        cells = {c: [values[i] for i in movement] for c, values in cells.items()}

    def locate(pos: int) -> int | None:
        return locate_record(positions[pos])

    def column(role: str) -> list[str]:
        col = layout.one(role)
        return cells[col] if col is not None else [""] * len(positions)

    dates = date_column(column("date"), header("date"), source, locate, date_order)
    amount, currency_hint = _amounts(column, layout, source, locate, header)
    if layout.charges_positive:
        amount = -amount
    if kinds is not None and summary.get("opening") and summary.get("closing"):
        _check_summary_rows(
            summary_cells, summary_lines, len(summary["opening"]), amount, layout, header, source
        )
    missing = (dates.isna() | amount.isna()).to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        if pd.isna(dates.iat[pos]):
            what, where = "date", header("date")
        elif "amount" in layout.columns:
            what, where = "amount", header("amount")
        else:
            what, where = (
                "amount",
                " and ".join(header(r) for r in ("debit", "credit") if r in layout.columns),
            )
        raise BankFileError(
            source, locate(pos), f"row has no {what} in {where} (expected one on every transaction row)"
        )
    if layout.one("currency") is None:
        currency = [currency_hint] * len(positions)
    else:
        codes = {c: _CURRENCY_NAMES.get(c.upper(), c.upper()) for c in set(column("currency"))}
        codes |= {c: currency_hint for c in _EMPTY_MARKS & codes.keys()}  # ICBC's "-": none written
        currency = list(map(codes.__getitem__, column("currency")))
    numbers = _line_numbers(column("sequence")) if "sequence" in layout.columns else None
    if "balance" in layout.columns:
        balance = amount_column(column("balance"), header("balance"), source, locate)
        jumps = None if numbers is None else np.abs(np.diff(numbers)) > 1
        _check_running_balance(amount, balance, currency, header("balance"), source, locate, jumps)
    memo_cols = [cells[c] for c in layout.columns.get("memo", ())]
    if len(memo_cols) > 1:
        memo = [" ".join(p for p in parts if p) for parts in zip(*memo_cols, strict=True)]
    else:
        memo = memo_cols[0] if memo_cols else [""] * len(positions)
    notes = [] if numbers is None else _left_out(numbers, header("sequence"), source)
    frame = pd.DataFrame(
        {
            "Date": dates,
            "Amount": amount,
            "Currency": pd.Series(currency, dtype=object),
            "Payer": pd.Series(column("payer"), dtype=object),
            "Memo": pd.Series(memo, dtype=object),
            "BankRef": pd.Series(column("bankref"), dtype=object),
            "Account": pd.Series(column("account"), dtype=object),
            "Note": "",
            "Statement": 0,
        },
        columns=list(PARSED_COLUMNS),
    )
    return frame, notes


def _row_kinds(
    cells: dict[int, list[str]],
    layout: Layout,
    header: Callable[[str], str],
    source: str,
    locate: Callable[[int], int | None],
) -> list[str] | None:
    """Each row's kind (see csv_rows), or None when every row is a movement (the usual case,
    settled from the distinct texts only). A total label may stand in the date column too
    ("人民币合计")."""
    col = layout.one("rowtype")
    if col is not None:
        codes = cells[col]
        known = {c: row_kind(c, ()) for c in set(codes)}
        for pos, code in enumerate(codes):
            if known[code] is None:
                raise BankFileError(
                    source,
                    locate(pos),
                    f"column {header('rowtype')}: record type {code!r} is not one this reader knows "
                    "(10 opening balance, 20 transaction, 82 turnover, 86 closing balance)",
                )
        return [str(known[c]) for c in codes]
    roles = ("date", "payer", "memo")
    texts = [cells[c] for c in dict.fromkeys([0, *(c for r in roles for c in layout.columns.get(r, ()))])]
    # labels are short and hold no digit: a memo with an invoice number is never one, so only
    # the few other distinct texts are compared (a 100,000-line file has 100,000 memos)
    distinct = {t for column in texts for t in _LABEL_LIKE.findall("\n".join(dict.fromkeys(column)))}
    if all(row_kind(None, (t,)) == "movement" for t in distinct):
        return None
    return [str(row_kind(None, parts)) for parts in zip(*texts, strict=True)]


def _check_summary_rows(
    cells: dict[int, list[str]],
    lines: list[int | None],
    openings: int,
    movements: pd.Series,
    layout: Layout,
    header: Callable[[str], str],
    source: str,
) -> None:
    """The file's own opening balance row plus its movements must give its closing balance row."""

    def column(role: str) -> list[str]:
        col = layout.one(role)
        return cells[col] if col is not None else [""] * len(lines)

    values, _ = _amounts(column, layout, source, lambda pos: lines[pos], header)
    if values.isna().any():
        return  # a balance row without its amount: nothing to hold the movements to
    opening, closing = int(values.iat[0]), int(values.iat[-1])
    check_balanced(source, lines[-1], "", "", opening, int(movements.sum()), closing)


def _line_numbers(cells: list[str]) -> np.ndarray | None:
    """The bank's running number of each row; None when a cell is not a whole number (then
    the column says nothing about lines left out, and every pair of rows is held)."""
    if not cells or not all(c.isdigit() for c in cells):
        return None
    return np.array([int(c) for c in cells], dtype=np.int64)


def _left_out(numbers: np.ndarray, name: str, source: str) -> list[str]:
    """Where the bank's numbering jumps between neighbouring rows, the lines the export left
    out: payments among them come in only with an export that holds them."""
    notes = []
    for a, b in zip(numbers[:-1].tolist(), numbers[1:].tolist(), strict=True):
        low, high = sorted((a, b))
        if high - low == 2:
            notes.append(
                f"{source}: {name} {low + 1} is not in the file (the export left it out); "
                "import an export that holds it to bring its payment in"
            )
        elif high - low > 2:
            notes.append(
                f"{source}: {name} {low + 1} to {high - 1} ({high - low - 1} lines) are not in the file "
                "(the export left them out); import an export that holds them to bring their payments in"
            )
    return notes


def _check_running_balance(
    amount: pd.Series,
    balance: pd.Series,
    currency: list[str],
    name: str,
    source: str,
    locate: Callable[[int], int | None],
    jumps: np.ndarray | None = None,
) -> None:
    """Refuse a file whose running balance does not follow from its amounts: a row is missing
    or an amount misread (a file cut inside its last amount, rows deleted by hand). Exports
    list the newest line first or last; each currency keeps its own balance. A column with
    empty cells is a bank's own habit (a balance per day) and is not checked. `jumps` says
    between which neighbouring rows the bank's own running numbers jump: there the export
    left lines out by the bank's own count, and that pair is not held (a number repeated is
    held, so a row given twice is still refused)."""
    if balance.isna().any() or len(balance) < 2:
        return
    frame = pd.DataFrame({"amount": amount, "balance": balance, "currency": currency})
    for _code, part in frame.groupby("currency", sort=False):
        bal, amt = part["balance"].to_numpy(dtype=object), part["amount"].to_numpy(dtype=object)
        left_out = np.zeros(len(part) - 1, dtype=bool)
        if jumps is not None:  # a pair of this currency's rows that are neighbours in the file
            rows = part.index.to_numpy()
            left_out = (np.diff(rows) == 1) & jumps[rows[:-1]]
        oldest_first = ((bal[1:] - bal[:-1]) == amt[1:]) | left_out
        newest_first = ((bal[:-1] - bal[1:]) == amt[:-1]) | left_out
        if oldest_first.all() or newest_first.all():
            continue
        fits = oldest_first if oldest_first.sum() >= newest_first.sum() else newest_first
        first = int(np.flatnonzero(~fits)[0])  # pair (first, first + 1) disagrees
        # the row they share, when the next pair disagrees too, is the one whose balance is
        # wrong; otherwise the row whose amount the pair checks
        if first + 1 < len(fits) and not fits[first + 1]:
            bad = first + 1
        else:
            bad = first + 1 if fits is oldest_first else first
        pos = int(part.index[bad])
        raise BankFileError(
            source,
            locate(pos),
            f"column {name}: the balance {format_cents(int(bal[bad]))} does not follow from the amounts "
            "and the balance of the row before; a row is missing or an amount misread, so the file "
            "is refused",
        )


def _amounts(
    column: Callable[[str], list[str]],
    layout: Layout,
    source: str,
    locate: Callable[[int], int | None],
    header: Callable[[str], str],
) -> tuple[pd.Series, str]:
    """Signed cents per row, and the currency the amount text shows (e.g. "$1,036.47" -> USD)."""
    if "amount" in layout.columns:
        amount = amount_column(column("amount"), header("amount"), source, locate)
        # a column named like a credit or debit column that holds marks ("C"/"D") is the sign;
        # one cell of it that is no mark is refused there, never read as money in
        sign = "sign" if "sign" in layout.columns else None
        sign = sign or next(
            (r for r in ("credit", "debit") if r in layout.columns and _holds_marks(column(r))), None
        )
        if sign is not None:
            amount = amount.abs() * _signs(column(sign), header(sign), source, locate)
        return amount, _currency_shown(column("amount"))
    if ("debit" in layout.columns) != ("credit" in layout.columns):
        only = "debit" if "debit" in layout.columns else "credit"
        raise BankFileError(
            source,
            None,
            f"the header has a {header(only)} column but neither an amount column nor a "
            f"{'credit' if only == 'debit' else 'debit'} column: the other movements cannot be told",
        )
    none = pd.Series(pd.NA, index=range(len(column("date"))), dtype="Int64")

    def column_or_dash(role: str) -> list[str]:  # "-" stands for an empty cell in Chinese exports
        return ["" if v in _EMPTY_MARKS else v for v in column(role)]

    debit = (
        amount_column(column_or_dash("debit"), header("debit"), source, locate)
        if "debit" in layout.columns
        else none
    )
    credit = (
        amount_column(column_or_dash("credit"), header("credit"), source, locate)
        if "credit" in layout.columns
        else none
    )
    both = (debit.fillna(0).ne(0) & credit.fillna(0).ne(0)).to_numpy()
    if both.any():
        pos = int(np.flatnonzero(both)[0])
        raise BankFileError(
            source, locate(pos), f"row has both {header('debit')} and {header('credit')} filled"
        )
    amount = credit.fillna(0) - _money_out(debit, header("debit"), source, locate).fillna(0)
    amount[debit.isna() & credit.isna()] = pd.NA
    shown = [v for role in ("debit", "credit") if role in layout.columns for v in column(role)]
    return amount, _currency_shown(shown)


def _money_out(debit: pd.Series, name: str, source: str, locate: Callable[[int], int | None]) -> pd.Series:
    """A debit column as money out. Banks write it all positive or all negative; a cell of
    the other sign than most is a reversal (兴业银行's "-5.50" 隔日冲账 under 支出), money in.
    A column with as many of each sign cannot be told and is refused."""
    positive, negative = int((debit > 0).sum()), int((debit < 0).sum())
    if not (positive and negative):
        return debit.abs()
    if positive == negative:
        raise BankFileError(
            source,
            locate(int(np.flatnonzero((debit < 0).fillna(False).to_numpy())[0])),
            f"column {name} holds as many negative as positive amounts: which are reversals cannot be told",
        )
    return debit if positive > negative else -debit


def _holds_marks(cells: list[str]) -> bool:
    return any(mark_sign(c) is not None for c in set(cells) - {""})


def _signs(marks: list[str], name: str, source: str, locate: Callable[[int], int | None]) -> pd.Series:
    known = {m: mark_sign(m) for m in set(marks)}
    for pos, mark in enumerate(marks):
        if known[mark] is None:
            raise BankFileError(
                source,
                locate(pos),
                f"column {name}: expected a debit/credit mark such as D/C, S/H, Af/Bij or 借/贷, got {mark!r}",
            )
    return pd.Series([known[m] for m in marks], dtype="Int64")


def _currency_shown(values: list[str]) -> str:
    cells = list(filter(None, values))
    for symbol, code in _SYMBOLS.items():
        if cells and all(symbol in v for v in cells):
            return code
    return ""
