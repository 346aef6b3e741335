"""Bank statement import: one importer per format, each turning a file into BankLines rows.

    read_bank_file(path, date_order=...)  ->  BankFile(lines, statements, format, notes)

The format is recognised from the content, never from the file's name (a ".xls" may be an
HTML table or a CSV text), or forced with `fmt`. Each importer keeps to a two-method contract (model.Importer):
`accepts(head)` and `read(bytes) -> Parsed`; the shared rules (stable LineID, debits kept
but set aside, contract columns and types) are applied once, in model.finish. A file that
cannot be read with confidence raises common.errors.BankFileError naming file and line;
nothing of it is returned.
"""

from __future__ import annotations

from pathlib import Path

from common.errors import BankFileError

from .bai2_reader import Bai2Importer
from .camt_reader import CamtImporter
from .cfonb_reader import CfonbImporter
from .coda_reader import CodaImporter
from .csv_reader import CsvImporter
from .model import LINE_COLUMNS, STATEMENT_COLUMNS, BankFile, Importer, empty_lines, finish, line_ids
from .mt940_reader import Mt940Importer
from .n43_reader import N43Importer
from .ofx_reader import OfxImporter
from .qif_reader import QifImporter
from .sheet_reader import HtmlTableImporter, SpreadsheetImporter, is_spreadsheet
from .textio import decode_lenient

__all__ = [
    "FORMATS",
    "IMPORTERS",
    "LINE_COLUMNS",
    "STATEMENT_COLUMNS",
    "BankFile",
    "Importer",
    "empty_lines",
    "line_ids",
    "parse_bank_bytes",
    "read_bank_file",
]

# Most specific first: the CSV importer accepts nearly any text, so it is asked last.
IMPORTERS: tuple[Importer, ...] = (
    CamtImporter(),
    OfxImporter(),
    Mt940Importer(),
    Bai2Importer(),
    QifImporter(),
    CodaImporter(),
    CfonbImporter(),
    N43Importer(),
    HtmlTableImporter(),
    SpreadsheetImporter(),
    CsvImporter(),
)
# Names a user may give with --format; CAMT versions share one importer.
FORMATS: tuple[str, ...] = (
    "csv",
    "xlsx",
    "xls",
    "mt940",
    "camt052",
    "camt053",
    "camt054",
    "ofx",
    "qfx",
    "bai2",
    "qif",
    "coda",
    "cfonb",
    "n43",
)
_ALIASES = {
    "camt": "camt",
    "camt052": "camt",
    "camt053": "camt",
    "camt054": "camt",
    "mt940": "mt940",
    "sta": "mt940",
    "csv": "csv",
    "ofx": "ofx",
    "qfx": "ofx",
    "bai": "bai2",
    "bai2": "bai2",
    "qif": "qif",
    "xlsx": "xlsx",
    "xls": "xlsx",
    "html": "html",
    "coda": "coda",
    "cod": "coda",
    "cfonb": "cfonb",
    "cfonb120": "cfonb",
    "n43": "n43",
    "norma43": "n43",
    "aeb43": "n43",
    "csb43": "n43",
}
_HEAD_BYTES = 8192


def read_bank_file(path: Path, *, fmt: str | None = None, date_order: str) -> BankFile:
    """Read one bank file (the only I/O here); see parse_bank_bytes."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BankFileError(str(path), None, f"cannot read the file: {exc.strerror or exc}") from None
    return parse_bank_bytes(data, Path(path).name, fmt=fmt, date_order=date_order)


def parse_bank_bytes(data: bytes, source: str, *, fmt: str | None = None, date_order: str) -> BankFile:
    """Every money movement in `data` as BankLines rows, plus its statements' balances.

    `source` names the file in messages and in SourceFile. `date_order` ("dmy"/"mdy")
    settles text dates that no cell of their column settles (CSV only).
    """
    importer = _importer(data, source, fmt)
    return finish(importer.read(data, source, date_order=date_order), source, importer.name)


def _importer(data: bytes, source: str, fmt: str | None) -> Importer:
    if fmt is not None:
        wanted = _ALIASES.get(fmt.lower().replace(".", "").replace("-", "").replace("_", ""))
        for importer in IMPORTERS:
            if importer.name == wanted:
                return importer
        raise BankFileError(source, None, f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if not data.strip():
        raise BankFileError(source, None, "the file is empty")
    if is_spreadsheet(data):
        return next(i for i in IMPORTERS if i.name == "xlsx")
    head = decode_lenient(data[:_HEAD_BYTES])
    for importer in IMPORTERS:
        if importer.accepts(head):
            return importer
    raise BankFileError(source, 1, f"not a bank statement this version reads ({', '.join(FORMATS)})")
