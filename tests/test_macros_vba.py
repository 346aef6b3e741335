"""macros/arbook.bas: one Sub per Dashboard operation, each running that operation through RunPython."""

from __future__ import annotations

import sys

import pytest

from arbook.operations import EXCEL_OPERATIONS
from common.errors import ArbookError
from macros.vba import BAS, install_vba, sub_name, subs_in


def test_one_sub_per_operation_running_that_operation() -> None:
    text = BAS.read_text(encoding="utf-8")
    assert subs_in(text) == {sub_name(key): key for key, _ in EXCEL_OPERATIONS}
    assert sub_name("import_bank") == "ArbookImportBank"
    assert text.count("\nSub ") == len(EXCEL_OPERATIONS)


def test_the_module_is_named_and_has_windows_line_ends() -> None:
    raw = BAS.read_bytes()
    assert raw.startswith(b'Attribute VB_Name = "arbook"\r\n')
    assert raw.count(b"\n") == raw.count(b"\r\n")


@pytest.mark.skipif(sys.platform == "win32", reason="checks the refusal on machines without Windows Excel")
def test_installing_needs_windows_excel(tmp_path) -> None:
    with pytest.raises(ArbookError, match=r"needs Excel on Windows; on macOS import .*arbook\.bas by hand"):
        install_vba(tmp_path / "book.xlsm")
