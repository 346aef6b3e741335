"""Write a new version of a workbook that differs from the old one only in the parts arbook owns.

Every zip entry arbook does not change is copied as stored: the same compressed bytes, the
same compression method (Excel stores PNGs uncompressed), the same order. Changed parts are
the worksheets and table parts arbook writes, and, only when needed, styles.xml (a date or
money format a new cell needs), workbook.xml (recalculate on load; a new sheet), its
relationships and [Content_Types].xml (a new sheet), and calcChain.xml (dropped when a
formula arbook replaced was in it; Excel rebuilds it).
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from pathlib import Path

from lxml import etree

from .package import NS, REL_TABLE, REL_WORKSHEET, Package, TableRef, column_letter, safe_xml
from .sheetxml import SheetEditor

__all__ = ["PackageWriter"]

_M = NS["m"]
_REL = NS["rel"]
_CT = NS["ct"]
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
REL_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
DEFLATE_LEVEL = 1
"""Parts arbook writes are deflated at level 1: the 100 MB worksheet of a 200,000-row table
compresses five times faster than at zlib's default 6 (0.45 s against 2.3 s), for a part about a
fifth larger; every reader of .xlsx files inflates any level."""


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class PackageWriter:
    """Collects part-level changes to one Package and writes them out as a new file."""

    def __init__(self, pkg: Package) -> None:
        from .styles import Styles

        self.pkg = pkg
        rels = pkg.relationships(pkg.workbook_part)
        self._styles_part = next((t for _, typ, t, _ in rels if typ == REL_STYLES), None)
        self._calc_chain = next((t for _, typ, t, _ in rels if typ == REL_CALC_CHAIN), None)
        if self._styles_part is None:
            raise ValueError("workbook has no styles part")
        self.styles = Styles(pkg.read(self._styles_part))
        self._editors: dict[str, SheetEditor] = {}
        self._parts: dict[str, bytes] = {}
        self._new_parts: list[str] = []
        self._removed: set[str] = set()
        self._workbook = safe_xml(pkg.read(pkg.workbook_part), pkg.workbook_part)
        self._wb_rels_part = pkg.rels_part(pkg.workbook_part)
        self._wb_rels = safe_xml(pkg.read(self._wb_rels_part), self._wb_rels_part)
        self._ctypes = safe_xml(pkg.read("[Content_Types].xml"), "[Content_Types].xml")
        self._wb_changed = self._rels_changed = self._ctypes_changed = False

    # -- worksheets and tables -------------------------------------------------------------
    def sheet(self, part: str, name: str | None = None) -> SheetEditor:
        """The editor of a worksheet part; `name` (default: the workbook's name for it) is what messages say."""
        if part not in self._editors:
            data = self._parts.get(part) or self.pkg.read(part)
            if name is None:
                name = next((s.name for s in self.pkg.sheets if s.part == part), part)
            self._editors[part] = SheetEditor(part, data, self.styles, self.pkg.date1904, name)
        return self._editors[part]

    def set_table(self, table: TableRef | str, ref: str, header: list[str] | None = None) -> None:
        """Point an Excel Table at a new range; with `header`, also rename/renumber its columns."""
        part = table.part if isinstance(table, TableRef) else table
        root = safe_xml(self._parts.get(part) or self.pkg.read(part), part)
        root.set("ref", ref)
        auto = root.find("m:autoFilter", NS)
        if auto is not None:
            auto.set("ref", ref)
        if header is not None:
            cols = root.find("m:tableColumns", NS)
            old = {c.get("name"): c for c in cols.findall("m:tableColumn", NS)}
            next_id = max([int(c.get("id", "0")) for c in old.values()] or [0]) + 1
            for c in list(cols):
                cols.remove(c)
            for name in header:
                col = old.get(name)
                if col is None:
                    col = etree.Element(f"{{{_M}}}tableColumn")
                    col.set("id", str(next_id))
                    col.set("name", name)
                    next_id += 1
                cols.append(col)
            cols.set("count", str(len(header)))
        self._parts[part] = _xml_bytes(root)

    def add_table_sheet(self, name: str, header: list[str], widths: list[int]) -> tuple[str, str]:
        """A new worksheet holding an empty Excel Table called `name`; returns (sheet part, table part)."""
        sheet_part = self._free_part("xl/worksheets/sheet{}.xml")
        table_part = self._free_part("xl/tables/table{}.xml")
        last_col = column_letter(len(header))
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w + 2}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        sheet_xml = (
            f'<worksheet xmlns="{_M}" xmlns:r="{NS["r"]}"><dimension ref="A1:{last_col}2"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{cols}</cols><sheetData/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
            'header="0.3" footer="0.3"/><tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>'
        )
        self._add_part(sheet_part, sheet_xml.encode(), CT_WORKSHEET)
        table_id = self._free_table_id()
        columns = "".join(f'<tableColumn id="{i}" name="{_attr(h)}"/>' for i, h in enumerate(header, start=1))
        table_xml = (
            f'<table xmlns="{_M}" id="{table_id}" name="{name}" displayName="{name}" ref="A1:{last_col}2" '
            f'totalsRowShown="0"><autoFilter ref="A1:{last_col}2"/><tableColumns count="{len(header)}">{columns}'
            '</tableColumns><tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" showLastColumn="0" '
            'showRowStripes="1" showColumnStripes="0"/></table>'
        )
        self._add_part(table_part, table_xml.encode(), CT_TABLE)
        rel = posixpath.relpath(table_part, posixpath.dirname(sheet_part))
        self._add_part(
            self.pkg.rels_part(sheet_part),
            f'<Relationships xmlns="{_REL}"><Relationship Id="rId1" Type="{REL_TABLE}" Target="{rel}"/>'
            "</Relationships>".encode(),
            None,
        )
        self.add_sheet(free_sheet_name(name, self.sheet_names()), sheet_part)
        return sheet_part, table_part

    def sheet_names(self) -> set[str]:
        """The casefolded names of the workbook's sheets, those added here included."""
        return {s.get("name", "").casefold() for s in self._workbook.find("m:sheets", NS)}

    def add_sheet(self, name: str, sheet_part: str) -> int:
        """List the new worksheet part `sheet_part` last in the workbook as `name`; returns its position (0-based)."""
        rid = self.add_workbook_rel(
            REL_WORKSHEET, posixpath.relpath(sheet_part, posixpath.dirname(self.pkg.workbook_part))
        )
        sheets = self._workbook.find("m:sheets", NS)
        sheet_id = max([int(s.get("sheetId", "0")) for s in sheets] or [0]) + 1
        el = etree.SubElement(sheets, f"{{{_M}}}sheet")
        el.set("name", name)
        el.set("sheetId", str(sheet_id))
        el.set(f"{{{NS['r']}}}id", rid)
        self._wb_changed = True
        return len(sheets) - 1

    def add_defined_name(self, name: str, formula: str, local_sheet: int | None = None) -> None:
        """A defined name (global, or of the sheet at position `local_sheet`), in schema order."""
        names = self._workbook.find("m:definedNames", NS)
        if names is None:
            names = etree.Element(f"{{{_M}}}definedNames")
            after = ("sheets", "functionGroups", "externalReferences")
            anchor = [
                el for el in self._workbook if isinstance(el.tag, str) and etree.QName(el).localname in after
            ]
            anchor[-1].addnext(names)
        el = etree.SubElement(names, f"{{{_M}}}definedName")
        el.set("name", name)
        if local_sheet is not None:
            el.set("localSheetId", str(local_sheet))
        el.text = formula
        self._wb_changed = True

    @property
    def workbook(self) -> etree._Element:
        """workbook.xml as it will be written; a caller that changes it calls `workbook_changed`."""
        return self._workbook

    def workbook_changed(self) -> None:
        self._wb_changed = True

    def free_part(self, pattern: str) -> str:
        """The first name `pattern` ("xl/charts/chart{}.xml") gives that no part has."""
        return self._free_part(pattern)

    def add_part(self, part: str, data: bytes, content_type: str | None) -> None:
        """A new part, declared as `content_type` (None: as its extension's Default, the .rels parts)."""
        if part in self.pkg.names or part in self._new_parts:
            raise ValueError(f"the workbook already has a part {part}")
        self._add_part(part, data, content_type)

    def add_part_rels(self, part: str, rels: list[tuple[str, str, str]]) -> None:
        """The relationships (Id, Type, Target relative to `part`) of the new part `part`."""
        body = "".join(
            f'<Relationship Id="{_attr(rid)}" Type="{_attr(typ)}" Target="{_attr(target)}"/>'
            for rid, typ, target in rels
        )
        self._add_part(
            self.pkg.rels_part(part), f'<Relationships xmlns="{_REL}">{body}</Relationships>'.encode(), None
        )

    def set_content_type(self, part: str, content_type: str) -> None:
        """Change the declared content type of the existing part `part` (the workbook part of an .xlsm copy)."""
        for override in self._ctypes.findall("ct:Override", NS):
            if override.get("PartName", "").lstrip("/") == part:
                override.set("ContentType", content_type)
                self._ctypes_changed = True
                return
        raise KeyError(part)

    def replace_part(self, part: str, data: bytes) -> None:
        """Replace an existing part whole, bytes as given (the VBA project `arbook refresh-vba` writes)."""
        if part not in self.pkg.names:
            raise KeyError(part)
        self._parts[part] = data

    # -- writing the file ------------------------------------------------------------------
    def save(self, target: Path) -> None:
        """Write the new package to `target` (a temporary file the caller renames into place)."""
        removed_formulas = 0
        for part, editor in self._editors.items():
            editor.drop_cached_formula_values()
            removed_formulas += editor.removed_formulas
            self._parts[part] = editor.to_bytes()
        if self._editors:
            self._recalculate_on_load()
        if removed_formulas and self._calc_chain and self._calc_chain in self.pkg.names:
            self._drop_calc_chain()
        if self.styles.changed:
            self._parts[self._styles_part] = self.styles.to_bytes()
        if self._wb_changed:
            self._parts[self.pkg.workbook_part] = _xml_bytes(self._workbook)
        if self._rels_changed:
            self._parts[self._wb_rels_part] = _xml_bytes(self._wb_rels)
        if self._ctypes_changed:
            self._parts["[Content_Types].xml"] = _xml_bytes(self._ctypes)
        with (
            open(target, "wb") as raw_out,
            zipfile.ZipFile(raw_out, "w") as out,
            open(self.pkg.path, "rb") as src,
        ):
            for info in self.pkg.infos:
                if info.filename in self._removed:
                    continue
                if info.filename in self._parts:
                    _write_like(out, info, self._parts[info.filename])
                else:
                    _copy_raw(src, out, info)
            for part in self._new_parts:
                out.writestr(
                    zipfile.ZipInfo(part, date_time=(1980, 1, 1, 0, 0, 0)),
                    self._parts[part],
                    compress_type=zipfile.ZIP_DEFLATED,
                    compresslevel=DEFLATE_LEVEL,
                )

    # -- internals -------------------------------------------------------------------------
    def _recalculate_on_load(self) -> None:
        calc = self._workbook.find("m:calcPr", NS)
        if calc is None:
            calc = etree.Element(f"{{{_M}}}calcPr")
            # schema order: sheets, functionGroups, externalReferences, definedNames, calcPr
            before = ("sheets", "functionGroups", "externalReferences", "definedNames")
            present = [el for el in self._workbook if isinstance(el.tag, str)]
            anchor = [el for el in present if etree.QName(el).localname in before][-1]
            anchor.addnext(calc)
        if calc.get("fullCalcOnLoad") != "1":
            calc.set("fullCalcOnLoad", "1")
            self._wb_changed = True

    def _drop_calc_chain(self) -> None:
        self._removed.add(self._calc_chain)
        for rel in self._wb_rels.findall("rel:Relationship", NS):
            if rel.get("Type") == REL_CALC_CHAIN:
                self._wb_rels.remove(rel)
                self._rels_changed = True
        for override in self._ctypes.findall("ct:Override", NS):
            if override.get("PartName", "").lstrip("/") == self._calc_chain:
                self._ctypes.remove(override)
                self._ctypes_changed = True

    def _free_part(self, pattern: str) -> str:
        taken = self.pkg.names | set(self._new_parts)
        n = 1
        while pattern.format(n) in taken:
            n += 1
        return pattern.format(n)

    def _free_table_id(self) -> int:
        ids = [0]
        for part in [t.part for t in self.pkg.tables.values()] + [
            p for p in self._new_parts if "/tables/" in p
        ]:
            data = self._parts.get(part) or self.pkg.read(part)
            ids.append(int(safe_xml(data, part).get("id", "0")))
        return max(ids) + 1

    def _add_part(self, part: str, data: bytes, content_type: str | None) -> None:
        self._parts[part] = data
        self._new_parts.append(part)
        if content_type:
            override = etree.SubElement(self._ctypes, f"{{{_CT}}}Override")
            override.set("PartName", "/" + part)
            override.set("ContentType", content_type)
            self._ctypes_changed = True

    def add_workbook_rel(self, typ: str, target: str) -> str:
        """A new relationship of the workbook part; returns its Id."""
        taken = {r.get("Id") for r in self._wb_rels}
        n = 1
        while f"rIdArbook{n}" in taken:
            n += 1
        rel = etree.SubElement(self._wb_rels, f"{{{_REL}}}Relationship")
        rel.set("Id", f"rIdArbook{n}")
        rel.set("Type", typ)
        rel.set("Target", target)
        self._rels_changed = True
        return f"rIdArbook{n}"


