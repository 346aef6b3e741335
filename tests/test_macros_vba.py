"""The workbook's VBA: arbook's own module in xlwings' project, written without Excel, and
`arbook refresh-vba`, which gives an existing workbook the VBA of the xlwings installed now.

The project is read back with oletools and olefile, which parse MS-OVBA and MS-CFB on their
own; LibreOffice reading it is tested in test_template_xlsm.py.
"""

from __future__ import annotations

import datetime as dt
import getpass
import io
import re
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arbook.new import build_book
from arbook.operations import EXCEL_OPERATIONS
from common.errors import ArbookError, UnsafeWorkbookError
from macros.vba import refresh_vba
from workbook.filebook import FileBook
from workbook.safety import sha256_of
from workbook.template import (
    RUN_MACRO,
    VBA_MODULE,
    build_workbook,
    vba_module_source,
    vba_project,
)
from workbook.vbaproject import (
    compress,
    declared_modules,
    module_sources,
    renamed_modules,
    with_modules,
    write_cfb,
)

with warnings.catch_warnings():  # oletools 0.60 uses pyparsing names deprecated since
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import decompress_stream


def _installed() -> bytes:
    import importlib.resources

    with (importlib.resources.files("xlwings") / "quickstart_standalone.xlsm").open("rb") as fh:
        return zipfile.ZipFile(fh).read("xl/vbaProject.bin")


def test_one_macro_for_the_run_button_and_one_per_operation() -> None:
    source = vba_module_source(EXCEL_OPERATIONS)
    calls = dict(
        re.findall(r'^Sub (\w+)\(\)\r\n    RunPython "([^"]+)"\r\nEnd Sub', source, flags=re.MULTILINE)
    )
    assert calls[RUN_MACRO] == "import macros.entry; macros.entry.run_from_excel()"
    assert calls["ArbookImportBank"] == "import macros.entry; macros.entry.run('import_bank')"
    assert sorted(calls) == sorted(
        [RUN_MACRO, *("Arbook" + k.title().replace("_", "") for k, _ in EXCEL_OPERATIONS)]
    )
    assert source.startswith(f'Attribute VB_Name = "{VBA_MODULE}"\r\n') and "\n" not in source.replace(
        "\r\n", ""
    )


def test_the_project_is_xlwings_own_with_arbooks_module_added() -> None:
    installed, ours = _installed(), vba_project(EXCEL_OPERATIONS)
    assert module_sources(ours) == {
        **module_sources(installed),
        VBA_MODULE: vba_module_source(EXCEL_OPERATIONS),
    }
    assert declared_modules(ours) == {**declared_modules(installed), VBA_MODULE: "Module"}
    with olefile.OleFileIO(io.BytesIO(ours)) as ole:
        assert (
            ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x00\x00"
        )  # Excel recompiles
        assert (
            ole.openstream("VBA/xlwings").read()
            == olefile.OleFileIO(io.BytesIO(installed)).openstream("VBA/xlwings").read()
        )


def test_a_module_renamed_is_renamed_everywhere_excel_reads_its_name() -> None:
    """The workbook's document module renamed as German Excel names it: its source's VB_Name, its
    PROJECT declaration and window line, its PROJECTwm entry and its stream, as olefile reads them;
    every other module's source unchanged."""
    installed = _installed()
    renamed = renamed_modules(installed, {"ThisWorkbook": "DieseArbeitsmappe"})
    before, after = module_sources(installed), module_sources(renamed)
    assert after.pop("DieseArbeitsmappe") == before.pop("ThisWorkbook").replace(
        'VB_Name = "ThisWorkbook"', 'VB_Name = "DieseArbeitsmappe"'
    )
    assert after == before
    assert next(iter(declared_modules(renamed).items())) == ("DieseArbeitsmappe", "Document")
    with olefile.OleFileIO(io.BytesIO(renamed)) as ole:
        project = ole.openstream("PROJECT").read().decode("cp1252")
        names = ole.openstream("PROJECTwm").read()
        streams = {"/".join(p) for p in ole.listdir()}
    assert "Document=DieseArbeitsmappe/&H00000000\r\n" in project and "ThisWorkbook" not in project
    assert "\r\nDieseArbeitsmappe=0, 0, 0, 0, C\r\n" in project
    assert names.startswith(
        b"DieseArbeitsmappe\x00" + "DieseArbeitsmappe".encode("utf-16-le") + b"\x00\x00Sheet1\x00"
    )
    assert "VBA/DieseArbeitsmappe" in streams and "VBA/ThisWorkbook" not in streams
    with pytest.raises(ValueError, match=r"already has a module named sheet1 \(as Sheet1\)"):
        renamed_modules(installed, {"ThisWorkbook": "sheet1"})


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=9000) | st.text(alphabet="ab \r\nSub()End", max_size=12000).map(str.encode))
def test_compression_is_read_back_by_oletools(data: bytes) -> None:
    assert bytes(decompress_stream(bytearray(compress(data)))) == data


def test_ms_ovba_compression_package_would_corrupt_a_module_this_does_not() -> None:
    # ms-ovba-compression 1.0.1 (the one package that compresses) gives 1668 bytes back for this 1956
    source = vba_module_source(EXCEL_OPERATIONS).encode("cp1252") * 3
    assert bytes(decompress_stream(bytearray(compress(source)))) == source


