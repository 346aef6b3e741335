"""Pressing a workbook's form button as Excel would: the binding and the macro come from the file.

Excel finds a button's macro in the sheet's VML drawing (`<x:FmlaMacro>[0]!ArbookRun`), looks
the Sub up in the workbook's VBA project and runs it; the Sub's `RunPython "..."` makes xlwings
start Python, put the workbook's folder on sys.path and run the command, in which
`xw.Book.caller()` is the workbook. Here the drawing is read from the .xlsm, the module source
with oletools (an independent reader of the VBA project), and the command is run in this
process with xlwings' own `Book.set_mock_caller`, which xlwings provides for exactly this.
Only macros of the form `Sub Name()` / `RunPython "<python>"` / `End Sub` are understood; any
other macro body is refused rather than guessed.
"""

from __future__ import annotations

import html
import re
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # oletools 0.60 uses pyparsing names deprecated since
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

__all__ = ["button_macros", "macro_command", "press"]


def button_macros(path: Path) -> list[tuple[str, str]]:
    """(caption, macro) of every form button in the workbook, in file order, read from the sheets' VML
    drawings (two buttons may bear one caption: the user's "Run" and arbook's)."""
    found: list[tuple[str, str]] = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not re.fullmatch(r"xl/drawings/vmlDrawing\d+\.vml", name):
                continue
            drawing = zf.read(name).decode("utf-8", errors="replace")
            for shape in re.findall(r"<v:shape\b.*?</v:shape>", drawing, flags=re.DOTALL):
                macro = re.search(r"<x:FmlaMacro>\[0\]!([\w.]+)</x:FmlaMacro>", shape)
                if 'ObjectType="Button"' not in shape or not macro:
                    continue
                box = re.search(r"<v:textbox\b.*?</v:textbox>", shape, flags=re.DOTALL)
                caption = html.unescape(re.sub(r"<[^>]+>", "", box[0] if box else "")).strip()
                found.append((caption, macro[1].rsplit(".", 1)[-1]))
    return found


def macro_command(path: Path, macro: str) -> str:
    """The Python command that macro `macro` of the workbook's VBA project gives RunPython."""
    parser = VBA_Parser(str(path))
    try:
        code = "\n".join(source for _f, _s, _name, source in parser.extract_macros())
    finally:
        parser.close()
    body = re.search(rf"^Sub {re.escape(macro)}\(\)\s*\n(.*?)^End Sub", code, flags=re.MULTILINE | re.DOTALL)
    if body is None:
        raise LookupError(f"the workbook's VBA has no Sub {macro}() (Excel: 'Cannot run the macro')")
    call = re.fullmatch(r'\s*RunPython "((?:[^"]|"")*)"\s*', body[1])
    if call is None:
        raise ValueError(f"Sub {macro} is not a single RunPython call:\n{body[1]}")
    return call[1].replace('""', '"')


def press(book: Any, caption: str) -> None:
    """Press the button `caption` of the open workbook `book` (an xlwings Book on the double)."""
    import xlwings as xw

    path = Path(book.fullname)
    buttons = button_macros(path)
    macros = [m for c, m in buttons if c == caption]
    if len(macros) != 1:
        raise LookupError(f"{path.name} has {len(macros)} buttons {caption!r}: {buttons}")
    command = macro_command(path, macros[0])
    book.set_mock_caller()
    sys.path.insert(0, str(path.parent))  # RunPython puts the workbook's folder first on sys.path
    try:
        exec(command, {"__name__": "__main__"})
    finally:
        sys.path.remove(str(path.parent))
        del xw.Book._mock_caller