def free_sheet_name(name: str, taken: set[str]) -> str:
    """`name`, or "name (arbook)" when a sheet (a chartsheet, the user's own) already has it."""
    candidates = [name, f"{name} (arbook)"] + [f"{name} (arbook {n})" for n in range(2, 100)]
    return next(c for c in candidates if c.casefold() not in taken)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _write_like(out: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """A changed part keeps its name, date and compression method."""
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    out.writestr(new, data, compresslevel=DEFLATE_LEVEL)


def _copy_raw(src, out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy an entry's stored bytes without decompressing: byte-identical, and fast for big sheets."""
    src.seek(info.header_offset)
    header = src.read(30)
    if header[:4] != b"PK\x03\x04" or info.flag_bits & 0x1 or info.file_size >= 0xFFFFFFFF:
        _write_like(out, info, _read_entry(src, info))
        return
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    src.seek(info.header_offset + 30 + name_len + extra_len)
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    new.flag_bits = info.flag_bits & ~0x08  # sizes go in the local header: no data descriptor
    new.CRC, new.compress_size, new.file_size = info.CRC, info.compress_size, info.file_size
    new.header_offset = out.fp.tell()
    out.fp.write(new.FileHeader(False))
    remaining = info.compress_size
    while remaining:
        chunk = src.read(min(remaining, 1 << 20))
        out.fp.write(chunk)
        remaining -= len(chunk)
    out.filelist.append(new)
    out.NameToInfo[new.filename] = new
    out.start_dir = out.fp.tell()
    out._didModify = True


def _read_entry(src, info: zipfile.ZipInfo) -> bytes:
    src.seek(0)
    with zipfile.ZipFile(src) as zf:
        return zf.read(info)
