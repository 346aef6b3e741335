"""The Dashboard of a new workbook, put into an adopted one: the sheet, its charts, its Run button and the VBA.

`arbook new` builds the Dashboard with the template (workbook.template); an adopted workbook gets
the same one copied from such a template, through the commit's PackageWriter, so nothing of the
user's is rewritten: the Dashboard becomes the last sheet, its cells' strings are written inline
(the user's shared strings stay as they are), its styles are appended to the workbook's, its
drawing, charts and button drawing are new parts, and its named cells and print area are new
defined names. The VBA project is the one the caller gives: the workbook's own with the
installed xlwings' and arbook's modules put in, or, for an .xlsx copied to an .xlsm, the
template's, in which case the workbook part is declared macro-enabled.

What would make the copy wrong is refused first (`dashboard_trouble`): a sheet or defined name
of the user's that has the Dashboard's name, a table the Dashboard's formulas name that is not
an Excel Table (Excel would have to repair the file), a digitally signed VBA project.
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from .package import NS, Package, safe_xml
from .styles import Styles
from .template import DASHBOARD, INPUT_NAMES, STATUS_NAMES
from .writer import CT_WORKSHEET, PackageWriter

__all__ = [
    "DASHBOARD_TABLES",
    "REL_VBA",
    "VBA_SIGNATURES",
    "WORKBOOK_MODULE",
    "add_dashboard",
    "dashboard_trouble",
    "free_code_name",
    "has_dashboard",
    "sheet_code_names",
    "vba_part",
    "workbook_code_name",
]

DASHBOARD_TABLES = ("KPIs", "Aging", "Forecast", "Settings")
"""The tables the Dashboard's formulas name (structured references): each must be an Excel Table."""

REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VBA_SIGNATURES = ("vbaProjectSignature.bin", "vbaProjectSignatureAgile.bin", "vbaProjectSignatureV3.bin")
WORKBOOK_MODULE = "ThisWorkbook"
"""The workbook's document module in the template's VBA project (xlwings' project names it so), and
the code name Excel gives a workbook that states none."""
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_M = NS["m"]
_REL_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
_REL_VML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
_REL_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
_SHAPES_PER_BLOCK = 1024  # a VML drawing's o:idmap block N holds shape ids N*1024 .. N*1024+1023


def vba_part(pkg: Package) -> str | None:
    """The workbook's VBA project part, or None when it has none."""
    part = next((t for _, typ, t, _ in pkg.relationships(pkg.workbook_part) if typ == REL_VBA), None)
    return part if part in pkg.names else None


def has_dashboard(pkg: Package) -> bool:
    """Whether the workbook has arbook's Dashboard: its sheet, with the named status cells on it."""
    names = {
        d.get("name"): d.text or "" for d in pkg.workbook_xml.iterfind("m:definedNames/m:definedName", NS)
    }
    return pkg.sheet(DASHBOARD) is not None and names.get(STATUS_NAMES["result"], "").startswith(
        f"{DASHBOARD}!"
    )


def dashboard_trouble(pkg: Package, tables: set[str]) -> str:
    """Why the Dashboard cannot be added to the workbook (empty: it can); `tables` are the casefolded
    names of the Excel Tables it will have (those the same commit adds included)."""
    if pkg.sheet(DASHBOARD) is not None:
        return (
            f"your sheet {DASHBOARD!r} has the Dashboard's name; rename it (right-click the tab > Rename) and run "
            "again"
        )
    defined = {
        d.get("name", "").casefold() for d in pkg.workbook_xml.iterfind("m:definedNames/m:definedName", NS)
    }
    taken = sorted(n for n in (*STATUS_NAMES.values(), *INPUT_NAMES.values()) if n.casefold() in defined)
    if taken:
        return f"the defined name(s) {', '.join(taken)} are taken; rename them (Formulas > Name Manager) and run again"
    missing = [t for t in DASHBOARD_TABLES if t.casefold() not in tables]
    if missing:
        return (
            f"the Dashboard's formulas name the table(s) {', '.join(missing)}, which are not Excel Tables here "
            "(a sheet read as a table cannot be named in a formula); make each an Excel Table (Insert > Table, "
            "Table Design > Table Name) and run again"
        )
    if any(n.rsplit("/", 1)[-1] in VBA_SIGNATURES for n in pkg.names):
        return "its VBA project is digitally signed, and adding the buttons' macros would break the signature"
    return ""


