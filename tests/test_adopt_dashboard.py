"""`arbook init --dashboard`: the Dashboard, its Run button and the buttons' VBA in an adopted workbook.

The workbooks are files saved by Excel in ../shared/excel-samples (an .xlsm with VBA and form
buttons of its own, an .xlsx with a VML drawing of its own) and the German layout of
tests/test_adopt_layouts.py, with the code names German Excel gives a workbook and its sheets
(DieseArbeitsmappe, Tabelle1, Tabelle2: no sample saved by Excel states a German one; the samples'
Russian and Italian sheet code names are checked in the test of every sample). What is checked is read from the written file by readers arbook
does not use to write it: the button's macro from the VML drawing, the macro's Python command
from the VBA project through oletools (tests/xlwings_double/buttons.py), and LibreOffice, which
must open each result and bind the button to the macro of the VBA project it read. The Run
button is then pressed in the adopted German workbook through the xlwings test double.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from arbook.init import init
from arbook.new import new_workbook
from arbook.runner import run
from common.errors import UnsafeWorkbookError
from tests.test_adopt_layouts import german
from tests.xlwings_double import excel_double
from tests.xlwings_double.buttons import button_macros, macro_command, press
from workbook.filebook import FileBook
from workbook.template import DASHBOARD, INPUT_NAMES, RUN_MACRO, STATUS_NAMES, VBA_MODULE
from workbook.vbaproject import declared_modules, module_sources

RUN = "import macros.entry; macros.entry.run_from_excel()"
CHANGED = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}


def _parts(path: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each zip entry: its compression method, CRC and stored (compressed) bytes."""
    out = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as raw:
        for info in zf.infolist():
            raw.seek(info.header_offset + 26)
            name_len, extra_len = int.from_bytes(raw.read(2), "little"), int.from_bytes(raw.read(2), "little")
            raw.seek(info.header_offset + 30 + name_len + extra_len)
            out[info.filename] = (info.compress_type, info.CRC, raw.read(info.compress_size))
    return out


