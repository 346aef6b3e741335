"""xlwings' UDF server for Excel on Windows, run here with the double as Excel.

When a cell holding =ARBOOK_...() is calculated, the VBA function that xlwings generated for it
(`xlwings.udfs.generate_vba_wrapper`, run here too, and followed: which formula argument goes
where, Nothing for `caller`) calls `XLPy.CallUDF "macros.udfs", "ARBOOK_...", Array(args...), ThisWorkbook, Application.Caller`,
which reaches `xlwings.com_server.XLPython.CallUDF` and from there `xlwings.udfs.call_udf`: it
imports the module (whose functions carry the metadata of xlwings' real `@xw.func`), converts
each argument by the options that metadata holds, calls the function and converts the result.

Those two xlwings modules import pywin32 at the top, although the code path above needs none
of it. They are imported here with stand-ins for the pywin32 modules (each name raises if
anything calls it, except `Dispatch`, which hands the double's object back as COM would hand
back the dispatch of a COM object, and the thread marshalling that `caller` goes through,
which returns the object itself as it does within one thread). `xlwings._xlwindows`, which
call_udf asks for Range/Book wrappers, is stood in for by the double's classes. Everything
else, the decorator, the metadata, call_udf and the conversion, is xlwings' own code.
"""

from __future__ import annotations

import importlib
import io
import re
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import xlwings

from .excel import Book, Range

__all__ = ["MISSING", "udf_server"]

MISSING = -2147352572
"""What VBA hands over for an Optional argument the formula leaves out (DISP_E_PARAMNOTFOUND)."""

_PYWIN32 = (
    "pythoncom",
    "pywintypes",
    "win32api",
    "win32event",
    "win32com",
    "win32com.client",
    "win32com.server",
    "win32com.server.dispatcher",
    "win32com.server.policy",
    "win32com.server.util",
)


class _Unavailable:
    """A pywin32 name the UDF call path does not use: any call says so."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{self.name} (pywin32) was called; the double has no COM")

    def __getattr__(self, attr: str) -> _Unavailable:
        return _Unavailable(f"{self.name}.{attr}")


def _stand_in(name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__path__ = []  # a package, so `import win32com.client` finds its parts
    module.__getattr__ = lambda attr: _Unavailable(f"{name}.{attr}")  # type: ignore[method-assign]
    return module


def _pywin32_stand_ins() -> dict[str, types.ModuleType]:
    modules = {name: _stand_in(name) for name in _PYWIN32}
    pythoncom = modules["pythoncom"]
    pythoncom.IID_IDispatch = "IID_IDispatch"
    pythoncom.TypeIIDs = {"IID_IDispatch": type("PyIDispatch", (), {})}
    pythoncom.CoInitialize = lambda: None
    pythoncom.CoMarshalInterThreadInterfaceInStream = lambda iid, obj: obj
    modules["pywintypes"].com_error = type("com_error", (Exception,), {})
    modules["win32com.client"].Dispatch = lambda obj, *args, **kwargs: obj
    return modules


class Wrapper:
    """One VBA function of xlwings' generated module: its parameters and the Array it passes on."""

    def __init__(self, vba: str) -> None:
        self.vba = vba
        head = re.search(r"^Function (\w+)\((.*)\)$", vba, re.MULTILINE)
        call = re.search(r"XLPy\.CallUDF\(\"[^\"]+\", \"\w+\", Array\((.*?)\), ThisWorkbook", vba)
        assert head and call, vba
        self.name = head[1]
        self.parameters = [p.removeprefix("Optional ") for p in head[2].split(", ") if p]
        self.array = call[1].split(", ")

    def arguments(self, formula_args: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(formula_args) > len(self.parameters):
            raise TypeError(f"{self.name} takes {len(self.parameters)} arguments in Excel")
        given = dict(zip(self.parameters, formula_args, strict=False))  # trailing optionals left out
        return tuple(None if item == "Nothing" else given.get(item, MISSING) for item in self.array)


def _wrappers(udfs: Any, module: str, book: Any) -> dict[str, Wrapper]:
    text = io.StringIO()
    udfs.generate_vba_wrapper(module, sys.modules[module], text, book)
    blocks = re.findall(r"^Function .*?^End Function$", text.getvalue(), re.MULTILINE | re.DOTALL)
    return {w.name: w for w in map(Wrapper, blocks)}


@contextmanager
def udf_server(module: str, book: Book) -> Iterator[Callable[..., Any]]:
    """Yield call(fname, formula_args, caller) -> the cell's value, as Excel shows it.

    `formula_args` are what the formula passes: a double Range for a cell reference, else the
    literal (VBA hands numbers over as float; leave out an optional argument at the end). They
    go through xlwings' generated VBA wrapper for `fname` (`call.wrappers[fname]`). `module` is
    imported afresh, decorated by xlwings' real `xw.func`, into `book` (the double's, open in
    `excel_double()`), whose cells call it.
    """
    saved = {
        name: sys.modules.get(name) for name in (*_PYWIN32, "xlwings.udfs", "xlwings.com_server", module)
    }
    saved_attrs = {
        name: getattr(xlwings, name, None) for name in ("func", "arg", "ret", "udfs", "com_server")
    }
    saved_windows = getattr(xlwings, "_xlwindows", None)
    parent_name, _, child = module.rpartition(".")
    parent = sys.modules.get(parent_name)
    try:
        sys.modules.update(_pywin32_stand_ins())
        for name in ("xlwings.udfs", "xlwings.com_server", module):
            sys.modules.pop(name, None)
        udfs = importlib.import_module("xlwings.udfs")
        com_server = importlib.import_module("xlwings.com_server")
        for name in _PYWIN32:
            sys.modules.pop(name, None)
        xlwings.func, xlwings.arg, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
        xlwings._xlwindows = types.SimpleNamespace(
            Range=lambda xl: xl,
            Book=lambda xl: xl,
            is_range_instance=lambda value: isinstance(value, Range),
            BOOK_CALLER=None,
        )
        importlib.import_module(module)
        udfs.udf_modules.clear()
        server = com_server.XLPython()

        wrappers = _wrappers(udfs, module, book)

        def call(fname: str, formula_args: tuple[Any, ...], caller: Range) -> Any:
            assert caller.sheet.book is book
            args = wrappers[fname].arguments(formula_args)
            return server.CallUDF(module, fname, args, book, caller)

        call.wrappers = wrappers  # type: ignore[attr-defined]
        yield call
    finally:
        for name, value in saved.items():
            if value is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value
        for name, value in saved_attrs.items():
            if value is None:
                if hasattr(xlwings, name):
                    delattr(xlwings, name)
            else:
                setattr(xlwings, name, value)
        if parent is not None and saved[module] is not None:
            setattr(parent, child, saved[module])
        if saved_windows is None:
            if hasattr(xlwings, "_xlwindows"):
                del xlwings._xlwindows
        else:
            xlwings._xlwindows = saved_windows