def workbook_code_name(pkg: Package) -> str | None:
    """The name of the workbook's document module in VBA, as the workbook states it (workbookPr
    codeName: ThisWorkbook in English Excel, DieseArbeitsmappe in German), or None."""
    pr = pkg.workbook_xml.find("m:workbookPr", NS)
    return None if pr is None else pr.get("codeName") or None


_CODE_NAME = re.compile(rb"<(?:\w+:)?sheetPr\b[^>]*?\bcodeName=\"([^\"]+)\"")
_SHEET_HEAD = 65536  # sheetPr is a sheet's first element: its opening bytes hold it


def sheet_code_names(pkg: Package) -> list[str]:
    """The code names the workbook's sheets state (sheetPr codeName: Sheet1, Tabelle1, Лист1 ...),
    each a sheet's document module in VBA; a sheet stating none is left out."""
    names = []
    for sheet in pkg.sheets:
        if sheet.part not in pkg.names:
            continue
        with pkg.zip.open(sheet.part) as fh:
            found = _CODE_NAME.search(fh.read(_SHEET_HEAD))
        if found:
            names.append(found[1].decode("utf-8"))
    return names


def free_code_name(pkg: Package, modules: set[str]) -> str:
    """A code name for the Dashboard that neither a sheet nor a module of `modules` has, the way
    the workbook's own sheets are named (Tabelle5 after Tabelle1-4; Sheet5 when they state none):
    Excel gives every sheet of a workbook with macros one, and ties a document module to it."""
    stated = sheet_code_names(pkg)
    prefixes = [m[1] for m in (re.fullmatch(r"([A-Za-z][A-Za-z_]*?)\d+", n) for n in stated) if m]
    # the commonest ASCII prefix (every code page spells it), else English Excel's
    prefix = max(sorted(set(prefixes)), key=prefixes.count) if prefixes else "Sheet"
    taken = {n.casefold() for n in (*stated, *modules, workbook_code_name(pkg) or WORKBOOK_MODULE)}
    number = len(pkg.sheets) + 1
    while f"{prefix}{number}".casefold() in taken:
        number += 1
    return f"{prefix}{number}"


def add_dashboard(writer: PackageWriter, template: Package, vba: bytes, code_name: str) -> None:
    """Copy the Dashboard of `template` (a workbook `arbook new` made, with buttons) into the
    workbook `writer` writes, as its last sheet with the code name `code_name` (see
    `free_code_name`), with `vba` as its VBA project."""
    pkg = writer.pkg
    source = template.sheet(DASHBOARD)
    rels = {rid: (typ, target) for rid, typ, target, _ in template.relationships(source.part)}
    sheet = safe_xml(template.read(source.part), source.part)
    _inline_strings(sheet, template)
    theirs = Styles(template.read(_styles_part(template)))
    for cell in sheet.iterfind(".//m:c[@s]", NS):
        cell.set("s", str(writer.styles.copied(theirs, int(cell.get("s")))))
    dxfs: dict[str, str] = {}  # the figures' decimals by their currency: conditional formats
    for rule in sheet.iterfind("m:conditionalFormatting/m:cfRule[@dxfId]", NS):
        old = rule.get("dxfId", "")
        if old not in dxfs:
            dxfs[old] = str(writer.styles.copied_dxf(theirs, int(old)))
        rule.set("dxfId", dxfs[old])
    for view in sheet.iterfind("m:sheetViews/m:sheetView", NS):
        view.attrib.pop("tabSelected", None)  # the user's selected sheet stays the only one
    sheet_pr = sheet.find("m:sheetPr", NS)
    if sheet_pr is None:
        sheet_pr = etree.Element(f"{{{_M}}}sheetPr")
        sheet.insert(0, sheet_pr)  # schema order: a worksheet's first element
    sheet_pr.set("codeName", code_name)

    sheet_part = writer.free_part("xl/worksheets/sheet{}.xml")
    new_rels = []
    for rid, (typ, target) in rels.items():
        if typ == _REL_DRAWING:
            copied = _copy_drawing(writer, template, target)
        elif typ == _REL_VML:
            copied = writer.free_part("xl/drawings/vmlDrawing{}.vml")
            writer.add_part(copied, _free_vml(template.read(target), pkg), CT_VML)
        else:
            raise ValueError(f"the template's Dashboard has a part arbook does not copy: {typ}")
        new_rels.append((rid, typ, posixpath.relpath(copied, posixpath.dirname(sheet_part))))
    writer.add_part(
        sheet_part,
        etree.tostring(sheet, xml_declaration=True, encoding="UTF-8", standalone=True),
        CT_WORKSHEET,
    )
    writer.add_part_rels(sheet_part, new_rels)
    position = writer.add_sheet(DASHBOARD, sheet_part)

    for name in template.workbook_xml.iterfind("m:definedNames/m:definedName", NS):
        if not (name.text or "").startswith(f"{DASHBOARD}!"):
            continue
        local = name.get("localSheetId")
        writer.add_defined_name(name.get("name"), name.text, None if local is None else position)
    _put_vba(writer, vba)