def test_compound_file_is_read_back_by_olefile() -> None:
    streams = {
        "PROJECT": b"x" * 10,
        "VBA/big": bytes(range(256)) * 40,  # over the 4096-byte mini-stream cutoff
        "VBA/empty": b"",
        "VBA/Sub/deep": b"deep",
        **{f"VBA/m{i}": bytes([i]) * (i * 37) for i in range(1, 40)},
    }
    with olefile.OleFileIO(io.BytesIO(write_cfb(streams))) as ole:
        assert {"/".join(p): ole.openstream(p).read() for p in ole.listdir()} == streams


@pytest.fixture
def old_workbook(tmp_path: Path) -> Path:
    """A workbook from before: xlwings 0.36's VBA (by name), no arbook module, a macro of the user's."""
    base = _installed()
    older = module_sources(base)["xlwings"].replace("0.37.8", "0.36.1")
    project = with_modules(
        base, {"xlwings": older, "Mine": 'Attribute VB_Name = "Mine"\r\nSub Hello()\r\nEnd Sub\r\n'}
    )
    path = tmp_path / "ledger.xlsm"
    build_book(path, macro_enabled=True)
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["xl/vbaProject.bin"] = project
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_refresh_gives_an_old_workbook_the_installed_xlwings_and_keeps_the_users_macros(
    old_workbook: Path,
) -> None:
    summary = refresh_vba(old_workbook)
    with zipfile.ZipFile(old_workbook) as zf:
        project = zf.read("xl/vbaProject.bin")
        assert zf.read("xl/worksheets/sheet2.xml")  # the rest of the workbook is there
    sources, installed = module_sources(project), module_sources(_installed())
    assert sources["xlwings"] == installed["xlwings"] and '"xlwings64-0.37.8.dll"' in sources["xlwings"]
    assert sources["Dictionary"] == installed["Dictionary"]
    assert sources[VBA_MODULE] == vba_module_source(EXCEL_OPERATIONS)
    assert sources["Mine"] == 'Attribute VB_Name = "Mine"\r\nSub Hello()\r\nEnd Sub\r\n'
    assert summary.figures["modules"] == "xlwings, Dictionary, arbook"
    (backup,) = (old_workbook.parent / "backups").iterdir()
    with FileBook(old_workbook, lock=False) as book:
        audit = book.read("Audit")
    assert audit[["User", "Command", "Summary"]].values.tolist() == [
        [getpass.getuser(), "refresh-vba", "xlwings 0.37.8: xlwings, Dictionary, arbook"]
    ]
    assert audit["SHA256Before"].iloc[0] == sha256_of(backup)  # the file as it was before
    assert re.fullmatch("[0-9a-f]{64}", audit["SHA256After"].iloc[0])
    assert audit["SHA256After"].iloc[0] != audit["SHA256Before"].iloc[0]
    assert dt.datetime.now() - audit["At"].iloc[0] < dt.timedelta(minutes=5)


def test_refresh_refuses_what_it_cannot_do_safely(tmp_path: Path, old_workbook: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    build_workbook(plain)
    with pytest.raises(ArbookError, match=r"only a macro-enabled workbook \(.xlsm\)"):
        refresh_vba(plain)
    signed = tmp_path / "signed.xlsm"
    with zipfile.ZipFile(old_workbook) as src, zipfile.ZipFile(signed, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("xl/vbaProjectSignature.bin", b"signature")
    before = signed.read_bytes()
    with pytest.raises(UnsafeWorkbookError, match="digitally signed"):
        refresh_vba(signed)
    assert signed.read_bytes() == before


@pytest.mark.parametrize(
    ("platform", "first_line"),
    [("win32", '"INTERPRETER_WIN","{python}"'), ("darwin", '"INTERPRETER_MAC","{python}"'), ("linux", None)],
)
def test_new_writes_xlwings_conf_for_the_python_it_runs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str, first_line: str | None
) -> None:
    import sys

    from arbook.new import new_workbook

    monkeypatch.setattr(sys, "platform", platform)
    summary = new_workbook(tmp_path / "receivables.xlsm")
    lines = (tmp_path / "xlwings.conf").read_text(encoding="utf-8").splitlines()
    expected = ([first_line.format(python=sys.executable)] if first_line else []) + [
        '"UDF MODULES","macros.udfs"'
    ]
    assert lines == expected
    assert str(tmp_path / "xlwings.conf") in summary.notes[0]


def test_new_leaves_a_users_xlwings_conf_alone(tmp_path: Path) -> None:
    from arbook.new import new_workbook

    (tmp_path / "xlwings.conf").write_text('"INTERPRETER_WIN","C:\\\\mine\\\\python.exe"\n', encoding="utf-8")
    summary = new_workbook(tmp_path / "receivables.xlsm")
    assert (tmp_path / "xlwings.conf").read_text(
        encoding="utf-8"
    ) == '"INTERPRETER_WIN","C:\\\\mine\\\\python.exe"\n'
    assert "left as it is" in summary.notes[0]
    new_workbook(tmp_path / "plain.xlsx")  # a workbook without buttons needs no xlwings.conf
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.xlsx", "receivables.xlsm", "xlwings.conf"]