def _vba(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/vbaProject.bin")


def _with_german_code_names(path: Path) -> Path:
    """The workbook as German Excel names it in VBA: the workbook DieseArbeitsmappe, its sheets Tabelle1..."""
    wb = openpyxl.load_workbook(path)
    wb.code_name = "DieseArbeitsmappe"
    for number, sheet in enumerate(wb.worksheets, start=1):
        sheet.sheet_properties.codeName = f"Tabelle{number}"
    wb.save(path)
    return path


def _code_names(path: Path) -> tuple[str, dict[str, str]]:
    """The workbook's code name and each sheet's (by sheet name), as the written file states them."""
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    wb = openpyxl.load_workbook(path, read_only=False)
    return re.search(r'<workbookPr\b[^>]*\bcodeName="([^"]+)"', workbook)[1], {
        ws.title: ws.sheet_properties.codeName for ws in wb.worksheets
    }


def _stated_code_names(path: Path) -> tuple[str, list[str]]:
    """The workbook's code name (ThisWorkbook when it states none) and the code names its sheets
    state, in the workbook's sheet order, read from the parts' XML."""
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
        targets |= {rid: target for target, rid in re.findall(r'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
        sheets = []
        for rid in re.findall(r'<sheet\b[^>]*?r:id="([^"]+)"', workbook):
            target = targets[rid].lstrip("/")
            head = zf.read(target if target.startswith("xl/") else f"xl/{target}")[:4096].decode(
                "utf-8", "replace"
            )
            found = re.search(r'<(?:\w+:)?sheetPr\b[^>]*?codeName="([^"]+)"', head)
            if found:
                sheets.append(found[1])
    stated = re.search(r'<workbookPr\b[^>]*?codeName="([^"]+)"', workbook)
    return (stated[1] if stated else "ThisWorkbook"), sheets


def _project_modules(path: Path) -> dict[str, str]:
    """Module name -> first line of its source, read by oletools (not by arbook's VBA reader)."""
    import warnings

    from oletools.olevba import VBA_Parser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        parser = VBA_Parser(str(path))
        try:
            return {
                stream.split("/")[-1]: code.splitlines()[0] for _, stream, _, code in parser.extract_macros()
            }
        finally:
            parser.close()


@pytest.fixture(scope="module")
def adopted(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Each workbook before (a kept copy) and after `arbook init --dashboard`, with its summary."""
    folder = tmp_path_factory.mktemp("dashboard")
    sources = {
        "xlsm": shutil.copyfile(
            shared_dir / "excel-samples" / "xlwings_database.xlsm", folder / "database.xlsm"
        ),
        "xlsx": shutil.copyfile(
            shared_dir / "excel-samples" / "poi_ExcelWithHyperlinks.xlsx", folder / "hyperlinks.xlsx"
        ),
        "de": _with_german_code_names(german(folder / "Forderungen.xlsx")),
    }
    out = {}
    for key, path in sources.items():
        path = Path(path)
        before = folder / "before" / path.name
        before.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, before)
        summary = init(path, suggest=key == "de", dashboard=True)
        written = path.with_suffix(".xlsm")
        out[key] = {"path": path, "before": before, "written": written, "summary": summary}
    return out


@pytest.mark.parametrize("key", ["xlsm", "xlsx", "de"])
def test_the_run_button_is_bound_to_the_macro_that_survives_renaming(
    adopted: dict[str, dict[str, object]], key: str
) -> None:
    written = adopted[key]["written"]
    assert ("Run", RUN_MACRO) in button_macros(written)
    assert macro_command(written, RUN_MACRO) == RUN
    sources = module_sources(_vba(written))
    assert f"Sub {RUN_MACRO}()" in sources[VBA_MODULE]
    assert {"xlwings", "Dictionary", VBA_MODULE} <= set(sources)
    assert adopted[key]["summary"].figures[DASHBOARD] == "added, with the Run button and its macros"
    with FileBook(written, lock=False) as book:
        audit = book.read("Audit")
        names = [s.name for s in book.package.sheets]
    assert audit["Command"].tolist() == ["init"] and audit["Summary"].iloc[0].endswith(", Dashboard")
    assert names[-1] == DASHBOARD


def test_an_xlsm_keeps_its_own_macros_buttons_and_parts(adopted: dict[str, dict[str, object]]) -> None:
    case = adopted["xlsm"]
    before, after = _parts(case["before"]), _parts(case["written"])
    own = module_sources(_vba(case["before"]))
    new = module_sources(_vba(case["written"]))
    assert {name: new[name] for name in own if name not in ("xlwings", "Dictionary")} == {
        name: source for name, source in own.items() if name not in ("xlwings", "Dictionary")
    }
    assert declared_modules(_vba(case["written"])) == {
        **declared_modules(_vba(case["before"])),  # it used xlwings' add-in: no xlwings module of its own
        "xlwings": "Module",
        "Dictionary": "Class",
        VBA_MODULE: "Module",
    }
    own_buttons = button_macros(case["before"])
    assert own_buttons == [("Run", "Playlist")]  # a button of its own, captioned Run too
    assert button_macros(case["written"]) == [*own_buttons, ("Run", RUN_MACRO)]
    changed = {name for name in before if after.get(name) != before[name]}
    assert changed == CHANGED | {"xl/vbaProject.bin"}
    # the new button's VML shapes take a block of ids no drawing of the user's uses
    with zipfile.ZipFile(case["written"]) as zf:
        blocks = [
            re.search(rb'<o:idmap v:ext="edit" data="(\d+)"', zf.read(name))[1]
            for name in zf.namelist()
            if name.endswith(".vml")
        ]
    assert blocks == [b"4", b"5"]  # the user's button is shape 4097, in block 4


@pytest.mark.parametrize("key", ["xlsx", "de"])
def test_an_xlsx_is_left_as_it_is_and_its_xlsm_copy_holds_the_same_sheets(
    adopted: dict[str, dict[str, object]], key: str
) -> None:
    case = adopted[key]
    assert case["path"].read_bytes() == case["before"].read_bytes()
    before, after = _parts(case["before"]), _parts(case["written"])
    assert {
        name for name in before if after.get(name) != before[name]
    } == CHANGED  # every sheet byte for byte
    if key == "de":
        return
    with zipfile.ZipFile(case["written"]) as zf:
        types = zf.read("[Content_Types].xml").decode()
        workbook = zf.read("xl/workbook.xml").decode()
    assert (
        'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"'
        in types
    )
    assert 'codeName="ThisWorkbook"' in workbook
    # the template's sheet modules would belong to no sheet of this workbook: only the workbook's is kept
    assert [n for n, k in declared_modules(_vba(case["written"])).items() if k == "Document"] == [
        "ThisWorkbook"
    ]
    notes = " ".join(case["summary"].notes)
    assert "hyperlinks.xlsx cannot hold macros, so it was left exactly as it is" in notes
    assert "work in hyperlinks.xlsm from now on" in notes
    assert not list((case["path"].parent / "backups").glob("hyperlinks-*.xlsm"))


def test_the_vba_project_names_the_workbooks_module_as_the_workbook_does(
    adopted: dict[str, dict[str, object]],
) -> None:
    """German Excel calls the workbook's document module DieseArbeitsmappe: the .xlsm copy's VBA project
    names it so (a module called ThisWorkbook would belong to nothing, and Excel would add a second
    one), and the Dashboard gets a code name of the workbook's kind that no sheet or module has."""
    written = adopted["de"]["written"]
    workbook, sheets = _code_names(written)
    assert workbook == "DieseArbeitsmappe"
    assert [n for n, k in declared_modules(_vba(written)).items() if k == "Document"] == ["DieseArbeitsmappe"]
    modules = _project_modules(written)
    assert modules["DieseArbeitsmappe"] == 'Attribute VB_Name = "DieseArbeitsmappe"'
    assert sorted(modules) == sorted(["DieseArbeitsmappe", "xlwings", "Dictionary", VBA_MODULE])
    assert (sheets["Kunden"], sheets["Rechnungen"], sheets[DASHBOARD]) == ("Tabelle1", "Tabelle2", "Tabelle3")
    # a workbook that states no code name gets Excel's English ones
    assert _code_names(adopted["xlsx"]["written"])[0] == "ThisWorkbook"
    assert _code_names(adopted["xlsx"]["written"])[1][DASHBOARD] == "Sheet4"


def test_the_run_button_runs_aging_in_the_adopted_copy_as_the_command_line_does(
    adopted: dict[str, dict[str, object]], tmp_path: Path
) -> None:
    source = adopted["de"]["written"]
    excel, file = tmp_path / "Forderungen Nov.xlsm", tmp_path / "by-file.xlsm"
    shutil.copyfile(source, excel)
    shutil.copyfile(source, file)
    with excel_double() as app:
        book = app.books.open(str(excel))
        book.names[INPUT_NAMES["operation"]].refers_to_range.value = "Recompute aging"
        book.names[INPUT_NAMES["as_of"]].refers_to_range.value = "2026-10-31"
        press(book, "Run")
        status = {k: book.names[n].refers_to_range.value for k, n in STATUS_NAMES.items()}
        book.save()
    assert status["result"] == "OK", status["message"]
    with FileBook(file) as book:
        run(book, "aging", as_of=dt.date(2026, 10, 31))
    with FileBook(excel, lock=False) as by_excel, FileBook(file, lock=False) as by_file:
        for name in ("Aging", "KPIs", "Invoices"):
            pd.testing.assert_frame_equal(by_excel.read(name), by_file.read(name), obj=name)
        aging = by_excel.read("Aging")
    assert aging["Total"].sum() == 1190_00 + 2380_50 + 595_00 - 119_00


def test_a_second_run_adds_nothing(adopted: dict[str, dict[str, object]], tmp_path: Path) -> None:
    path = Path(shutil.copyfile(adopted["xlsm"]["written"], tmp_path / "again.xlsm"))
    before = path.read_bytes()
    summary = init(path, dashboard=True)
    assert path.read_bytes() == before
    assert "again.xlsm already has the Dashboard; it was left as it is" in summary.notes


def test_what_would_go_wrong_is_refused_and_nothing_is_written(
    shared_dir: Path, adopted: dict[str, dict[str, object]], tmp_path: Path
) -> None:
    mine = tmp_path / "mine.xlsm"
    with zipfile.ZipFile(adopted["xlsm"]["before"]) as src, zipfile.ZipFile(mine, "w") as out:
        for info in src.infolist():  # the user's own sheet called Dashboard, in a workbook with VBA
            data = src.read(info)
            out.writestr(
                info,
                data.replace(b'name="LICENSE"', b'name="Dashboard"')
                if info.filename == "xl/workbook.xml"
                else data,
            )
    before = mine.read_bytes()
    with pytest.raises(
        UnsafeWorkbookError, match=r"your sheet 'Dashboard' has the Dashboard's name; rename it"
    ):
        init(mine, dashboard=True)
    assert mine.read_bytes() == before

    signed = Path(
        shutil.copyfile(
            shared_dir / "excel-samples" / "aspose_sampleCheckVbaProjectSigned.xlsm", tmp_path / "signed.xlsm"
        )
    )
    before = signed.read_bytes()
    with pytest.raises(UnsafeWorkbookError, match="VBA project is digitally signed"):
        init(signed, dashboard=True)
    assert signed.read_bytes() == before

    taken = Path(shutil.copyfile(adopted["xlsx"]["before"], tmp_path / "taken.xlsx"))
    (tmp_path / "taken.xlsm").write_bytes(b"mine")
    with pytest.raises(UnsafeWorkbookError, match=r"taken\.xlsm exists"):
        init(taken, dashboard=True)
    assert (tmp_path / "taken.xlsm").read_bytes() == b"mine"

    refused = Path(
        shutil.copyfile(
            shared_dir / "excel-samples" / "poi_ms-office-2010-signed.xlsx", tmp_path / "sig.xlsx"
        )
    )
    with pytest.raises(UnsafeWorkbookError, match="digital signature"):
        init(refused, dashboard=True)
    assert not (tmp_path / "sig.xlsm").exists()


MANIFEST = Path(__file__).resolve().parents[2] / "shared" / "excel-samples" / "MANIFEST.tsv"
SAMPLES = (
    [line.split("\t")[0] for line in MANIFEST.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    if MANIFEST.exists()
    else []
)
REFUSED = {  # what init refuses anyway (tests/test_adopt_samples.py), and a signed VBA project
    "poi_ms-office-2010-signed.xlsx": "digital signature",
    "poi_sample.strict.xlsx": "Strict Open XML",
    "poi_workbookProtection-user_range-2010.xlsx": "protected structure",
    "poi_xlmmacro.xlsm": "Excel 4 macro sheet",
    "xlwings_quickstart_addin_ribbon.xlam": "Excel add-in",
    "aspose_sampleCheckVbaProjectSigned.xlsm": "its VBA project is digitally signed",
}


@pytest.mark.slow
def test_every_sample_saved_by_excel_gets_the_button_or_a_reason(shared_dir: Path, tmp_path: Path) -> None:
    """Every workbook of ../shared/excel-samples: the Run button bound to ArbookRun, every part of the
    original byte for byte but the four arbook changes (and an .xlsm's VBA project), or the refusal.
    (An .xlsm of Excel for Mac, xlwings_integration_write.xlsm, has its VBA project in code page
    10000, Mac Roman.)"""
    assert len(SAMPLES) == 30
    for name in SAMPLES:
        path = Path(shutil.copyfile(shared_dir / "excel-samples" / name, tmp_path / name))
        if name in REFUSED:
            with pytest.raises(UnsafeWorkbookError, match=REFUSED[name]):
                init(path, dashboard=True)
            assert path.read_bytes() == (shared_dir / "excel-samples" / name).read_bytes(), name
            assert name.endswith(".xlsm") or not path.with_suffix(".xlsm").exists(), name
            path.unlink()
            continue
        init(path, dashboard=True)
        written = path.with_suffix(".xlsm")
        assert button_macros(written)[-1] == ("Run", RUN_MACRO), name
        assert macro_command(written, RUN_MACRO) == RUN, name
        before, after = _parts(shared_dir / "excel-samples" / name), _parts(written)
        vba = {"xl/vbaProject.bin"} if name.endswith(".xlsm") else set()
        assert {n for n in before if after.get(n) != before[n]} == CHANGED | vba, name
        # the workbook's code name names a document module; the Dashboard's names nothing else
        workbook, sheets = _stated_code_names(written)
        kinds = declared_modules(_vba(written))
        assert kinds[workbook] == "Document", name
        dashboard = sheets.pop()
        assert _stated_code_names(shared_dir / "excel-samples" / name)[1] == sheets, name
        assert re.fullmatch(r"[A-Za-z]+\d+", dashboard), name
        assert dashboard.casefold() not in {n.casefold() for n in (*sheets, *kinds)}, name
        for done in (path, written):
            done.unlink(missing_ok=True)


def test_a_dashboard_without_buttons_is_not_given_a_copy_that_cannot_run(tmp_path: Path) -> None:
    plain = tmp_path / "receivables.xlsx"
    new_workbook(plain)
    before = plain.read_bytes()
    with pytest.raises(UnsafeWorkbookError, match="has arbook's Dashboard without a Run button"):
        init(plain, dashboard=True)
    assert plain.read_bytes() == before and not (tmp_path / "receivables.xlsm").exists()


def test_without_the_option_init_offers_the_dashboard(tmp_path: Path, shared_dir: Path) -> None:
    path = Path(
        shutil.copyfile(shared_dir / "excel-samples" / "poi_ExcelWithHyperlinks.xlsx", tmp_path / "h.xlsx")
    )
    summary = init(path)
    assert summary.notes[-3] == (
        "for the Dashboard with its Run button: arbook init --dashboard h.xlsx (an .xlsx cannot hold macros: "
        "that writes h.xlsm beside it and leaves h.xlsx as it is)"
    )
    assert not (tmp_path / "h.xlsm").exists()


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_each_and_binds_the_button_to_the_macro_it_read(
    adopted: dict[str, dict[str, object]], lo_convert: Callable[..., None], tmp_path: Path
) -> None:
    lo_convert("ods", [case["written"] for case in adopted.values()], tmp_path)
    for key, case in adopted.items():
        with zipfile.ZipFile(tmp_path / case["written"].with_suffix(".ods").name) as zf:
            content = zf.read("content.xml").decode()
        assert 'form:label="Run"' in content, key
        assert f"vnd.sun.star.script:VBAProject.{VBA_MODULE}.{RUN_MACRO}" in content, key
        assert "Run an operation" in content and 'table:name="Dashboard"' in content, key
    # LibreOffice ties the workbook's document module to the code name the workbook states
    with zipfile.ZipFile(tmp_path / "Forderungen.ods") as zf:
        settings = zf.read("settings.xml").decode()
        library = zf.read("Basic/VBAProject/script-lb.xml").decode()
        module = zf.read("Basic/VBAProject/DieseArbeitsmappe.xml").decode()
    stated = dict(
        re.findall(
            r'config-item-map-entry config:name="([^"]+)"><config:config-item config:name="CodeName" '
            r'config:type="string">([^<]+)<',
            settings,
        )
    )
    assert stated == {
        "*doc*": "DieseArbeitsmappe",
        "Kunden": "Tabelle1",
        "Rechnungen": "Tabelle2",
        DASHBOARD: "Tabelle3",
    }
    assert 'script:moduleType="document"' in module
    assert sorted(re.findall(r'library:element library:name="([^"]+)"', library)) == sorted(
        ["DieseArbeitsmappe", "Dictionary", VBA_MODULE, "xlwings"]
    )


def test_the_dashboards_figures_keep_their_currencys_decimals(adopted: dict[str, dict[str, object]]) -> None:
    """The conditional formats that give a JPY figure no decimals and a KWD one three come along,
    pointing at formats appended to the workbook's own (its dxfs), not at the template's numbers."""
    for case in adopted.values():
        ws = openpyxl.load_workbook(case["written"])[DASHBOARD]
        shown = {
            rule.formula[0].split(",")[0]: rule.dxf.numFmt.formatCode
            for ranges in ws.conditional_formatting
            for rule in ranges.rules
        }
        assert shown == {
            'OR($C15="ADP"': "#,##0",
            'OR($C15="BHD"': "#,##0.000",
            'OR($C15="CLF"': "#,##0.0000",
            'OR($C27="ADP"': "#,##0",
            'OR($C27="BHD"': "#,##0.000",
            'OR($C27="CLF"': "#,##0.0000",
        }


@pytest.mark.parametrize(
    ("workbook", "sheet", "reason"),
    [
        (
            "ЭтаКнига",  # Russian Excel's name for the workbook; the template's project is in code page 1252
            "Лист1",
            r"the VBA project is written in code page 1252, which cannot spell the module name\(s\) ЭтаКнига "
            r"the workbook gives\. Nothing was written\. To go on: open it in Excel, add a module",
        ),
        (
            None,
            "xlwings",
            r"the code name\(s\) xlwings of your workbook or sheets are the names of the buttons'",
        ),
    ],
)
def test_a_code_name_the_vba_project_cannot_take_is_refused(
    tmp_path: Path, workbook: str | None, sheet: str, reason: str
) -> None:
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    if workbook:
        wb.code_name = workbook
    wb.active.sheet_properties.codeName = sheet
    wb.save(path)
    before = path.read_bytes()
    with pytest.raises(UnsafeWorkbookError, match=reason):
        init(path, dashboard=True)
    assert path.read_bytes() == before and not path.with_suffix(".xlsm").exists()
