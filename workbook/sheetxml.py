"""Edit the cells of one worksheet part in place, leaving every other element as it was.

Only `<sheetData>` cells arbook writes, the `<dimension>`, and the ranges of conditional
formats and validations that covered a table that grew are touched; merged cells, shared
and array formulas that a write would cut through are refused rather than broken.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from lxml import etree

from common.errors import UnsafeWorkbookError

from .package import NS, cell_ref, column_index, column_letter, parse_range, safe_xml
from .styles import DATE_FORMAT, DATETIME_FORMAT, MONEY_FORMAT, Styles

__all__ = ["CellValue", "SheetEditor"]

_M = NS["m"]
_C, _ROW, _V, _F, _IS, _T = (f"{{{_M}}}{t}" for t in ("c", "row", "v", "f", "is", "t"))
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_REF = re.compile(r"^([A-Z]+)(\d+)$")
_FORMULA_START = ("=", "+", "-", "@")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = {False: dt.datetime(1899, 12, 30), True: dt.datetime(1904, 1, 1)}


@dataclass(frozen=True)
class CellValue:
    """A value to write and how to read it: kind is one of the contract's column kinds."""

    value: object  # None clears the value and keeps the cell's style
    kind: str = "text"
    style: int | None = None  # explicit style (new rows copy their template row's styles)


