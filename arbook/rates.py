"""`arbook import-rates`: exchange rates into the Rates table, from the ECB's euro reference rates.

The European Central Bank publishes, each working day around 16:00 CET, how many units of some
30 currencies one euro buys. Two files carry them, as CSV (inside eurofxref.zip and
eurofxref-hist.zip, or unpacked), and both are read here:

  eurofxref.csv       the latest day: a header "Date, USD, JPY, ..." and one row
                      "28 November 2024, 1.0560, 161.16, ...", fields after ", ", a trailing comma
  eurofxref-hist.csv  every day since 1999, newest first: "Date,USD,JPY,...,", rows
                      "2024-11-28,1.0560,161.16,...", "N/A" where a currency had no rate that day

A file in another layout, a date or a rate that cannot be read, or a code that is no ISO 4217
currency is refused with its line; nothing is imported from it. Only the currencies the
workbook uses (Customers, Invoices, Orders, BankLines) are imported, from the date of its
first invoice on, so the Rates table stays the size of the books. With a base currency other
than the euro, each rate is computed through the euro on the same day (units of the currency
per euro / units of the base per euro), to 10 significant digits. A row the Rates table holds
already for that day and currency is kept as it is (the user's own rate wins); when the file
says otherwise, the run's notes say so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from common.currency import Rates, is_currency, rate_decimal
from common.errors import BankFileError
from workbook.book import Book
from workbook.contract import Settings

from .operation import NO_PROGRESS, Progress, Summary

__all__ = ["book_rates", "ecb_rates", "import_rates", "rates_of"]

_CROSS = Context(prec=10)
_MISSING = {"", "N/A", "NA", "-"}


def book_rates(book: Book) -> Rates:
    """The workbook's Rates table as a lookup (`rates_of`)."""
    return rates_of(book.read("Rates"), book.settings())


def rates_of(frame: pd.DataFrame, settings: Settings) -> Rates:
    """A Rates table as a lookup: the settings give the base currency and how long a rate stays valid."""
    return Rates(frame, base=settings.base_currency, max_age_days=settings.rate_max_age_days)


def ecb_rates(data: bytes, source: str) -> pd.DataFrame:
    """Date, Currency, Rate (units per euro, Decimal) of an ECB reference-rate file (CSV or its ZIP)."""
    text = _csv_text(data, source)
    rows = list(csv.reader(io.StringIO(text), skipinitialspace=True))
    if not rows or not rows[0] or rows[0][0].strip().casefold() != "date":
        raise BankFileError(
            source, 1, 'not the ECB\'s reference rates: expected a header "Date, USD, JPY, ..."'
        )
    header = [h.strip() for h in rows[0]]
    codes = header[1:]
    while codes and not codes[-1]:
        codes.pop()
    for code in codes:
        if not is_currency(code):
            raise BankFileError(source, 1, f"expected ISO 4217 currency codes in the header, got {code!r}")
    out: list[tuple[dt.date, str, Decimal]] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        day = _ecb_date(cells[0], source, number)
        values = cells[1 : 1 + len(codes)]
        extra = [c for c in cells[1 + len(codes) :] if c]
        if len(values) < len(codes) or extra:
            raise BankFileError(
                source, number, f"expected {len(codes)} rates after the date, got {len(cells) - 1}"
            )
        for code, value in zip(codes, values, strict=True):
            if value.upper() in _MISSING:
                continue
            try:
                rate = Decimal(value)
            except InvalidOperation:
                rate = Decimal(0)
            if not rate.is_finite() or rate <= 0:
                raise BankFileError(source, number, f"expected a positive {code} rate, got {value!r}")
            out.append((day, code, rate))
    if not out:
        raise BankFileError(source, None, "the file holds no rate")
    return pd.DataFrame(out, columns=["Date", "Currency", "Rate"])


