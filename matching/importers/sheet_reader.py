"""Bank exports saved as spreadsheets (.xlsx, .xls) or as an HTML table named .xls.

Many banks, most Chinese banks among them, offer an Excel download; some of those ".xls"
files are really an HTML table or a CSV text. What a file is, is told by its content, never
by its name: a zip (xlsx) or an OLE2 compound file (xls) is read with python-calamine, an
HTML document by its largest <table> (lxml, network and entities off), and text goes to
the CSV reader. The sheet or table then goes through the CSV reader's logic as rows of
text (header found after any preamble, columns mapped by profile, every cell checked), so
a spreadsheet export reads exactly as its CSV twin. A refusal names the sheet's row (or
the HTML line of the table row).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from lxml import etree, html
from python_calamine import CalamineWorkbook

from common.errors import BankFileError

from .csv_profiles import layout_for
from .csv_reader import CsvImporter
from .csv_rows import row_kind
from .model import Parsed
from .textio import head_of, rank_encodings

__all__ = ["HtmlTableImporter", "SpreadsheetImporter", "is_spreadsheet"]

_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_PARSER = html.HTMLParser(remove_comments=True, no_network=True)
_DECLARED_CHARSET = re.compile(rb"<meta[^>]*charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def is_spreadsheet(data: bytes) -> bool:
    return data.startswith((_ZIP, _OLE2))


class SpreadsheetImporter:
    name = "xlsx"

    def accepts(self, head: str) -> bool:
        return False  # chosen by its magic bytes (is_spreadsheet), never by decoded text

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as exc:  # calamine: not a workbook it can open
            raise BankFileError(
                source, None, f"cannot open the spreadsheet: {str(exc).splitlines()[0][:160]}"
            ) from None
        problems = []
        for name in book.sheet_names:
            try:
                rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise BankFileError(
                    source, None, f"sheet {name!r} cannot be read: {str(exc).splitlines()[0][:160]}"
                ) from None
            if not any(any(str(c).strip() for c in row) for row in rows):
                continue
            try:
                return _read_rows(rows, list(range(1, len(rows) + 1)), f"{source} (sheet {name})", date_order)
            except BankFileError as exc:
                if "no header row" not in exc.reason:
                    raise
                problems.append(name)
        raise BankFileError(
            source,
            None,
            f"no sheet has a header row with a date and an amount column (sheets: {', '.join(problems) or 'none'})",
        )


class HtmlTableImporter:
    """An HTML table, as some banks' ".xls" downloads are."""

    name = "html"

    def accepts(self, head: str) -> bool:
        lowered = head[:4096].lower()
        return "<table" in lowered or ("<html" in lowered and "<td" in lowered)

    def read(self, data: bytes, source: str, *, date_order: str) -> Parsed:
        text = _html_text(data, source)
        try:
            root = html.document_fromstring(text, parser=_HTML_PARSER)
        except (etree.ParserError, ValueError) as exc:
            raise BankFileError(source, None, f"not a readable HTML table: {exc}") from None
        tables = root.xpath("//table")
        if not tables:
            raise BankFileError(source, None, "an HTML file without a table")
        _refuse_unclosed_table(text, source)
        best = max(tables, key=lambda t: len(t.xpath(".//tr")))
        trs = best.xpath(".//tr")
        rows = [_html_cells(tr) for tr in trs]
        lines = [tr.sourceline for tr in trs]
        _refuse_partial_rows(rows, lines, source)
        return _read_rows(rows, lines, source, date_order)


def _refuse_unclosed_table(text: str, source: str) -> None:
    """HTML forgives a missing </table> (and the parser supplies it), but a bank's page always
    closes its tables: one that does not was cut short, and its last row's last cell ("25" of
    "25.00") may be cut too. Refused at the file's last line."""
    lowered = text.lower()
    if lowered.count("</table") < lowered.count("<table"):
        last = len(text.rstrip().splitlines())
        raise BankFileError(source, last, "the table is not closed (no </table>): the file was cut short")


def _html_cells(tr: html.HtmlElement) -> list[str]:
    """A row's cell texts, a cell spanning columns (colspan) taking as many places, so the
    cells after it stay under their own headings."""
    cells: list[str] = []
    for cell in tr.xpath("./th|./td"):
        span = cell.get("colspan", "1").strip()
        cells += [" ".join(cell.text_content().split())] + [""] * (int(span) - 1 if span.isdigit() else 0)
    return cells


def _refuse_partial_rows(rows: list[list[str]], lines: list[int | None], source: str) -> None:
    """After the header row, a row of several cells but fewer than the header's has lost a
    cell, and every cell after the gap would be read under the wrong heading (an amount paid
    out read as received): refused at its line. A row of one cell is a note or a title, and a
    total or balance row ("合计", "Closing balance") may be shorter: the CSV reader sets it aside."""
    header = next((i for i, row in enumerate(rows) if layout_for(row) is not None), None)
    if header is None:
        return
    width = len(rows[header])
    for row, line in zip(rows[header + 1 :], lines[header + 1 :], strict=True):
        if 1 < len(row) < width and row_kind(None, tuple(row)) == "movement":
            raise BankFileError(
                source,
                line,
                f"row has {len(row)} cells where the header has {width}: a cell is missing, "
                "so the cells after it cannot be told to their columns",
            )


def _html_text(data: bytes, source: str) -> str:
    """The page's text in the charset its <meta> declares (Excel's "Web page" form and the
    banks' HTML ".xls" say windows-1250, GBK ...), unless a BOM or valid UTF-8 settles it;
    undeclared, the most plausible reading, as for a CSV. Bytes that are not the declared
    charset are refused at their line, never replaced."""
    ranked = rank_encodings(data)
    declared = _DECLARED_CHARSET.search(head_of(data))
    settled = bool(ranked) and ranked[0] in ("utf-8", "utf-8-sig", "utf-16")  # a BOM or valid UTF-8
    if declared and not settled:
        encoding = declared.group(1).decode("ascii")
    elif ranked:
        encoding = ranked[0]
    else:
        raise BankFileError(source, None, "the page is in no encoding this reader knows and declares none")
    try:
        return data.decode(encoding)
    except LookupError:
        raise BankFileError(
            source, None, f"the page declares charset {encoding!r}, which is no known encoding"
        ) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BankFileError(
            source, line, f"bytes that are not {encoding}, the charset the page declares"
        ) from None


def _cell(value: object) -> str:
    """A cell as the text a CSV export would hold: numbers without a spurious ".0", dates ISO."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return " ".join(str(value).split())


def _read_rows(
    rows: list[list[object]], line_of_row: list[int | None], source: str, date_order: str
) -> Parsed:
    """Rows of cells through the CSV reader; its line numbers mapped back to the rows'."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for row in rows:
        writer.writerow([_cell(c) for c in row] or [""])
    try:
        return CsvImporter().read(out.getvalue().encode("utf-8"), source, date_order=date_order)
    except BankFileError as exc:
        line = exc.line
        mapped = line_of_row[line - 1] if line is not None and 0 < line <= len(line_of_row) else None
        raise BankFileError(source, mapped, exc.reason) from None