def _styles_part(pkg: Package) -> str:
    return next(t for _, typ, t, _ in pkg.relationships(pkg.workbook_part) if typ.endswith("/styles"))


def _inline_strings(sheet: etree._Element, template: Package) -> None:
    """Shared-string cells as inline strings: the target's shared strings part is never rewritten."""
    part = next(
        t for _, typ, t, _ in template.relationships(template.workbook_part) if typ.endswith("/sharedStrings")
    )
    items = safe_xml(template.read(part), part).findall("m:si", NS)
    for cell in sheet.iterfind(".//m:c[@t='s']", NS):
        value = cell.find("m:v", NS)
        item = items[int(value.text)]
        cell.remove(value)
        cell.set("t", "inlineStr")
        inline = etree.SubElement(cell, f"{{{_M}}}is")
        for child in item:
            inline.append(etree.fromstring(etree.tostring(child)))


def _copy_drawing(writer: PackageWriter, template: Package, drawing: str) -> str:
    """The drawing part and the charts it shows, under free names; returns the drawing's name."""
    new = writer.free_part("xl/drawings/drawing{}.xml")
    writer.add_part(new, template.read(drawing), CT_DRAWING)
    rels = []
    for rid, typ, target, _ in template.relationships(drawing):
        if typ != _REL_CHART:
            raise ValueError(f"the template's Dashboard drawing has a part arbook does not copy: {typ}")
        chart = writer.free_part("xl/charts/chart{}.xml")
        writer.add_part(chart, template.read(target), CT_CHART)
        rels.append((rid, typ, posixpath.relpath(chart, posixpath.dirname(new))))
    writer.add_part_rels(new, rels)
    return new


def _free_vml(vml: bytes, pkg: Package) -> bytes:
    """The button's VML drawing with a shape-id block no other VML drawing of the workbook uses:
    Excel numbers every shape of the workbook apart by these blocks."""
    used = {0}
    for name in pkg.names:
        if name.endswith(".vml"):
            for data in re.findall(rb'<o:idmap\b[^>]*\bdata="([\d,\s]+)"', pkg.read(name)):
                used |= {int(n) for n in re.split(rb"[,\s]+", data.strip()) if n}
    block = max(used) + 1
    text = vml.decode("utf-8")
    text = re.sub(r'(<o:idmap\b[^>]*\bdata=")\d+(")', rf"\g<1>{block}\g<2>", text)
    first = iter(range(block * _SHAPES_PER_BLOCK + 1, (block + 1) * _SHAPES_PER_BLOCK))
    text = re.sub(r'id="_x0000_s\d+"', lambda _m: f'id="_x0000_s{next(first)}"', text)
    return text.encode("utf-8")


def _put_vba(writer: PackageWriter, vba: bytes) -> None:
    pkg = writer.pkg
    existing = vba_part(pkg)
    if existing is not None:
        writer.replace_part(existing, vba)
        return
    part = (
        "xl/vbaProject.bin"
        if "xl/vbaProject.bin" not in pkg.names
        else writer.free_part("xl/vbaProject{}.bin")
    )
    writer.add_part(part, vba, CT_VBA)
    writer.add_workbook_rel(REL_VBA, posixpath.relpath(part, posixpath.dirname(pkg.workbook_part)))
    writer.set_content_type(pkg.workbook_part, CT_MACRO_WORKBOOK)
    pr = writer.workbook.find("m:workbookPr", NS)
    if pr is None:
        pr = etree.Element(f"{{{_M}}}workbookPr")
        after = [
            writer.workbook.find(f"m:{tag}", NS) for tag in ("workbookProtection", "bookViews", "sheets")
        ]
        next(el for el in after if el is not None).addprevious(pr)  # schema order
    if pr.get("codeName") is None:
        pr.set("codeName", WORKBOOK_MODULE)
    writer.workbook_changed()
