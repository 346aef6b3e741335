"""`arbook refresh-vba`: give an existing .xlsm the VBA of the xlwings installed now.

xlwings' VBA names its DLL and its macOS AppleScript by version (xlwings64-0.37.8.dll,
xlwings-0.37.8.applescript), and the Python side must be the same version: after an upgrade of
xlwings a workbook made before it no longer starts Python. This puts the installed xlwings'
modules (`xlwings`, `Dictionary`) and the workbook's own module (`arbook`, see
workbook.template.vba_module_source) into the workbook's VBA project, keeping every other
module (the user's own macros, the sheets' code) as it is, and writes the workbook as every
arbook command does: lock, backup, a new file renamed over the old one, an Audit row with the
file's hashes. Excel must not have
it open. xlwings itself is pinned to one version in pyproject.toml, so an upgrade is a
deliberate step: install it, then run this on each workbook.
"""

from __future__ import annotations

from pathlib import Path

from arbook.operation import Summary
from arbook.operations import EXCEL_OPERATIONS
from common.errors import ArbookError, UnsafeWorkbookError
from workbook.dashboard import VBA_SIGNATURES, vba_part
from workbook.filebook import FileBook
from workbook.safety import refuse_if_open_in_excel
from workbook.template import button_modules, vba_project, with_button_modules

__all__ = ["refresh_vba"]


def refresh_vba(path: Path) -> Summary:
    """Put the installed xlwings' VBA and arbook's module into the workbook at `path`."""
    import xlwings

    path = Path(path)
    if path.suffix.lower() != ".xlsm":
        raise ArbookError(f"{path.name}: only a macro-enabled workbook (.xlsm) has VBA to refresh")
    refuse_if_open_in_excel(path)
    built = vba_project(EXCEL_OPERATIONS)
    fresh = button_modules(built)
    with FileBook(path) as book:
        if not book.has("Audit"):
            raise ArbookError(
                f"{path.name} has no Audit table, so arbook could not record the change; run arbook init on it first"
            )
        pkg = book.package
        part = vba_part(pkg)
        if part is None:
            raise ArbookError(
                f"{path.name} has no VBA project; arbook init --dashboard gives it one with the buttons"
            )
        if any(n.rsplit("/", 1)[-1] in VBA_SIGNATURES for n in pkg.names):
            raise UnsafeWorkbookError(
                f"{path.name}: its VBA project is digitally signed, and changing it would break the "
                "signature; nothing was written"
            )
        try:
            project = with_button_modules(pkg.read(part), built)
        except ValueError:
            raise UnsafeWorkbookError(
                f"{path.name}: the new VBA project failed its check; nothing was written"
            ) from None
        book.change_parts(lambda writer: writer.replace_part(part, project))
        book.commit("refresh-vba", f"xlwings {xlwings.__version__}: " + ", ".join(fresh))
    return Summary(
        "refresh-vba",
        {"workbook": str(path), "xlwings": xlwings.__version__, "modules": ", ".join(fresh)},
        [
            f"open {path.name} in Excel and enable macros: Excel compiles the new VBA when it opens the workbook"
        ],
    )
