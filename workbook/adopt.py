"""Adopt a workbook a finance team already has: refuse what arbook would damage, add only what is missing.

`arbook init` must never hurt the user's own work, so it first looks for everything a write
would break or arbook cannot read (a package signature, an Excel 4 macro sheet, a protected
structure, an add-in, a legacy or Strict file) and refuses before anything is written. It
then adds each missing contract table as a new Excel Table on a new sheet, through the
FileBook's part-level writer: the user's sheets are never renamed, moved or rewritten, and
every part other than workbook.xml, its relationships, [Content_Types].xml and (for a
number format) styles.xml is copied byte for byte.

Which tables are added (docs/contract.md, "Who owns a table"):
  - arbook-owned and log tables, empty;
  - Settings, DunningLevels and Templates with the default rows the caller gives;
  - Customers and Invoices empty, only when neither a sheet of that name nor a Mapping row
    points at the user's own data; Orders and Mapping only when the caller gives rows.
A sheet or table that only bears a contract name (the user's "Aging" report, a chartsheet)
is left alone: arbook's Excel Table gets the contract name (found before any sheet) and its
sheet a free name such as "Aging (arbook)". An Excel Table of a contract name whose columns
are not the contract's cannot be told apart from arbook's own, so that is refused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from common.errors import UnsafeWorkbookError

from .contract import TABLES, Owner, Table, normalise_header, table
from .dashboard import (
    VBA_SIGNATURES,
    WORKBOOK_MODULE,
    add_dashboard,
    dashboard_trouble,
    free_code_name,
    has_dashboard,
    sheet_code_names,
    vba_part,
    workbook_code_name,
)
from .filebook import SUFFIXES, FileBook
from .mapping import MAPPABLE, Link, load_mapping, suggest
from .mapping import Mapping as SheetMapping
from .package import NS, Package
from .reader import Location, SheetCells, fits, locate
from .template import DASHBOARD, button_modules, with_button_modules
from .vbaproject import declared_modules, renamed_modules, without_modules

__all__ = ["Adoption", "adopt", "check_adoptable", "check_file"]

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ADDIN_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
_SIGNATURE_ORIGIN = "/digital-signature/origin"
_MACRO_SHEET_TYPES = ("/macrosheet", "/intlMacrosheet")


@dataclass
class Adoption:
    """What `adopt` did: the tables it added (with their row counts) and what the user should know."""

    added: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dashboard: bool = False  # the Dashboard, its Run button and the VBA were added


def check_file(path: Path) -> None:
    """Refuse (UnsafeWorkbookError) a path that is no workbook file arbook may read and replace.

    Called before anything opens the file, so a missing file, a folder, a file without
    permission or of another kind gets a sentence saying what to do, never a traceback.
    """
    path = Path(path)
    if path.is_dir():
        raise UnsafeWorkbookError(
            f"{path} is a folder, not a workbook: give the path of your .xlsx or .xlsm file"
        )
    if not path.exists():
        raise UnsafeWorkbookError(
            f"{path} does not exist: check the folder and the file name (or start a new workbook with: "
            f"arbook new {path.name})"
        )
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise _legacy(path)
    if suffix in (".xlam", ".xla"):
        raise UnsafeWorkbookError(
            f"{path.name} is an Excel add-in: it holds macros, not records, and its sheets are hidden. Keep the "
            "receivables in a .xlsx or .xlsm workbook and run arbook init on that"
        )
    if suffix not in SUFFIXES:
        raise UnsafeWorkbookError(
            f"{path.name} is not an Excel workbook: arbook works on .xlsx and .xlsm files. If it holds your "
            "receivables, open it in Excel and Save As 'Excel Workbook (*.xlsx)', then run arbook init on that"
        )
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise UnsafeWorkbookError(
            f"{path} cannot be read ({exc.strerror}): ask for permission to read and change it, or copy it to a "
            "folder of yours and run arbook init on the copy"
        ) from None
    for needed in (path, path.parent):
        if not os.access(needed, os.W_OK):
            raise UnsafeWorkbookError(
                f"{needed} cannot be changed (no write permission), and arbook init adds sheets to {path.name} and "
                "keeps the previous version beside it. Nothing was written. Ask for permission to change it, or "
                "copy the workbook to a folder of yours and run arbook init on the copy"
            )


def _legacy(path: Path) -> UnsafeWorkbookError:
    return UnsafeWorkbookError(
        f"{path.name} is a legacy Excel 97-2003 (.xls) workbook or an encrypted one arbook was not given the "
        "password for; arbook works on .xlsx/.xlsm. Open it in Excel, File > Save As > 'Excel Workbook "
        "(*.xlsx)' (or 'Excel Macro-Enabled Workbook (*.xlsm)' if it has macros), or convert it with "
        "LibreOffice: soffice --headless --convert-to xlsx " + path.name
    )


def check_adoptable(path: Path, *, force: bool = False) -> list[str]:
    """Refuse (UnsafeWorkbookError) a workbook arbook would damage or cannot read; else the warnings.

    `force` only lifts the refusal of a signed package, whose signature any change breaks.
    """
    path = Path(path)
    check_file(path)
    with open(path, "rb") as fh:
        if fh.read(8) == _CFB_MAGIC:  # an OLE container: a .xls renamed, or encrypted without the password
            raise _legacy(path)
    notes: list[str] = []
    with Package(path) as pkg:  # refuses Strict OOXML and anything not a spreadsheet package
        ctypes = pkg.read("[Content_Types].xml").decode("utf-8", "replace")
        if _ADDIN_TYPE in ctypes:
            raise UnsafeWorkbookError(
                f"{path.name} is an Excel add-in saved under another name; arbook will not adopt it"
            )
        signed = any(typ.endswith(_SIGNATURE_ORIGIN) for _id, typ, _t, _m in pkg.relationships("")) or any(
            n.startswith("_xmlsignatures/") for n in pkg.names
        )
        if signed and not force:
            raise UnsafeWorkbookError(
                f"{path.name} carries a digital signature (_xmlsignatures); any change to the file makes Excel "
                "report it as invalid. Nothing was written. Run again with --force to adopt it anyway (the "
                "signature will then show as invalid until someone signs the workbook again)"
            )
        if signed:
            notes.append(
                "--force: the workbook's digital signature no longer matches and Excel will show it as invalid"
            )
        rel_types = {target: typ for _i, typ, target, _m in pkg.relationships(pkg.workbook_part)}
        macro_sheets = [
            s.name
            for s in pkg.sheets
            if s.part.startswith("xl/macrosheets/") or rel_types.get(s.part, "").endswith(_MACRO_SHEET_TYPES)
        ]
        if macro_sheets:
            raise UnsafeWorkbookError(
                f"{path.name} holds Excel 4 macro sheet(s) {', '.join(map(repr, macro_sheets))} (xl/macrosheets), "
                "which arbook cannot read. Nothing was written. Keep the receivables in a workbook without XLM "
                "macro sheets (move your sheets to a new workbook in Excel: right-click the tab > Move or Copy)"
            )
        protection = pkg.workbook_xml.find("m:workbookProtection", NS)
        if protection is not None and protection.get("lockStructure") in ("1", "true"):
            raise UnsafeWorkbookError(
                f"{path.name} has a protected structure (Review > Protect Workbook), so no sheet may be added. "
                "Nothing was written. Unprotect it, run arbook init, then protect it again"
            )
        if any(n.rsplit("/", 1)[-1] in VBA_SIGNATURES for n in pkg.names):
            notes.append(
                "the VBA project is digitally signed; arbook copies it byte for byte, so its signature stays valid"
            )
    return notes


def adopt(
    path: Path,
    rows: Mapping[str, pd.DataFrame],
    *,
    propose_mapping: bool = False,
    force: bool = False,
    dashboard: Path | None = None,
) -> Adoption:
    """Add every missing contract table to the workbook at `path`, in one atomic commit.

    `rows` gives the first rows of tables that start filled (the defaults of Settings,
    DunningLevels, Templates). With `propose_mapping`, a workbook without a Mapping table gets
    one proposed from its headings (`workbook.mapping.suggest`). Tables the Mapping places in
    the user's own sheets are never added. With `dashboard` (a workbook with buttons the template
    built), the same commit adds its Dashboard, Run button and VBA (`workbook.dashboard`) unless
    the workbook has them. Refuses, writing nothing, what `check_adoptable` refuses, and a
    Dashboard that cannot be added (`dashboard_trouble`).
    """
    result = Adoption(notes=check_adoptable(path, force=force))
    rows = {normalise_header(k): v for k, v in rows.items()}
    with FileBook(path) as book, ExitStack() as stack:
        pkg = book.package
        cells = SheetCells(pkg)
        try:
            mapped = load_mapping(pkg, cells).tables
            if propose_mapping:
                proposal = _proposal(pkg, cells, result)
                if proposal is not None:
                    rows[normalise_header("Mapping")] = proposal
                    mapped = frozenset(proposal["Table"])
            defined = {
                d.get("name", "").casefold()
                for d in pkg.workbook_xml.iterfind("m:definedNames/m:definedName", NS)
            }
            for decl in TABLES:
                given = rows.get(normalise_header(decl.name))
                if not _wanted(decl, given, mapped):
                    continue
                add, note = _placement(pkg, cells, decl, defined)
                if note:
                    result.notes.append(note)
                if not add:
                    continue
                book.create(
                    decl.name, given if given is not None else pd.DataFrame(columns=decl.column_names)
                )
                result.added[decl.name] = 0 if given is None else len(given)
        finally:
            cells.close()
        if dashboard is not None:
            template = stack.enter_context(Package(dashboard))
            _stage_dashboard(book, template, result)
        if result.added or result.dashboard:
            added = [*result.added, *([DASHBOARD] * result.dashboard)]
            book.commit("init", "added " + ", ".join(added))
    return result


def _stage_dashboard(book: FileBook, template: Package, result: Adoption) -> None:
    """Stage the Dashboard of `template` (with its VBA put into the workbook's own project)."""
    pkg = book.package
    if has_dashboard(pkg):
        if vba_part(pkg) is None:
            raise UnsafeWorkbookError(
                f"{pkg.path.name} has arbook's Dashboard without a Run button (a workbook arbook new made as "
                ".xlsx), and arbook does not change a Dashboard it finds. Nothing was written. Run the operations "
                "from the command line, or start a workbook with buttons: arbook new receivables.xlsm"
            )
        result.notes.append(f"{pkg.path.name} already has the Dashboard; it was left as it is")
        return
    tables = {name.casefold() for name in (*pkg.tables, *result.added)}
    trouble = dashboard_trouble(pkg, tables)
    if trouble:
        raise UnsafeWorkbookError(
            f"{pkg.path.name}: arbook cannot add the Dashboard: {trouble}. Nothing was written"
        )
    built = template.read(vba_part(template))
    own = vba_part(pkg)
    stated = workbook_code_name(pkg) or WORKBOOK_MODULE
    ours = set(button_modules(built))
    clash = sorted(
        n for n in {stated, *sheet_code_names(pkg)} if n.casefold() in {m.casefold() for m in ours}
    )
    if clash:
        raise UnsafeWorkbookError(
            f"{pkg.path.name}: arbook cannot add the Dashboard: the code name(s) {', '.join(clash)} of your "
            "workbook or sheets are the names of the buttons' VBA modules; rename them (Visual Basic editor > "
            "Properties > (Name)) and run again. Nothing was written"
        )
    if own is None:
        # the template's project with the buttons' modules and the workbook's own, named as the
        # workbook says (DieseArbeitsmappe); the template's sheets' modules would belong to no sheet here
        vba = without_modules(built, frozenset(declared_modules(built)) - ours - {WORKBOOK_MODULE})
        if stated != WORKBOOK_MODULE:
            try:
                vba = renamed_modules(vba, {WORKBOOK_MODULE: stated})
            except UnsafeWorkbookError as exc:
                raise UnsafeWorkbookError(
                    f"{pkg.path.name}: arbook cannot add the Dashboard: {exc}. Nothing was written. To go on: "
                    "open it in Excel, add a module (Alt+F11, Insert > Module), save it as .xlsm, and run arbook "
                    "init --dashboard on that file: Excel writes its VBA project in your Windows' code page"
                ) from None
    else:
        vba = with_button_modules(pkg.read(own), built)
    code_name = free_code_name(pkg, set(declared_modules(vba)))
    book.change_parts(lambda writer: add_dashboard(writer, template, vba, code_name))
    result.dashboard = True


def _proposal(pkg: Package, cells: SheetCells, result: Adoption) -> pd.DataFrame | None:
    """A Mapping proposal for the mappable tables the workbook lacks in contract form, or None."""
    ready = [name for name in MAPPABLE if _holds_records(pkg, cells, table(name))]
    if locate(pkg, cells, table("Mapping")) is not None:
        result.notes.append("the workbook already has a Mapping table; arbook left it as it is")
        if not load_mapping(pkg, cells).links:
            result.notes.append(_unfilled_mapping(suggest(pkg, cells, skip=ready)))
        return None
    proposal = suggest(pkg, cells, skip=ready)
    if proposal.empty:
        result.notes.append("no sheet's headings look like Customers or Invoices; nothing to map")
        return None
    proposed = SheetMapping(
        Link(*link)
        for link in proposal[["Table", "Column", "Source", "SourceColumn"]].itertuples(index=False)
    )
    for name, rows in proposal.groupby("Table", sort=False):
        unsure = rows[rows["Confidence"] < 100]
        result.notes.append(
            f"proposed: {name} from {rows['Source'].iloc[0]!r} ("
            + ", ".join(f"{c} = {h!r}" for c, h in zip(rows["Column"], rows["SourceColumn"], strict=True))
            + ")"
            + _layout(proposed.locate(pkg, cells, table(name)))
            + (f"; check {', '.join(unsure['Column'])}, matched by similarity only" if len(unsure) else "")
        )
        own = locate(pkg, cells, table(name))
        if own is not None and fits(table(name), own.header):  # empty, or the proposal would have skipped it
            result.notes.append(
                f"arbook's empty {name} table (sheet {own.sheet.name!r}) is no longer read: the Mapping reads "
                f"{rows['Source'].iloc[0]!r}; you may delete that sheet"
            )
        lacking = [c for c in table(name).required if c not in set(rows["Column"])]
        if lacking:
            result.notes.append(
                f"{name} also needs {', '.join(lacking)}: no heading in {rows['Source'].iloc[0]!r} looks like it; add "
                f"a Mapping row naming the heading that holds it (until then reading {name} is refused)"
            )
    result.notes.append(
        "check the Mapping sheet and correct any row before the next run: arbook reads through it"
    )
    return proposal


def _unfilled_mapping(proposal: pd.DataFrame) -> str:
    """What to do about a Mapping table without rows: nothing is read from the user's sheets through it."""
    said = "but it has no rows, so nothing is read from your own sheets"
    if proposal.empty:
        return said + "; add a row for each heading of yours that holds a contract column"
    rows = ", ".join(
        f"{t}.{c} = {s!r} {h!r}"
        for t, c, s, h in proposal[["Table", "Column", "Source", "SourceColumn"]].itertuples(index=False)
    )
    return (
        f"{said}. arbook writes no rows into a table that exists: enter these ({rows}), or delete the Mapping "
        "sheet and run arbook init --suggest again to have them added"
    )


def _layout(where: Location | None) -> str:
    """What the user should know about where the records start and which rows are not read."""
    if where is None or where.excel_table is not None:
        return ""
    said = f"; headings in row {where.header_row}" if where.header_row > 1 else ""
    if where.skip:
        rows = sorted(where.skip)
        said += f"; total row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))} not read as records"
    return said


def _holds_records(pkg: Package, cells: SheetCells, decl: Table) -> bool:
    """A contract-form table with at least one row below its headings: nothing to propose for it."""
    where = locate(pkg, cells, decl)
    if where is None or not fits(decl, where.header):
        return False
    body = cells.rows(where.sheet.name)[where.first_row - 1 : where.last_row]
    return any(v not in (None, "") for row in body for v in row[where.first_col - 1 : where.last_col])


def _wanted(decl: Table, given: pd.DataFrame | None, mapped: frozenset[str]) -> bool:
    if decl.name in mapped:
        return False
    if decl.optional:
        return given is not None
    return (
        decl.owner is not Owner.USER or decl.defaulted or decl.name in ("Customers", "Invoices", "BankLines")
    )


def _placement(pkg: Package, cells: SheetCells, decl: Table, defined: set[str]) -> tuple[bool, str]:
    """Whether to add the table, and what the user should know about where it is or goes."""
    existing = pkg.table(decl.name)
    where = locate(pkg, cells, decl)
    if where is not None and fits(decl, where.header):
        return False, ""
    if where is not None and decl.name in MAPPABLE:
        missing = [
            c for c in decl.required if normalise_header(c) not in {normalise_header(h) for h in where.header}
        ]
        return False, (
            f"{where.excel_table.name if where.excel_table else where.sheet.name!r} holds your {decl.name} but "
            f"lacks the column(s) {', '.join(missing)}: run arbook init --suggest to map your own headings"
        )
    if existing is not None:
        raise UnsafeWorkbookError(
            f"{pkg.path.name}: the Excel Table {existing.name} on sheet {existing.sheet.name!r} bears the name of "
            f"arbook's {decl.name} table but not its columns ({', '.join(decl.column_names)}); nothing was written. "
            "Rename your table (Table Design > Table Name) and run arbook init again"
        )
    if decl.name.casefold() in defined:
        raise UnsafeWorkbookError(
            f"{pkg.path.name}: the defined name {decl.name} is taken, so arbook cannot add its {decl.name} table; "
            "nothing was written. Rename it (Formulas > Name Manager) and run arbook init again"
        )
    clash = pkg.sheet(decl.name)
    if clash is not None:
        what = "sheet" if clash.is_worksheet else "chart sheet"
        return True, (
            f"your {what} {clash.name!r} is not arbook's {decl.name} table and keeps its name; "
            f"arbook's {decl.name} table is on a new sheet named '{decl.name} (arbook)'"
        )
    return True, ""
