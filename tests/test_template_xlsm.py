"""The .xlsm template: xlwings' Excel-made VBA project, a Run button bound to a macro it holds."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlwings

from arbook.new import build_book
from arbook.operations import EXCEL_OPERATIONS
from common.errors import ArbookError
from workbook.contract import TABLES
from workbook.template import DASHBOARD, INPUT_NAMES, STATUS_NAMES, build_workbook

with warnings.catch_warnings():  # oletools 0.60 uses pyparsing names deprecated since
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsm") / "ledger.xlsm"
    build_book(path, macro_enabled=True)
    return path


def _installed_vba() -> bytes:
    source = Path(xlwings.__file__).with_name("quickstart_standalone.xlsm")
    with zipfile.ZipFile(source) as zf:
        return zf.read("xl/vbaProject.bin")


def _button_macros(path: Path) -> list[str]:
    """The macro of every form button on the Dashboard, from its VML drawing."""
    with zipfile.ZipFile(path) as zf:
        rels = zf.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        vml = re.search(r'Target="\.\./drawings/(vmlDrawing\d+\.vml)"', rels)
        assert vml, "the Dashboard has no VML drawing (no buttons)"
        drawing = zf.read(f"xl/drawings/{vml[1]}").decode()
    assert 'o:button="t"' in drawing
    return re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", drawing)


def test_the_vba_project_is_the_installed_xlwings_one_byte_for_byte(xlsm: Path) -> None:
    with zipfile.ZipFile(xlsm) as zf:
        assert zf.read("xl/vbaProject.bin") == _installed_vba()
        assert (
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in zf.read("[Content_Types].xml").decode()
        )


def test_the_run_button_is_bound_to_a_macro_the_project_holds(xlsm: Path) -> None:
    macros = _button_macros(xlsm)
    assert macros == ["SampleCall"]
    parser = VBA_Parser(str(xlsm))
    try:
        code = "\n".join(source for _f, _s, _name, source in parser.extract_macros())
    finally:
        parser.close()
    subs = set(re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(", code, flags=re.MULTILINE))
    assert set(macros) <= subs
    # SampleCall runs <workbook name>.main(): the module beside the workbook.
    assert re.search(r'RunPython "import " & mymodule & ";" & mymodule & "\.main\(\)"', code)


def test_the_module_sample_call_imports_is_written_beside_it(xlsm: Path) -> None:
    entry = xlsm.with_suffix(".py")
    spec = importlib.util.spec_from_file_location("ledger", entry)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(module.main)
    assert "from macros.entry import run_from_excel" in entry.read_text(encoding="utf-8")


def test_every_table_and_the_run_area_are_there(xlsm: Path) -> None:
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    assert wb.sheetnames == [DASHBOARD] + [t.name for t in TABLES]
    for t in TABLES:
        assert list(wb[t.name].tables.keys()) == [t.name]
    names = set(wb.defined_names.keys())
    assert names == set(STATUS_NAMES.values()) | set(INPUT_NAMES.values())
    ws = wb[DASHBOARD]
    operation_cell = wb.defined_names[INPUT_NAMES["operation"]].attr_text.split("!")[1].replace("$", "")
    assert ws[operation_cell].value == EXCEL_OPERATIONS[1][1]
    (validation,) = [dv for dv in ws.data_validations.dataValidation if operation_cell in str(dv.sqref)]
    first, last = validation.formula1.replace("$", "").split(":")
    listed = [c.value for row in ws[first:last] for c in row]
    assert listed == [label for _, label in EXCEL_OPERATIONS]


@pytest.mark.parametrize(
    "name", ["my book.xlsm", "1st.xlsm", "json.xlsm", "arbook.xlsm", "receivables.xlsm", "class.xlsm"]
)
def test_names_sample_call_cannot_import_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ArbookError, match="name"):
        build_workbook(tmp_path / name, macro_enabled=True)
    assert not (tmp_path / name).exists()


def test_a_python_file_of_the_users_is_never_overwritten(tmp_path: Path) -> None:
    mine = tmp_path / "ledger2026.py"
    mine.write_text("print('mine')\n", encoding="utf-8")
    with pytest.raises(ArbookError, match="not written by arbook"):
        build_book(tmp_path / "ledger2026.xlsm", macro_enabled=True)
    assert mine.read_text(encoding="utf-8") == "print('mine')\n"
    mine.unlink()
    build_book(tmp_path / "ledger2026.xlsm", macro_enabled=True)
    build_book(tmp_path / "ledger2026.xlsm", macro_enabled=True)  # ours: rewritten freely


def test_another_vba_project_can_be_given(tmp_path: Path) -> None:
    bin_path = tmp_path / "vbaProject.bin"
    bin_path.write_bytes(_installed_vba())
    build_book(tmp_path / "given.xlsm", macro_enabled=True, vba_project=bin_path)
    with zipfile.ZipFile(tmp_path / "given.xlsm") as zf:
        assert zf.read("xl/vbaProject.bin") == bin_path.read_bytes()


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_it_with_the_button_bound(
    xlsm: Path, lo_convert: Callable[..., None], pdftotext: str, tmp_path: Path
) -> None:
    for target in ("ods", "pdf"):
        lo_convert(target, xlsm, tmp_path)
    with zipfile.ZipFile(tmp_path / "ledger.ods") as zf:
        content = zf.read("content.xml").decode()
    assert 'form:label="Run"' in content
    assert "vnd.sun.star.script:VBAProject.Module1.SampleCall" in content
    first_page = subprocess.run(
        [pdftotext, "-f", "1", "-l", "1", str(tmp_path / "ledger.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for text in ("Run an operation", EXCEL_OPERATIONS[1][1], "Aging by bucket", "Status of the last run"):
        assert text in first_page
