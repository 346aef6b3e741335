"""The .xlsm template: xlwings' VBA project with arbook's module, a Run button bound to a macro it holds."""

from __future__ import annotations

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
from workbook.contract import TABLES
from workbook.template import (
    DASHBOARD,
    INPUT_NAMES,
    RUN_MACRO,
    STATUS_NAMES,
    VBA_MODULE,
    build_workbook,
    vba_module_source,
)
from workbook.vbaproject import module_sources

with warnings.catch_warnings():  # oletools 0.60 uses pyparsing names deprecated since
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsm") / "receivables.xlsm"
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


def test_the_vba_project_is_the_installed_xlwings_one_with_arbooks_module(xlsm: Path) -> None:
    with zipfile.ZipFile(xlsm) as zf:
        written = zf.read("xl/vbaProject.bin")
        assert (
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in zf.read("[Content_Types].xml").decode()
        )
    assert module_sources(written) == {
        **module_sources(_installed_vba()),
        VBA_MODULE: vba_module_source(EXCEL_OPERATIONS),
    }


def test_the_run_button_is_bound_to_a_macro_the_project_holds(xlsm: Path) -> None:
    macros = _button_macros(xlsm)
    assert macros == [RUN_MACRO]
    parser = VBA_Parser(str(xlsm))  # oletools reads the project on its own
    try:
        code = "\n".join(source for _f, _s, _name, source in parser.extract_macros())
    finally:
        parser.close()
    body = re.search(rf"^Sub {RUN_MACRO}\(\)\s*\n(.*?)^End Sub", code, flags=re.MULTILINE | re.DOTALL)
    assert body and body[1].strip() == 'RunPython "import macros.entry; macros.entry.run_from_excel()"'


def test_nothing_is_written_beside_it(xlsm: Path) -> None:
    assert sorted(p.name for p in xlsm.parent.iterdir()) == [xlsm.name]


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
    "name", ["my book.xlsm", "1st.xlsm", "json.xlsm", "arbook.xlsm", "Forderungen 2026-11.xlsm"]
)
def test_any_workbook_name_will_do(tmp_path: Path, name: str) -> None:
    build_book(tmp_path / name, macro_enabled=True)  # the macros run an installed module, not the name
    assert _button_macros(tmp_path / name) == [RUN_MACRO]


def test_another_vba_project_can_be_given(tmp_path: Path) -> None:
    bin_path = tmp_path / "vbaProject.bin"
    bin_path.write_bytes(_installed_vba())
    build_workbook(
        tmp_path / "given.xlsm", macro_enabled=True, vba_project_file=bin_path, operations=EXCEL_OPERATIONS
    )
    with zipfile.ZipFile(tmp_path / "given.xlsm") as zf:
        written = zf.read("xl/vbaProject.bin")
    assert module_sources(written) == {
        **module_sources(bin_path.read_bytes()),
        VBA_MODULE: vba_module_source(EXCEL_OPERATIONS),
    }


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_it_with_the_button_bound(
    xlsm: Path, lo_convert: Callable[..., None], pdftotext: str, tmp_path: Path
) -> None:
    for target in ("ods", "pdf"):
        lo_convert(target, xlsm, tmp_path)
    with zipfile.ZipFile(tmp_path / "receivables.ods") as zf:
        content = zf.read("content.xml").decode()
    assert 'form:label="Run"' in content
    # LibreOffice read the VBA project this wrote (its own MS-CFB and MS-OVBA readers): it found
    # the module and bound the button to its macro
    assert f"vnd.sun.star.script:VBAProject.{VBA_MODULE}.{RUN_MACRO}" in content
    first_page = subprocess.run(
        [pdftotext, "-f", "1", "-l", "1", str(tmp_path / "receivables.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for text in ("Run an operation", EXCEL_OPERATIONS[1][1], "Aging by bucket", "Status of the last run"):
        assert text in first_page
