"""Edit the cells of one worksheet part, leaving every byte arbook does not write as it was.

The worksheet of a 200,000-row table is about 100 MB of XML, and parsing it into elements
takes longer than writing the table afresh. So the rows of `<sheetData>` are handled as text:
one scan finds each row, rows arbook does not write are copied as they are, and a row it
writes is rebuilt from its own cells (kept byte for byte) and the new ones. The rest of the
part (the dimension, merged cells, conditional formats, validations) is small and is edited
as XML elements.

Every write is a block: rows x columns of cells encoded by `workbook.cells`, into rows that
may be new or may hold the user's other cells. Refused rather than broken: a write into merged
cells, or through a shared or array formula that reaches beyond what arbook writes.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

from lxml import etree

from common.errors import UnsafeWorkbookError
from common.safexml import safe_parser

from .cells import CODECS, Encoded, money_format, money_format_over
from .package import NS, cell_ref, column_index, column_letter, parse_range, safe_xml
from .styles import Styles

__all__ = ["SheetEditor"]

_M = NS["m"]
_FORMULA_START = ("=", "+", "-", "@")
_EPOCH = {False: dt.datetime(1899, 12, 30), True: dt.datetime(1904, 1, 1)}
_ATTRS = rb"(?P<attrs>[^>]*?)"  # '>' is escaped in the attribute values of rows and cells
_ROW_NUMBER = re.compile(rb"""(?<![\w:.-])r\s*=\s*["'](\d+)["']""")
_CELL_REF = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']\$?([A-Z]{1,3})\$?(\d+)["']""")
_STYLE = re.compile(rb"""(?<![\w:.-])s\s*=\s*["'](\d+)["']""")
_SPANS = re.compile(rb"""\s(?<![\w:.-])spans\s*=\s*["'][^"']*["']""")
_CACHED_TYPE = re.compile(rb"""\st\s*=\s*["'](?:str|e|b|n)["']""")
_UNUSUAL = (b"<!--", b"<![CDATA[")
_XSTRING = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_PARSER = safe_parser(huge_tree=True, remove_comments=True, remove_pis=True)


@cache
def _patterns(prefix: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]]:
    """Row, cell and formula patterns for the prefix the part gives the main namespace (usually none)."""
    p = re.escape(prefix)
    row = re.compile(rb"<" + p + rb"row\b" + _ATTRS + rb"(?:/>|>(?P<body>.*?)</" + p + rb"row\s*>)", re.S)
    cell = re.compile(rb"<" + p + rb"c\b" + _ATTRS + rb"(?:/>|>(?P<body>.*?)</" + p + rb"c\s*>)", re.S)
    formula = re.compile(rb"<" + p + rb"f\b" + _ATTRS + rb"(?:/>|>)", re.S)
    return row, cell, formula


def _cell_formats(encoded: Encoded) -> list[str] | None:
    """Each money cell's number format, by its currency's decimals (None for other kinds)."""
    if encoded.digits is None:
        return None
    codes = {int(d): money_format(int(d)) for d in set(encoded.digits.tolist())}
    return [codes[d] for d in encoded.digits.tolist()]


@dataclass
class _Cell:
    col: int
    text: bytes  # the whole element, as written


@dataclass
class _Block:
    """Columns of cells being written, each as the XML after its style attribute (workbook.cells)."""

    cols: list[int]
    tails: list[list[tuple[bool, bytes | None]]]
    kinds: list[str]
    formats: list[list[str] | None]  # money columns: each cell's number format (its currency's decimals)
    styles: list[int | None] | None  # given styles (new rows copying a template row), else None
    starts: list[bytes]  # b'<c r="K' per column: the cell's start up to its row number

    def cell(
        self, editor: SheetEditor, j: int, i: int, r: int, replaced: int | None, row_style: int
    ) -> bytes:
        """Column j's new cell for row i (Excel row r); `replaced` is the style of the cell it replaces.

        An empty value is no cell (b""), or an empty cell that keeps its style.
        """
        base = self.styles[j] if self.styles is not None else None
        if base is None:
            base = replaced if replaced is not None else row_style
        quoted, tail = self.tails[j][i]
        if tail is None:
            return b'%s%d" s="%d"/>' % (self.starts[j], r, base) if base else b""
        formats = self.formats[j]
        style = editor._style_attribute(base, self.kinds[j], quoted, formats[i] if formats else None)
        return b'%s%d"%s%s' % (self.starts[j], r, style, tail)


