"""Give a workbook one button per operation, on a machine with Excel (Windows).

The .xlsm that `arbook new` writes carries the VBA project Excel saved into xlwings'
quickstart_standalone.xlsm, with a single Run button (workbook.template's run area says
why). VBA can only be added by Excel itself, so this imports macros/arbook.bas (one Sub per
operation) through Excel's VBA object model and adds a button for each Sub on the Dashboard.
Excel must allow it once: File > Options > Trust Center > Trust Center Settings > Macro
Settings > "Trust access to the VBA project object model". macOS Excel exposes no VBA object
model to scripts: there, import arbook.bas by hand (Tools > Macro > Visual Basic Editor,
File > Import File) and assign the Subs to buttons (CHECKLIST.md).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from arbook.operations import EXCEL_OPERATIONS
from common.errors import ArbookError
from workbook.template import DASHBOARD

__all__ = ["BAS", "BUTTON_PREFIX", "install_vba", "sub_name", "subs_in"]

BAS = Path(__file__).with_name("arbook.bas")
BUTTON_PREFIX = "arbook_"
_MODULE = "arbook"
_FIRST_ROW, _COLUMN, _ROWS_PER_BUTTON = 4, 16, 2  # buttons from P4 down, one per two rows


def sub_name(operation: str) -> str:
    """The VBA Sub that runs an operation: import_bank -> ArbookImportBank."""
    return "Arbook" + "".join(part.capitalize() for part in operation.split("_"))


def subs_in(bas_text: str) -> dict[str, str]:
    """Sub name -> the operation its RunPython call runs, read from a .bas file's text."""
    found = re.findall(
        r"^Sub (\w+)\(\)\s*\n\s*RunPython \"import macros\.entry; macros\.entry\.run\('(\w+)'\)\"",
        bas_text.replace("\r\n", "\n"),
        flags=re.MULTILINE,
    )
    return dict(found)


def install_vba(workbook: Path) -> None:
    """Import arbook.bas into `workbook` and add one Dashboard button per operation; then save it.

    Run again after an upgrade: the old module and buttons are replaced.
    """
    if sys.platform != "win32":
        raise ArbookError(
            "installing the VBA module needs Excel on Windows; on macOS import "
            f"{BAS} by hand (see macros/CHECKLIST.md)"
        )
    import xlwings as xw

    book = xw.Book(str(workbook))
    try:
        components = book.api.VBProject.VBComponents
    except Exception as exc:  # pywin32 raises com_error when Excel refuses access
        raise ArbookError(
            "Excel refused access to the VBA project: enable Trust Center > Macro Settings > "
            "'Trust access to the VBA project object model', then run again"
        ) from exc
    for component in list(components):
        if component.Name == _MODULE:
            components.Remove(component)
    components.Import(str(BAS))
    sheet = book.sheets[DASHBOARD].api
    for button in list(sheet.Buttons()):
        if button.Name.startswith(BUTTON_PREFIX):
            button.Delete()
    for i, (key, label) in enumerate(EXCEL_OPERATIONS):
        cell = sheet.Cells(_FIRST_ROW + i * _ROWS_PER_BUTTON, _COLUMN)
        button = sheet.Buttons().Add(cell.Left, cell.Top, 180, 26)
        button.Name = BUTTON_PREFIX + key
        button.Caption = label
        button.OnAction = sub_name(key)
    book.save()
