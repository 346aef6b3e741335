"""An .xlsx/.xlsm file seen as what it is: a zip of XML parts tied together by relationships.

The writer changes a handful of parts and copies every other one byte for byte, so it needs
to know which part holds which sheet and which Excel Table. This module answers that from
the small XML parts (workbook, relationships, table parts) without loading any cell.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from common.errors import UnsafeWorkbookError
from common.safexml import safe_parser

__all__ = [
    "NS",
    "Package",
    "SheetRef",
    "TableRef",
    "cell_ref",
    "column_index",
    "column_letter",
    "parse_range",
    "safe_xml",
]

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"

_PARSER = safe_parser(huge_tree=True)
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
REL_SHARED_STRINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"

MAX_PART_BYTES = 2 * 1024**3
"""The largest part arbook unpacks: 2 GiB (the worksheet of a table of a million rows is about
half of that). Sizes are read from the zip's directory before anything is unpacked."""
MAX_PACKAGE_BYTES = 4 * 1024**3
"""The largest a whole workbook may unpack to."""
MAX_RATIO = 200
"""How many times larger than its compressed bytes a big part (over 10 MB) may be. Worksheets
compress 8 to 30 times; a zip bomb a thousand times or more."""
_RATIO_FLOOR = 10 * 1024**2
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def safe_xml(data: bytes, part: str = "") -> etree._Element:
    """Parse XML from a workbook without resolving entities or reaching the network."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeWorkbookError(f"part {part} is not well-formed XML ({exc}); the file is damaged") from exc


_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letter(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'B2:D10' -> (first_row, first_col, last_row, last_col), all 1-based."""
    first, _, last = ref.partition(":")
    m1 = _CELL.match(first)
    m2 = _CELL.match(last or first)
    if not m1 or not m2:
        raise ValueError(f"not a cell range: {ref!r}")
    return int(m1[2]), column_index(m1[1]), int(m2[2]), column_index(m2[1])


@dataclass(frozen=True)
class SheetRef:
    name: str
    sheet_id: int
    rel_id: str
    part: str  # e.g. "xl/worksheets/sheet1.xml"
    is_worksheet: bool  # chartsheets and macro sheets hold no tables we can use


@dataclass(frozen=True)
class TableRef:
    name: str  # displayName: what formulas and arbook use
    part: str  # e.g. "xl/tables/table1.xml"
    sheet: SheetRef
    ref: str  # e.g. "A1:L200", header row included
    header_rows: int
    totals_rows: int