@dataclass
class SheetEditor:
    """A worksheet part: its rows found once, written in blocks, serialised once."""

    part: str
    data: bytes
    styles: Styles
    date1904: bool = False
    sheet: str = ""  # the sheet's name: messages say "sheet Invoices", not the part
    removed_formulas: int = 0
    _new: dict[int, bytes] = field(init=False)

    def __post_init__(self) -> None:
        self._where = f"sheet {self.sheet}" if self.sheet else self.part
        data = self.data
        declared = data.find(b"?>") + 2 if data.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml") else 0
        if any(mark in data for mark in _UNUSUAL) or data.find(b"<?", declared) >= 0:
            # comments, CDATA, processing instructions: let an XML parser settle them first
            data = _normalised(data, self._where)
        parts = self._split(data)
        if parts is None:
            parts = self._split(_normalised(data, self._where))
            if parts is None:
                raise UnsafeWorkbookError(
                    f"{self._where} holds something other than rows and cells in its sheet data; "
                    "open it in Excel and save it again"
                )
        self.root, self._body, self._spans, self._ordered = parts
        self.sheet_data = self.root.find("m:sheetData", NS)
        self._row_re, self._cell_re, self._formula_re = _patterns(self._prefix)
        self._new = {}
        self._merged = [
            parse_range(m.get("ref", "")) for m in self.root.iterfind("m:mergeCells/m:mergeCell", NS)
        ]
        self._cut_shared: list[tuple[str, str, str]] = []  # (si, ref, first cell) of replaced shared formulas
        self._attribute_cache: dict[tuple[int, str, bool, str | None], bytes] = {}
        self._f_mark = b"<" + self._prefix + b"f"
        self._row_open = len(b"<" + self._prefix + b"row")  # where a row's attributes start
        self._cell_close = b"</" + self._prefix + b"c"
        self._area: tuple[int, int, int, int] | None = None  # the block being written, when a rectangle
        dim = self.root.find("m:dimension", NS)
        try:
            self._extent: tuple[int, int, int, int] | None = (
                parse_range(dim.get("ref", "")) if dim is not None else None
            )
        except ValueError:
            self._extent = None
        if self._extent and (self._extent[2] > 1_048_576 or self._extent[3] > 16_384):
            self._extent = None  # a used range beyond Excel's last cell says nothing: count the cells
        self._exact_extent = self._extent is None  # no dimension to start from: count the cells

    def _split(self, data: bytes) -> tuple[etree._Element, bytes, dict[int, tuple[int, int]], bool] | None:
        """(the part without its rows, the rows' text, row -> its span there, rows ascending); None if unusual."""
        root_tag = re.search(rb"<(?!\?|!)([\w.-]+:)?worksheet\b", data[:4096])
        if root_tag is None:
            raise UnsafeWorkbookError(f"{self._where} is not a worksheet arbook can write")
        self._prefix = root_tag[1] or b""
        p = re.escape(self._prefix)
        opening = re.search(rb"<" + p + rb"sheetData\b" + _ATTRS + rb"(/?)>", data)
        if opening is None:
            raise UnsafeWorkbookError(
                f"{self._where} has no sheet data; it is not a worksheet arbook can write"
            )
        if opening["attrs"].strip():
            return None
        if opening[2]:
            start = end = close_end = opening.end()
        else:
            start = opening.end()
            end = data.find(b"</" + self._prefix + b"sheetData>", start)
            if end < 0:
                raise UnsafeWorkbookError(
                    f"{self._where} is cut short (its sheet data never ends); the file is damaged: "
                    "restore it from backups/ or save it again in Excel"
                )
            close_end = end + len(b"</" + self._prefix + b"sheetData>")
        skeleton = data[: opening.start()] + b"<" + self._prefix + b"sheetData/>" + data[close_end:]
        root = safe_xml(skeleton, self._where)
        body = data[start:end]
        opening_tag, closing_tag = b"<" + self._prefix + b"row", b"</" + self._prefix + b"row>"
        spans: dict[int, tuple[int, int]] = {}
        ascending = True
        previous, at = 0, 0
        while (first := body.find(opening_tag, at)) >= 0:  # a find per row: a regex is several times slower
            after = body[first + len(opening_tag) : first + len(opening_tag) + 1]
            if (first > at and not body[at:first].isspace()) or not after or after not in b" \t\r\n>/":
                return None
            tag_end = body.find(b">", first)
            if body[tag_end - 1] == 0x2F:
                last = tag_end + 1
            else:
                last = body.find(closing_tag, tag_end)
                if last < 0:
                    return None
                last += len(closing_tag)
            number = _ROW_NUMBER.search(body, first, tag_end)
            r = int(number[1]) if number else previous + 1
            if r in spans:
                raise UnsafeWorkbookError(f"{self._where}: row {r} appears twice; the file is damaged")
            ascending = ascending and r > previous
            spans[r] = (first, last)
            previous, at = r, last
        if at < len(body) and not body[at:].isspace():
            return None
        return root, body, spans, ascending

    # -- reading what is there -------------------------------------------------------------
    def _row_text(self, r: int) -> bytes | None:
        if r in self._new:
            return self._new[r]
        span = self._spans.get(r)
        return None if span is None else self._body[span[0] : span[1]]

    def _cells(self, r: int, row: bytes) -> tuple[bytes, list[_Cell], bytes]:
        """Row r's start tag attributes, its cells in order, and anything after them (extLst)."""
        m = self._row_re.match(row)
        attrs, body = m["attrs"], m["body"] or b""
        cells: list[_Cell] = []
        col, at = 0, 0
        name = len(b"<" + self._prefix + b"c")
        for c in self._cell_re.finditer(body):
            if body[at : c.start()].strip():
                break
            at = c.end()
            ref = _CELL_REF.search(c["attrs"])
            text = c[0]
            if ref is None:  # r is optional: the cell after the previous one; say so, as it may move
                col += 1
                text = text[:name] + f' r="{cell_ref(r, col)}"'.encode() + text[name:]
            else:
                col = _column(ref[1])
            cells.append(_Cell(col, text))
        return attrs, cells, body[at:]

    def style_of(self, row: int, col: int) -> int:
        text = self._row_text(row)
        if text is None:
            return 0
        attrs, cells, _rest = self._cells(row, text)
        for c in cells:
            if c.col == col:
                s = _STYLE.search(c.text[: c.text.find(b">")])
                return int(s[1]) if s else 0
        s = _STYLE.search(attrs)
        return int(s[1]) if s else 0

    def row_attributes(self, row: int) -> bytes:
        """The row's own attributes (height, style, ...) as written, for new rows that copy it."""
        text = self._row_text(row)
        if text is None:
            return b""
        attrs = _SPANS.sub(b"", self._row_re.match(text)["attrs"])
        return _ROW_NUMBER.sub(b"", attrs).replace(b"  ", b" ").rstrip()

    # -- changing --------------------------------------------------------------------------
    def clear(self, r1: int, c1: int, r2: int, c2: int) -> None:
        """Remove the cells of a range (values, formulas and all), keeping rows' own attributes."""
        for r in [r for r in self._row_numbers() if r1 <= r <= r2]:
            attrs, cells, rest = self._cells(r, self._row_text(r))
            if not cells:
                continue
            kept = []
            for c in cells:
                if c1 <= c.col <= c2:
                    if self._f_mark in c.text:
                        self._guard_formula(c.text, r, (r1, c1, r2, c2))
                else:
                    kept.append(c)
            if len(kept) != len(cells):
                self._new[r] = self._row(_SPANS.sub(b"", attrs), [c.text for c in kept], rest)
                self._exact_extent = True  # the sheet may have shrunk

    def write_block(
        self,
        rows: Sequence[int],
        cols: Sequence[int],
        columns: Sequence[Encoded],
        *,
        styles: Sequence[int | None] | None = None,
        row_attributes: bytes = b"",
    ) -> None:
        """Write `columns[j]` into column `cols[j]` of `rows` (ascending Excel rows, 1-based).

        A row that exists keeps its attributes and every cell outside `cols`; a cell written over
        keeps its own style (a date, money or quote-prefix variant of it where the value needs
        one), unless `styles` gives each column's style (new rows copying a template row). New
        rows get `row_attributes`. An empty value leaves no cell, or a styled empty one.
        """
        if not rows or not cols:
            return
        contiguous_rows = rows[-1] - rows[0] == len(rows) - 1
        self._guard_merged(rows, cols, contiguous_rows)
        if contiguous_rows and max(cols) - min(cols) == len(cols) - 1:
            self._area = (rows[0], min(cols), rows[-1], max(cols))
        else:
            self._area = None
        order = sorted(range(len(cols)), key=lambda j: cols[j])
        block = _Block(
            cols=[cols[j] for j in order],
            tails=[self._tails(columns[j]) for j in order],
            kinds=[columns[j].kind for j in order],
            formats=[_cell_formats(columns[j]) for j in order],
            styles=None if styles is None else [styles[j] for j in order],
            starts=[b'<%sc r="%s' % (self._prefix, column_letter(cols[j]).encode()) for j in order],
        )
        self._extent = _union(self._extent, (rows[0], block.cols[0], rows[-1], block.cols[-1]))
        attributes = _SPANS.sub(b"", row_attributes)
        every = range(len(block.cols))
        for i, r in enumerate(rows):
            old = self._row_text(r)
            if old is None:
                cells = [block.cell(self, j, i, r, None, 0) for j in every]
                self._new[r] = self._row(b' r="%d"' % r + attributes, cells, b"")
            else:
                self._new[r] = self._rewrite_row(r, old, block, i)

    def _rewrite_row(self, r: int, old: bytes, block: _Block, i: int) -> bytes:
        """Row r with the block's cells in place of its own in those columns, every other cell kept.

        The written columns' cells are found by their reference (`<c r="K5"`), and a missing one
        goes right after the written cell to its left, or before the one to its right: a row of
        a 200,000-row table is rewritten without reading its other cells. Only when that does
        not place every cell is the row taken apart cell by cell.
        """
        find = old.find
        tag_end = find(b">")
        head = old[: tag_end + 1]
        if b"spans" in head:
            head = _SPANS.sub(b"", head)
        row_style = _row_style(head) if b"customFormat" in head else 0
        if old[tag_end - 1] == 0x2F:  # <row .../>: no cells yet
            attrs = head[self._row_open : -1].rstrip(b"/")
            return self._row(
                attrs, [block.cell(self, j, i, r, None, row_style) for j in range(len(block.cols))], b""
            )
        cell_close = self._cell_close
        found: list[tuple[int, int, int] | None] = []  # (start, end, end of start tag) of present cells
        for start in block.starts:
            at = find(b'%s%d"' % (start, r), tag_end)
            if at < 0:
                found.append(None)
                continue
            head_end = find(b">", at)
            end = head_end + 1 if old[head_end - 1] == 0x2F else find(b">", find(cell_close, head_end)) + 1
            found.append((at, end, head_end))
        if all(found) and all(a[1] <= b[0] for a, b in pairwise(found)):  # the usual row: all there
            edits = [(f[0], f[1], j) for j, f in enumerate(found)]
        else:
            edits = self._placed(found, block.cols)
        if edits is None:
            return self._rebuilt_row(r, old, head[self._row_open : -1], block, i, row_style)
        pieces, at = [head], tag_end + 1
        for start, end, j in edits:
            replaced = None
            if end > start:  # a present cell written over
                head_end = found[j][2]
                if find(self._f_mark, head_end, end) >= 0:
                    self._guard_formula(old[start:end], r)
                style_at = find(b' s="', start, head_end)
                replaced = int(old[style_at + 4 : find(b'"', style_at + 4)]) if style_at >= 0 else 0
            pieces += [old[at:start], block.cell(self, j, i, r, replaced, row_style)]
            at = end
        pieces.append(old[at:])
        return b"".join(pieces)

    @staticmethod
    def _placed(
        found: list[tuple[int, int, int] | None], cols: list[int]
    ) -> list[tuple[int, int, int]] | None:
        """(start, end, column j) of each written cell's place, in order; None when one cannot be placed."""
        place: list[tuple[int, int] | None] = [f[:2] if f else None for f in found]
        n = len(cols)
        if not all(place):
            for j in range(1, n):  # a missing cell right of a placed neighbour: just after it
                if place[j] is None and place[j - 1] and cols[j - 1] == cols[j] - 1:
                    place[j] = (place[j - 1][1], place[j - 1][1])
            for j in range(n - 2, -1, -1):  # ...or left of one: just before it
                if place[j] is None and place[j + 1] and cols[j + 1] == cols[j] + 1:
                    place[j] = (place[j + 1][0], place[j + 1][0])
            if not all(place):
                return None
        # in column order the places follow each other in the row, unless its cells are out of order
        if any(a[1] > b[0] for a, b in pairwise(place)):
            return None
        return [(start, end, j) for j, (start, end) in enumerate(place)]

    def _rebuilt_row(self, r: int, old: bytes, attrs: bytes, block: _Block, i: int, row_style: int) -> bytes:
        """Row r taken apart cell by cell, the block's cells put in their column order."""
        _attrs, present, rest = self._cells(r, old)
        at = {col: j for j, col in enumerate(block.cols)}
        replaced: dict[int, int] = {}
        kept = []
        for c in present:
            j = at.get(c.col)
            if j is None:
                kept.append((c.col, c.text))
                continue
            if self._f_mark in c.text:
                self._guard_formula(c.text, r)
            s = _STYLE.search(c.text, 0, c.text.find(b">"))
            replaced[j] = int(s[1]) if s else 0
        new = [
            (col, block.cell(self, j, i, r, replaced.get(j), row_style)) for j, col in enumerate(block.cols)
        ]
        merged = sorted(kept + [(col, cell) for col, cell in new if cell], key=lambda pair: pair[0])
        return self._row(attrs, [cell for _col, cell in merged], rest)

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
        f_mark = self._f_mark
        if f_mark not in self._body:  # arbook writes no formula: the sheet's own are all there is
            return
        v_re = re.compile(
            rb"<"
            + re.escape(self._prefix)
            + rb"v\b[^>]*?(?:/>|>.*?</"
            + re.escape(self._prefix)
            + rb"v\s*>)",
            re.S,
        )
        for r in self._row_numbers():
            text = self._row_text(r)
            if f_mark not in text:
                continue
            attrs, cells, rest = self._cells(r, text)
            changed = []
            for c in cells:
                if f_mark in c.text:
                    end = c.text.find(b">")
                    head = _CACHED_TYPE.sub(b"", c.text[:end])
                    c = _Cell(c.col, head + v_re.sub(b"", c.text[end:]))
                changed.append(c.text)
            self._new[r] = self._row(attrs, changed, rest)

    def to_bytes(self) -> bytes:
        self._refuse_cut_shared_formulas()
        self._update_dimension()
        marker = f"arbook-rows-{secrets.token_hex(8)}"
        for child in list(self.sheet_data):
            self.sheet_data.remove(child)
        self.sheet_data.append(etree.Comment(marker))
        data = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
        head, _, tail = data.partition(f"<!--{marker}-->".encode())
        return b"".join([head, *self._serialised_rows(), tail])

    # -- internals -------------------------------------------------------------------------
    def _row_numbers(self) -> list[int]:
        return sorted(self._spans.keys() | self._new.keys())

    def _serialised_rows(self) -> list[bytes]:
        """Rows in order: untouched runs as one slice of the original text, written rows as built."""
        out: list[bytes] = []
        run: list[int] | None = None  # [start, end] of the pending run of untouched rows
        for r in self._row_numbers():
            if r in self._new or not self._ordered:
                if run:
                    out.append(self._body[run[0] : run[1]])
                    run = None
                out.append(self._row_text(r))
            elif run is None:
                run = list(self._spans[r])
            else:
                run[1] = self._spans[r][1]
        if run:
            out.append(self._body[run[0] : run[1]])
        return out

    def _row(self, attrs: bytes, cells: list[bytes], rest: bytes) -> bytes:
        p = self._prefix
        return b"<" + p + b"row" + attrs + b">" + b"".join(cells) + rest + b"</" + p + b"row>"

    def _tails(self, encoded: Encoded) -> list[tuple[bool, bytes | None]]:
        """Per cell: (text needing Excel's quote prefix, the XML after the cell's style attribute).

        Made once per distinct value: a column holds few statuses, dates and round amounts.
        """
        known: dict[object, tuple[bool, bytes | None]] = {None: (False, None)}
        tail = self._text_tail if encoded.codec.cell == "text" else self._value_tail
        out = []
        for value in encoded.cells:
            made = known.get(value)
            if made is None:
                made = known[value] = tail(value)
            out.append(made)
        return out

    def _text_tail(self, text: str) -> tuple[bool, bytes]:
        p = self._prefix.decode()
        space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
        xml = f' t="inlineStr"><{p}is><{p}t{space}>{_escape(text)}</{p}t></{p}is></{p}c>'
        return text.startswith(_FORMULA_START), xml.encode()

    def _value_tail(self, value: object) -> tuple[bool, bytes]:
        if isinstance(value, dt.datetime):
            delta = value - _EPOCH[self.date1904]
            if delta.days < 0:
                raise UnsafeWorkbookError(
                    f"{self._where}: {value:%Y-%m-%d} is before the first date of this workbook's 1904 date system"
                )
            text = str(delta.days) if not delta.seconds else repr(delta.days + delta.seconds / 86400)
        else:
            text = repr(value) if type(value) is float else str(value)
        p = self._prefix
        return False, b"><%sv>%s</%sv></%sc>" % (p, text.encode(), p, p)

    def _style_attribute(self, base: int, kind: str, quoted: bool, money: str | None = None) -> bytes:
        """` s="N"` for the style a value of `kind` needs in a cell styled `base` (b"" for style 0):
        the cell's own style, or a variant of it with a date or money format or the quote prefix.

        `money` is a money cell's format (its currency's decimals): it replaces General and
        arbook's own money formats, never a format a person chose ("€ #,##0.00" stays)."""
        key = (base, kind, quoted, money)
        attribute = self._attribute_cache.get(key)
        if attribute is None:
            codec = CODECS[kind]  # type: ignore[index]
            style = base
            if quoted:
                style = self.styles.variant(base, quote_prefix=True)
            elif codec.cell == "date" and not self.styles.is_date(base):
                style = self.styles.variant(base, number_format=codec.number_format)
            elif kind == "money":
                over = money_format_over(self.styles.format_code(base), money or codec.number_format)
                if over is not None:
                    style = self.styles.variant(base, number_format=over)
            attribute = self._attribute_cache[key] = b' s="%d"' % style if style else b""
        return attribute

    def _guard_merged(self, rows: Sequence[int], cols: Sequence[int], contiguous: bool) -> None:
        if not self._merged:
            return
        lo, hi = min(cols), max(cols)
        for r1, c1, r2, c2 in self._merged:
            if (r1, c1) == (r2, c2) or c2 < lo or c1 > hi or r2 < rows[0] or r1 > rows[-1]:
                continue
            hit_col = next((c for c in sorted(cols) if c1 <= c <= c2), None)
            hit_row = max(r1, rows[0]) if contiguous else next((r for r in rows if r1 <= r <= r2), None)
            if hit_col is not None and hit_row is not None:
                span = f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"
                raise UnsafeWorkbookError(
                    f"{self._where}: cell {cell_ref(hit_row, hit_col)} is inside the merged cells {span}; "
                    "unmerge them so arbook can write there"
                )

    def _guard_formula(self, cell: bytes, r: int, area: tuple[int, int, int, int] | None = None) -> None:
        """Count a formula written over; refuse cutting an array formula, note a shared one."""
        f = self._formula_re.search(cell)
        if f is None:
            return
        self.removed_formulas += 1
        attrs = {
            k.decode(): v.decode() for k, v in re.findall(rb"""([\w:]+)\s*=\s*["']([^"']*)["']""", f["attrs"])
        }
        kind, ref = attrs.get("t"), attrs.get("ref")
        position = _CELL_REF.search(cell, 0, cell.find(b">"))
        here = (position[1] + position[2]).decode() if position else ""
        if kind == "shared" and ref:
            # The cells sharing this formula may all be overwritten too; judged once every write is done.
            self._cut_shared.append((attrs.get("si", ""), ref, here))
        elif kind in ("array", "dataTable") and ref:
            col = _column(position[1]) if position else 0
            a1, b1, a2, b2 = area or self._area or (r, col, r, col)
            r1, c1, r2, c2 = parse_range(ref)
            if not (a1 <= r1 and r2 <= a2 and b1 <= c1 and c2 <= b2):
                raise _cut_error(self._where, here, kind, ref)

    def _refuse_cut_shared_formulas(self) -> None:
        """A shared formula whose first cell arbook replaced must not leave cells still pointing to it."""
        for si, ref, master in self._cut_shared:
            r1, c1, r2, c2 = parse_range(ref)
            for r in range(r1, r2 + 1):
                text = self._row_text(r)
                if text is None:
                    continue
                for c in self._cells(r, text)[1]:
                    f = self._formula_re.search(c.text) if c1 <= c.col <= c2 else None
                    if f is None:
                        continue
                    attrs = f["attrs"]
                    if re.search(rb"""\bt\s*=\s*["']shared["']""", attrs) and re.search(
                        rb"""\bsi\s*=\s*["']""" + re.escape(si.encode()) + rb"""["']""", attrs
                    ):
                        raise _cut_error(self._where, master, "shared", ref)

    def _update_dimension(self) -> None:
        """The used range: what it was grown by the blocks written, or counted again after a clear."""
        extent = self._extent
        if self._exact_extent:
            rows, cols = [], []
            for r in self._row_numbers():
                edges = self._edge_columns(r, self._row_text(r))
                if edges:
                    rows.append(r)
                    cols += edges
            extent = (min(rows), min(cols), max(rows), max(cols)) if rows else None
        if extent is None:
            return
        dim = self.root.find("m:dimension", NS)
        if dim is None:
            dim = etree.Element(f"{{{_M}}}dimension")
            self.root.insert(_dimension_position(self.root), dim)
        dim.set("ref", f"{cell_ref(extent[0], extent[1])}:{cell_ref(extent[2], extent[3])}")

    def _edge_columns(self, r: int, row: bytes) -> list[int]:
        """The columns of a row's first and last cells ([] for a row without cells)."""
        mark = b"<" + self._prefix + b"c"
        first, last = row.find(mark + b" "), row.rfind(mark + b" ")
        refs = [_CELL_REF.search(row, at, row.find(b">", at)) for at in (first, last) if at >= 0]
        if all(refs):
            return [_column(ref[1]) for ref in refs]
        cells = self._cells(r, row)[1]  # a cell without its position: count them
        return [cells[0].col, cells[-1].col] if cells else []


