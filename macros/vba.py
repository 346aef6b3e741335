"""`arbook refresh-vba`: give an existing .xlsm the VBA of the xlwings installed now.

xlwings' VBA names its DLL and its macOS AppleScript by version (xlwings64-0.37.8.dll,
xlwings-0.37.8.applescript), and the Python side must be the same version: after an upgrade of
xlwings a workbook made before it no longer starts Python. This puts the installed xlwings'
modules (`xlwings`, `Dictionary`) and the workbook's own module (`arbook`, see
workbook.template.vba_module_source) into the workbook's VBA project, keeping every other
module (the user's own macros, the sheets' code) as it is, and writes the workbook as every
arbook command does: lock, backup, a new file renamed over the old one. Excel must not have
it open. xlwings itself is pinned to one version in pyproject.toml, so an upgrade is a
deliberate step: install it, then run this on each workbook.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from arbook.operation import Summary
from arbook.operations import EXCEL_OPERATIONS
from common.errors import ArbookError, UnsafeWorkbookError
from workbook.package import Package
from workbook.safety import RunLock, atomic_replace, keep_backup, refuse_if_open_in_excel, temp_path
from workbook.template import VBA_MODULE, vba_module_source, vba_project
from workbook.vbaproject import declared_modules, module_sources, with_modules
from workbook.writer import PackageWriter

__all__ = ["XLWINGS_SAMPLE_MODULE", "refresh_vba"]

XLWINGS_SAMPLE_MODULE = "Module1"
"""xlwings' sample macro (SampleCall, which imports a module named after the workbook): not copied."""

_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_SIGNATURES = ("vbaProjectSignature.bin", "vbaProjectSignatureAgile.bin", "vbaProjectSignatureV3.bin")


def refresh_vba(path: Path) -> Summary:
    """Put the installed xlwings' VBA and arbook's module into the workbook at `path`."""
    import xlwings

    path = Path(path)
    if path.suffix.lower() != ".xlsm":
        raise ArbookError(f"{path.name}: only a macro-enabled workbook (.xlsm) has VBA to refresh")
    refuse_if_open_in_excel(path)
    installed = vba_project(EXCEL_OPERATIONS)
    kinds = declared_modules(installed)
    fresh = {
        name: source
        for name, source in module_sources(installed).items()
        if kinds[name] in ("Module", "Class") and name != XLWINGS_SAMPLE_MODULE
    }
    lock = RunLock(path)
    lock.acquire()
    try:
        with Package(path) as pkg:
            part = next((t for _, typ, t, _ in pkg.relationships(pkg.workbook_part) if typ == _REL_VBA), None)
            if part is None or part not in pkg.names:
                raise ArbookError(
                    f"{path.name} has no VBA project; make a workbook with buttons with arbook new"
                )
            if any(n.rsplit("/", 1)[-1] in _SIGNATURES for n in pkg.names):
                raise UnsafeWorkbookError(
                    f"{path.name}: its VBA project is digitally signed, and changing it would break the "
                    "signature; nothing was written"
                )
            project = with_modules(
                pkg.read(part), fresh, classes=frozenset(n for n in fresh if kinds[n] == "Class")
            )
            temp = temp_path(path, "vba")
            writer = PackageWriter(pkg)
            writer.replace_part(part, project)
            writer.save(temp)
        try:
            with zipfile.ZipFile(temp) as zf:
                written = module_sources(zf.read(part))
            if written.get(VBA_MODULE) != vba_module_source(EXCEL_OPERATIONS):
                raise UnsafeWorkbookError(
                    f"{path.name}: the new VBA project failed its check; nothing was replaced"
                )
            keep_backup(path)
            atomic_replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
    finally:
        lock.release()
    return Summary(
        "refresh-vba",
        {"workbook": str(path), "xlwings": xlwings.__version__, "modules": ", ".join(fresh)},
        [
            f"open {path.name} in Excel and enable macros: Excel compiles the new VBA when it opens the workbook"
        ],
    )