class Package:
    """Read-only view of a workbook's parts and how they hang together."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile as exc:
            if self.path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
                raise UnsafeWorkbookError(
                    f"{self.path.name} is an encrypted workbook or a legacy .xls file; arbook reads "
                    ".xlsx/.xlsm only (for .xls: open it in Excel and Save As .xlsx)"
                ) from exc
            raise UnsafeWorkbookError(
                f"{self.path.name} is not an .xlsx/.xlsm file (not a zip: {exc})"
            ) from exc
        try:
            self._read_structure()
        except BaseException:
            self._zip.close()
            raise

    def _read_structure(self) -> None:
        """Which part holds what, each part checked before it is read (see `_refuse_bombs`, `_require_parts`)."""
        self.infos = self._zip.infolist()
        self.names = {i.filename for i in self.infos}
        self._refuse_bombs()
        self._require("[Content_Types].xml", "its list of parts")
        self.workbook_part = self._office_document()
        self._require(self.workbook_part, "its workbook part")
        self._require(self.rels_part(self.workbook_part), "the relationships of its workbook part")
        self.workbook_xml = safe_xml(self.read(self.workbook_part), self.workbook_part)
        if self.workbook_xml.tag == f"{{{STRICT_MAIN}}}workbook":
            raise UnsafeWorkbookError(
                f"{self.path.name} is saved as Strict Open XML; arbook cannot write it safely. "
                "In Excel: File > Save As > 'Excel Workbook (*.xlsx)', then run arbook again"
            )
        self.sheets = self._sheets()
        self.tables = self._tables()
        self._refuse_bombs({i.filename for i in self.infos if i.filename.startswith("xl/worksheets/")})
        self._require_parts()
        pr = self.workbook_xml.find("m:workbookPr", NS)
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, part: str) -> bytes:
        return self._zip.read(part)

    # -- what a workbook arbook reads must be ------------------------------------------------------
    def _refuse_bombs(self, parts: set[str] | None = None) -> None:
        """Declared sizes, before a byte is unpacked: a zip bomb is refused, not unpacked until memory ends.

        The small parts that say where the sheets are (None: every part but the worksheets) are
        judged first; then the worksheets, named as the workbook names them.
        """
        total = 0
        for info in self.infos:
            total += info.file_size
            if parts is None and info.filename.startswith("xl/worksheets/"):
                continue
            if parts is not None and info.filename not in parts:
                continue
            ratio = info.file_size / max(1, info.compress_size)
            if info.file_size > MAX_PART_BYTES or (info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO):
                what = self.describe(info.filename) if parts is not None else f"the part {info.filename}"
                raise UnsafeWorkbookError(
                    f"{self.path.name}: {what} would unpack to {info.file_size:,} bytes from "
                    f"{info.compress_size:,} ({ratio:,.0f} times); a workbook's parts unpack to at most "
                    f"{MAX_PART_BYTES // 1024**3} GiB and at most {MAX_RATIO} times their size: it is not a "
                    "workbook arbook will open"
                )
        if total > MAX_PACKAGE_BYTES:
            raise UnsafeWorkbookError(
                f"{self.path.name} would unpack to {total:,} bytes; arbook opens workbooks of at most "
                f"{MAX_PACKAGE_BYTES // 1024**3} GiB"
            )

    def _require(self, part: str, what: str) -> None:
        if part not in self.names:
            raise UnsafeWorkbookError(
                f"{self.path.name} lacks {what} ({part}); the file is damaged: restore it from backups/ "
                "beside it, or open it in Excel and save it again"
            )

    def _require_parts(self) -> None:
        """Every part the workbook names is there and is XML without entities (which arbook never expands)."""
        related = {
            typ: target
            for _rid, typ, target, mode in self.relationships(self.workbook_part)
            if mode != "External"
        }
        if REL_STYLES not in related:
            raise UnsafeWorkbookError(
                f"{self.path.name} has no styles; the file is damaged: open it in Excel and save it again"
            )
        self._require(related[REL_STYLES], "its styles")
        if REL_SHARED_STRINGS in related:
            self._require(related[REL_SHARED_STRINGS], "its shared text")
        for sheet in self.sheets:
            if sheet.is_worksheet and sheet.part not in self.names:
                raise UnsafeWorkbookError(
                    f"{self.path.name} lacks {self.describe(sheet.part)}: the workbook lists it but the file "
                    "does not hold it; the file is damaged: restore it from backups/ beside it"
                )
        for name in sorted(self.names):
            if name.endswith((".xml", ".rels")):
                with self._zip.open(name) as fh:
                    head = fh.read(4096)
                if _DOCTYPE.search(head):
                    raise UnsafeWorkbookError(
                        f"{self.path.name}: {self.describe(name)} declares XML entities (<!DOCTYPE>), which "
                        "Excel never writes and arbook never expands; the file was not saved by Excel: "
                        "open it in Excel and save it again"
                    )

    def describe(self, part: str) -> str:
        """A part as a person knows it: "the sheet Invoices (table Invoices)", else its name in the zip."""
        for sheet in self.sheets:
            if sheet.part == part:
                tables = sorted(t.name for t in self.tables.values() if t.sheet.part == part)
                return f"the sheet {sheet.name}" + (f" (table {', '.join(tables)})" if tables else "")
        return f"the part {part}"

    @property
    def zip(self) -> zipfile.ZipFile:
        return self._zip

    def rels_part(self, part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def relationships(self, part: str) -> list[tuple[str, str, str, str]]:
        """(Id, Type, resolved target part, TargetMode) of every relationship of `part`."""
        rels = self.rels_part(part)
        if rels not in self.names:
            return []
        root = safe_xml(self.read(rels), rels)
        out = []
        for rel in root.findall("rel:Relationship", NS):
            mode = rel.get("TargetMode", "Internal")
            target = rel.get("Target", "")
            if mode != "External":
                target = resolve_target(part, target)
            out.append((rel.get("Id", ""), rel.get("Type", ""), target, mode))
        return out

    def _office_document(self) -> str:
        for _id, typ, target, _mode in self.relationships(""):
            if typ == REL_OFFICE_DOC or typ.endswith("/officeDocument"):
                return target
        raise UnsafeWorkbookError(f"{self.path.name} has no workbook part; it is not a spreadsheet")

    def _sheets(self) -> list[SheetRef]:
        targets = {rid: (typ, target) for rid, typ, target, _ in self.relationships(self.workbook_part)}
        out = []
        for el in self.workbook_xml.iterfind("m:sheets/m:sheet", NS):
            rid = el.get(f"{{{NS['r']}}}id", "")
            typ, target = targets.get(rid, ("", ""))
            out.append(
                SheetRef(el.get("name", ""), int(el.get("sheetId", "0")), rid, target, typ == REL_WORKSHEET)
            )
        return out

    def _tables(self) -> dict[str, TableRef]:
        tables: dict[str, TableRef] = {}
        for sheet in self.sheets:
            if not sheet.is_worksheet:
                continue
            for _rid, typ, target, _mode in self.relationships(sheet.part):
                if typ != REL_TABLE or target not in self.names:
                    continue
                root = safe_xml(self.read(target), target)
                name = root.get("displayName") or root.get("name") or ""
                tables[name.casefold()] = TableRef(
                    name=name,
                    part=target,
                    sheet=sheet,
                    ref=root.get("ref", ""),
                    header_rows=int(root.get("headerRowCount", "1")),
                    totals_rows=int(root.get("totalsRowCount", "0")),
                )
        return tables

    def sheet(self, name: str) -> SheetRef | None:
        wanted = name.casefold()
        return next((s for s in self.sheets if s.name.casefold() == wanted), None)

    def table(self, name: str) -> TableRef | None:
        return self.tables.get(name.casefold())

    def named_cell(self, name: str) -> tuple[SheetRef, int, int] | None:
        """The worksheet, row and column a workbook-wide defined name refers to, when it is one cell
        ("Dashboard!$B$5"); None when the workbook lacks the name or it names anything else."""
        for el in self.workbook_xml.iterfind("m:definedNames/m:definedName", NS):
            if el.get("name", "").casefold() != name.casefold() or el.get("localSheetId") is not None:
                continue
            where, _, ref = (el.text or "").rpartition("!")
            sheet = self.sheet(where.strip("'").replace("''", "'"))
            if sheet is None or not sheet.is_worksheet or ":" in ref:
                return None
            try:
                r1, c1, _, _ = parse_range(ref.replace("$", ""))
            except ValueError:
                return None
            return sheet, r1, c1
        return None


def resolve_target(source_part: str, target: str) -> str:
    """A relationship target, relative to its source part's folder (or absolute), as a zip name."""
    if target.startswith("/"):
        return target.lstrip("/")
    base = posixpath.dirname(source_part)
    return posixpath.normpath(posixpath.join(base, target))