_COLUMNS: dict[bytes, int] = {}


def _column(letters: bytes) -> int:
    index = _COLUMNS.get(letters)  # a few distinct letters, millions of cells
    if index is None:
        index = _COLUMNS.setdefault(letters, column_index(letters.decode()))
    return index


def _union(a: tuple[int, int, int, int] | None, b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


_CUSTOM_FORMAT = re.compile(rb"""\bcustomFormat\s*=\s*["'](?:1|true)["']""")


def _row_style(attrs: bytes) -> int:
    """A row's own style applies to its new cells only when the row says customFormat."""
    if b"customFormat" not in attrs or not _CUSTOM_FORMAT.search(attrs):
        return 0
    s = _STYLE.search(attrs)
    return int(s[1]) if s else 0


def _normalised(data: bytes, where: str) -> bytes:
    """The part as an XML parser writes it: no comments or processing instructions, CDATA as text."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeWorkbookError(f"{where} is not well-formed XML ({exc}); the file is damaged") from exc
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _escape(text: str) -> str:
    """XML text as Excel reads it back: a bare carriage return would turn into a line feed, and
    text that looks like Excel's own escape (_x0041_) must be escaped itself."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return _XSTRING.sub(r"_x005F_\1", text) if "_x" in text else text


def _cut_error(where: str, cell: str, kind: str, ref: str) -> UnsafeWorkbookError:
    return UnsafeWorkbookError(
        f"{where}: cell {cell} starts a {kind} formula over {ref} that reaches beyond what arbook writes; "
        "arbook will not cut it (convert it to plain formulas first)"
    )


def _dimension_position(root: etree._Element) -> int:
    first = root[0] if len(root) else None
    return 1 if first is not None and etree.QName(first).localname == "sheetPr" else 0


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