@dataclass
class SheetEditor:
    """A worksheet part parsed once, edited, and serialised once."""

    part: str
    data: bytes
    styles: Styles
    date1904: bool = False
    removed_formulas: int = 0
    _rows: dict[int, etree._Element] = field(init=False)

    def __post_init__(self) -> None:
        self.root = safe_xml(self.data, self.part)
        self.sheet_data = self.root.find("m:sheetData", NS)
        if self.sheet_data is None:
            raise UnsafeWorkbookError(f"{self.part} has no sheetData; it is not a worksheet arbook can write")
        self._rows = {}
        for i, row in enumerate(self.sheet_data.iterfind(_ROW), start=1):
            r = int(row.get("r") or i)
            row.set("r", str(r))
            self._rows[r] = row
        self._merged = [parse_range(m.get("ref", "")) for m in self.root.iterfind("m:mergeCells/m:mergeCell", NS)]
        self._touched_rows: set[int] = set()

    # -- reading what is there -------------------------------------------------------------
    def style_of(self, row: int, col: int) -> int:
        c = self._cell(row, col, create=False)
        return int(c.get("s", "0")) if c is not None else int(self._rows[row].get("s", "0")) if row in self._rows else 0

    def row_attributes(self, row: int) -> dict[str, str]:
        el = self._rows.get(row)
        return {} if el is None else {k: v for k, v in el.attrib.items() if k != "r"}

    # -- changing --------------------------------------------------------------------------
    def clear(self, r1: int, c1: int, r2: int, c2: int) -> None:
        """Remove the cells of a range (values, formulas and all), keeping rows' own attributes."""
        for r in [r for r in self._rows if r1 <= r <= r2]:
            row = self._rows[r]
            for c in list(row.iterfind(_C)):
                col = _col_of(c)
                if c1 <= col <= c2:
                    self._guard_formula(c, (r1, c1, r2, c2))
                    row.remove(c)

    def write(self, row: int, col: int, cell: CellValue) -> None:
        self._guard_merged(row, col)
        c = self._cell(row, col, create=True)
        f = c.find(_F)
        if f is not None:
            self._guard_formula(c, (row, col, row, col))
        for child in list(c):
            c.remove(child)
        for attr in ("t", "cm", "vm"):
            c.attrib.pop(attr, None)
        base = cell.style if cell.style is not None else int(c.get("s", "0"))
        style = self._style_for(base, cell)
        if style:
            c.set("s", str(style))
        else:
            c.attrib.pop("s", None)
        self._set_value(c, cell)

    def set_row_attributes(self, row: int, attributes: dict[str, str]) -> None:
        el = self._row(row)
        for key, value in attributes.items():
            el.set(key, value)

    def extend_ranges(self, first_row: int, old_last: int, new_last: int, c1: int, c2: int) -> None:
        """Conditional formats and validations that covered a table column to its last row follow it."""
        if new_last == old_last:
            return
        for el in self.root.iter(f"{{{_M}}}conditionalFormatting", f"{{{_M}}}dataValidation"):
            if el.get("sqref"):
                el.set("sqref", _grow_sqref(el.get("sqref", ""), first_row, old_last, new_last, c1, c2))
        xm = "http://schemas.microsoft.com/office/excel/2006/main"
        for el in self.root.iter(f"{{{xm}}}sqref"):
            el.text = _grow_sqref(el.text or "", first_row, old_last, new_last, c1, c2)

    def drop_cached_formula_values(self) -> None:
        """Stale results would show old figures until a recalculation; drop them."""
        for f in self.sheet_data.iter(_F):
            c = f.getparent()
            v = c.find(_V)
            if v is not None:
                c.remove(v)
            if c.get("t") in ("str", "e", "b", "n"):
                c.attrib.pop("t")

    def to_bytes(self) -> bytes:
        self._finish()
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # -- internals -------------------------------------------------------------------------
    def _row(self, r: int) -> etree._Element:
        row = self._rows.get(r)
        if row is None:
            row = etree.SubElement(self.sheet_data, _ROW)
            row.set("r", str(r))
            self._rows[r] = row
        self._touched_rows.add(r)
        return row

    def _cell(self, r: int, col: int, *, create: bool) -> etree._Element | None:
        row = self._rows.get(r) if not create else self._row(r)
        if row is None:
            return None
        for c in row.iterfind(_C):
            if _col_of(c) == col:
                return c
        if not create:
            return None
        c = etree.SubElement(row, _C)
        c.set("r", cell_ref(r, col))
        row_style = row.get("s") if row.get("customFormat") in ("1", "true") else None
        if row_style:
            c.set("s", row_style)
        return c

    def _style_for(self, base: int, cell: CellValue) -> int:
        if cell.value is None:
            return base
        if cell.kind in ("text", "id", "choice") and str(cell.value).startswith(_FORMULA_START):
            return self.styles.variant(base, quote_prefix=True)
        if cell.kind == "date" and not self.styles.is_date(base):
            return self.styles.variant(base, number_format=DATE_FORMAT)
        if cell.kind == "datetime" and not self.styles.is_date(base):
            return self.styles.variant(base, number_format=DATETIME_FORMAT)
        if cell.kind == "money" and self.styles.is_general(base):
            return self.styles.variant(base, number_format=MONEY_FORMAT)
        return base

    def _set_value(self, c: etree._Element, cell: CellValue) -> None:
        value, kind = cell.value, cell.kind
        if value is None:
            return
        if kind in ("date", "datetime"):
            moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())  # type: ignore[arg-type]
            delta = moment - _EPOCH[self.date1904]
            serial = delta.days + delta.seconds / 86400
            etree.SubElement(c, _V).text = str(int(serial)) if kind == "date" else repr(round(serial, 8))
        elif kind == "bool":
            c.set("t", "b")
            etree.SubElement(c, _V).text = "1" if value else "0"
        elif kind == "money":
            etree.SubElement(c, _V).text = _cents_text(int(value))  # type: ignore[call-overload]
        elif kind in ("int", "number"):
            etree.SubElement(c, _V).text = repr(value) if isinstance(value, float) else str(int(value))  # type: ignore[call-overload]
        else:
            c.set("t", "inlineStr")
            t = etree.SubElement(etree.SubElement(c, _IS), _T)
            text = _ILLEGAL_XML.sub("", str(value))
            t.text = text
            if text != text.strip() or "\n" in text:
                t.set(_XML_SPACE, "preserve")

    def _guard_merged(self, row: int, col: int) -> None:
        for r1, c1, r2, c2 in self._merged:
            if r1 <= row <= r2 and c1 <= col <= c2 and (r1, c1) != (r2, c2):
                span = f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"
                raise UnsafeWorkbookError(
                    f"{self.part}: cell {cell_ref(row, col)} is inside the merged cells {span}; "
                    "unmerge them so arbook can write there"
                )

    def _guard_formula(self, c: etree._Element, area: tuple[int, int, int, int]) -> None:
        f = c.find(_F)
        if f is None:
            return
        self.removed_formulas += 1
        kind, ref = f.get("t"), f.get("ref")
        if kind in ("shared", "array", "dataTable") and ref:
            r1, c1, r2, c2 = parse_range(ref)
            a1, b1, a2, b2 = area
            if not (a1 <= r1 and r2 <= a2 and b1 <= c1 and c2 <= b2):
                raise UnsafeWorkbookError(
                    f"{self.part}: cell {c.get('r')} starts a {kind} formula over {ref} that reaches beyond "
                    "what arbook writes; arbook will not cut it (convert it to plain formulas first)"
                )

    def _finish(self) -> None:
        for r in self._touched_rows:
            row = self._rows[r]
            cells = sorted(row.iterfind(_C), key=_col_of)
            for c in cells:
                row.remove(c)
            row.extend(cells)
            row.attrib.pop("spans", None)  # an optional hint; a stale one misleads readers
        if self._touched_rows:
            ordered = sorted(self.sheet_data.iterfind(_ROW), key=lambda el: int(el.get("r")))
            for el in ordered:
                self.sheet_data.remove(el)
            self.sheet_data.extend(ordered)
        self._update_dimension()

    def _update_dimension(self) -> None:
        dim = self.root.find("m:dimension", NS)
        rows = [r for r, el in self._rows.items() if len(el)]
        if not rows:
            return
        cols = [_col_of(c) for el in self._rows.values() for c in (el[0], el[-1]) if len(el)]
        ref = f"{column_letter(min(cols))}{min(rows)}:{column_letter(max(cols))}{max(rows)}"
        if dim is None:
            dim = etree.Element(f"{{{_M}}}dimension")
            self.root.insert(_dimension_position(self.root), dim)
        dim.set("ref", ref)


def _dimension_position(root: etree._Element) -> int:
    first = root[0] if len(root) else None
    return 1 if first is not None and etree.QName(first).localname == "sheetPr" else 0


def _col_of(c: etree._Element) -> int:
    m = _REF.match(c.get("r", ""))
    if not m:
        raise UnsafeWorkbookError(f"a cell without a position ({etree.tostring(c)[:60]!r}); the sheet is damaged")
    return column_index(m[1])


def _cents_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac:02d}".rstrip("0")


def _grow_sqref(sqref: str, first_row: int, old_last: int, new_last: int, c1: int, c2: int) -> str:
    out = []
    for piece in sqref.split():
        try:
            r1, a, r2, b = parse_range(piece)
        except ValueError:
            out.append(piece)
            continue
        if r1 <= first_row and r2 == old_last and c1 <= a and b <= c2 and new_last > r1:
            piece = f"{cell_ref(r1, a)}:{cell_ref(new_last, b)}"
        out.append(piece)
    return " ".join(out)