def _csv_text(data: bytes, source: str) -> str:
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".csv")]
                if len(names) != 1:
                    raise BankFileError(source, None, f"expected one CSV file in the ZIP, found {len(names)}")
                data = zf.read(names[0])
        except zipfile.BadZipFile as exc:
            raise BankFileError(source, None, f"a damaged ZIP file: {exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BankFileError(source, None, f"expected UTF-8 text: {exc.reason}") from None


def _ecb_date(text: str, source: str, line: int) -> dt.date:
    for form in ("%Y-%m-%d", "%d %B %Y"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise BankFileError(
        source, line, f'expected a date such as 2024-11-28 or "28 November 2024", got {text!r}'
    )


def in_base(rates: pd.DataFrame, base: str) -> pd.DataFrame:
    """Rates per euro as rates per unit of `base`, through the euro on each day (module doc)."""
    if base == "EUR":
        return rates
    per_euro = rates.pivot(index="Date", columns="Currency", values="Rate")
    if base not in per_euro:
        raise BankFileError("", None, f"the file has no {base} rate, the base currency: none can be computed")
    out = []
    for day, row in per_euro.iterrows():
        anchor = row[base]
        if not isinstance(anchor, Decimal):
            continue
        out.append((day, "EUR", _CROSS.divide(Decimal(1), anchor)))
        for code, value in row.items():
            if code != base and isinstance(value, Decimal):
                out.append((day, code, _CROSS.divide(value, anchor)))
    return pd.DataFrame(out, columns=["Date", "Currency", "Rate"])


def import_rates(book: Book, files: Sequence[Path], *, progress: Progress = NO_PROGRESS) -> Summary:
    """Stage the new Rates rows of `files` (ECB reference rates); see the module doc."""
    settings = book.settings()
    base = settings.base_currency
    read = []
    for done, path in enumerate(files):
        progress("reading rate files", done, len(files))
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise BankFileError(str(path), None, f"cannot read the file: {exc.strerror or exc}") from None
        source = Path(path).name
        try:
            read.append(in_base(ecb_rates(data, source), base).assign(Source=f"ECB {source}"))
        except BankFileError as exc:
            if exc.file:
                raise
            raise BankFileError(source, exc.line, exc.reason) from None
    progress("reading rate files", len(files), len(files))
    found = pd.concat(read, ignore_index=True).drop_duplicates(["Date", "Currency"], keep="first")
    used, since = _used(book, base)
    wanted = found[found["Currency"].isin(used) & (pd.to_datetime(found["Date"]) >= since)]
    existing = book.read("Rates")
    have = {
        (pd.Timestamp(d).date(), str(c)): rate_decimal(r)
        for d, c, r in zip(existing["Date"], existing["Currency"], existing["Rate"], strict=True)
    }
    new, differing = [], []
    for day, code, rate, source in wanted.itertuples(index=False):
        mine = have.get((day, code))
        if mine is None:
            new.append((pd.Timestamp(day), code, float(rate), source))
        elif mine != rate:
            differing.append(f"{code} {day.isoformat()}: kept the Rates table's {mine}, the file says {rate}")
    rows = pd.DataFrame(new, columns=["Date", "Currency", "Rate", "Source"]).sort_values(
        ["Date", "Currency"], kind="stable"
    )
    summary = Summary(
        "import-rates",
        {
            "files": len(files),
            "rates read": len(found),
            "currencies used": ", ".join(sorted(used)) or "none but the base",
            "new rows": len(rows),
            "first day": rows["Date"].min().date().isoformat() if len(rows) else "",
            "last day": rows["Date"].max().date().isoformat() if len(rows) else "",
        },
    )
    missing = sorted(set(used) - set(found["Currency"]))
    if missing:
        summary.notes.append(f"the files have no rate of {', '.join(missing)}: add those by hand to Rates")
    summary.notes += differing[:20] + ([f"... and {len(differing) - 20} more"] if len(differing) > 20 else [])
    if rows.empty:
        summary.notes.append("nothing new: the workbook was not written")
        return summary
    book.append("Rates", rows.reset_index(drop=True))
    return summary


def _used(book: Book, base: str) -> tuple[set[str], pd.Timestamp]:
    """The currencies other than the base that the workbook's tables name, and its first invoice's date."""
    used: set[str] = set()
    for name in ("Customers", "Invoices", "Orders", "BankLines"):
        frame = book.read(name)
        if "Currency" in frame:
            used |= set(frame["Currency"].fillna("").astype(str))
    invoices = book.read("Invoices")
    first = invoices["InvoiceDate"].min() if len(invoices) else pd.NaT
    return used - {"", base}, pd.Timestamp(first) if not pd.isna(first) else pd.Timestamp.min
