"""`arbook init` on the trouble real workbooks bring: encryption, legacy .xls, names arbook wants that
the user already uses, a chartsheet, quoted sheet names, no calcPr; and a second init that must do nothing.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import msoffcrypto
import pandas as pd
import pytest
import xlsxwriter
from msoffcrypto.format.ooxml import OOXMLFile

from arbook.init import init
from common.errors import UnsafeWorkbookError
from tests.xlsx_factory import patch_part
from workbook.encryption import PASSWORD_VARIABLE, is_encrypted
from workbook.filebook import FileBook
from workbook.package import Package
from workbook.template import build_workbook


def _plain_book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Offene Posten")
    ws.write_row(0, 0, ["Beleg", "Betrag"])
    ws.write_row(1, 0, ["B-1", 10.5])
    wb.close()
    return path


def _encrypt(plain: Path, target: Path, password: str) -> Path:
    with open(plain, "rb") as src, open(target, "wb") as out:
        OOXMLFile(src).encrypt(password, out)
    return target


def _decrypt(path: Path, password: str, target: Path) -> Path:
    office = msoffcrypto.OfficeFile(open(path, "rb"))  # noqa: SIM115 - closed with the file object below
    office.load_key(password=password)
    with open(target, "wb") as out:
        office.decrypt(out)
    office.file.close()
    return target


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    return _encrypt(_plain_book(tmp_path / "plain.xlsx"), tmp_path / "Forderungen.xlsx", "Geheim-42")


def test_an_encrypted_workbook_without_a_password_is_refused_untouched(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    before = encrypted.read_bytes()
    with pytest.raises(
        UnsafeWorkbookError,
        match=f"encrypted with a password; give it in the environment variable {PASSWORD_VARIABLE}",
    ):
        init(encrypted)
    assert encrypted.read_bytes() == before


def test_a_wrong_password_is_refused_untouched(encrypted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_VARIABLE, "falsch")
    before = encrypted.read_bytes()
    with pytest.raises(UnsafeWorkbookError, match="does not open it"):
        init(encrypted)
    assert encrypted.read_bytes() == before


def test_an_encrypted_workbook_is_adopted_and_written_back_encrypted(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(PASSWORD_VARIABLE, "Geheim-42")
    original = encrypted.read_bytes()
    summary = init(encrypted)
    assert summary.figures["tables added"] == 16  # with CreditLimitLog
    assert "the changed workbook was encrypted again with the same password" in summary.notes
    assert is_encrypted(encrypted)
    plain = _decrypt(encrypted, "Geheim-42", tmp_path / "check.xlsx")
    with Package(plain) as pkg:
        assert [s.name for s in pkg.sheets][:1] == ["Offene Posten"]
        assert pkg.table("Settings") is not None and pkg.table("Audit") is not None
    backups = list((tmp_path / "backups").iterdir())
    assert [b.read_bytes() for b in backups] == [original]  # the backup is the encrypted original


def test_the_password_can_come_from_a_prompt(encrypted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    asked: list[str] = []
    init(encrypted, ask_password=lambda prompt: asked.append(prompt) or "Geheim-42")
    assert asked == ["Password to open Forderungen.xlsx: "]
    assert is_encrypted(encrypted)


@pytest.mark.slow
def test_a_legacy_xls_is_refused_with_how_to_convert_it(tmp_path: Path, soffice: str) -> None:
    source = _plain_book(tmp_path / "alt.xlsx")
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to",
            "xls",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    legacy = tmp_path / "out" / "alt.xls"
    disguised = tmp_path / "out" / "renamed.xlsx"
    disguised.write_bytes(legacy.read_bytes())
    for path in (legacy, disguised):
        before = path.read_bytes()
        with pytest.raises(
            UnsafeWorkbookError, match=r"legacy Excel 97-2003 \(\.xls\).*Save As.*--convert-to xlsx"
        ):
            init(path)
        assert path.read_bytes() == before


def _troubled_book(path: Path) -> Path:
    """Names arbook wants already in use, a chartsheet, a quoted sheet name, a hidden sheet."""
    wb = xlsxwriter.Workbook(str(path))
    report = wb.add_worksheet("Aging")  # the team's own aging report, not arbook's
    report.write_row(0, 0, ["Kunde", "0-30 Tage", "über 30"])
    report.write_row(1, 0, ["Müller", 100, 20])
    quoted = wb.add_worksheet("Q1 'Plan' & Co")
    quoted.write_row(0, 0, ["Monat", "Plan"])
    quoted.write_row(1, 0, ["Jan", 5])
    quoted.write_formula(2, 1, "=SUM('Q1 ''Plan'' & Co'!B2)")
    hidden = wb.add_worksheet("Hilfswerte")
    hidden.write(0, 0, "intern")
    hidden.hide()
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "='Q1 ''Plan'' & Co'!$B$2:$B$2"})
    forecast = wb.add_chartsheet("Forecast")  # a chartsheet named like an arbook table
    forecast.set_chart(chart)
    wb.close()
    patch_part(path, "xl/workbook.xml", lambda xml: re.sub(r"<calcPr[^>]*/>", "", xml))
    return path


@pytest.mark.slow
def test_names_already_in_use_keep_their_sheets_and_arbook_adds_its_own(tmp_path: Path, soffice: str) -> None:
    path = _troubled_book(tmp_path / "book.xlsx")
    with zipfile.ZipFile(path) as zf:
        original = {n: zf.read(n) for n in zf.namelist()}
    summary = init(path)
    assert any(
        "your sheet 'Aging' is not arbook's Aging table and keeps its name" in n for n in summary.notes
    )
    assert any("your chart sheet 'Forecast'" in n for n in summary.notes)
    with Package(path) as pkg:
        names = [s.name for s in pkg.sheets]
        assert names[:4] == ["Aging", "Q1 'Plan' & Co", "Hilfswerte", "Forecast"]
        assert "Aging (arbook)" in names and "Forecast (arbook)" in names
        assert pkg.table("Aging").sheet.name == "Aging (arbook)"
        workbook_xml = pkg.read("xl/workbook.xml").decode()
    assert re.search(r"</sheets><calcPr fullCalcOnLoad=\"1\"/>", workbook_xml)
    with zipfile.ZipFile(path) as zf:
        for part, data in original.items():
            if part not in (
                "[Content_Types].xml",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/styles.xml",
            ):
                assert zf.read(part) == data, part
    with FileBook(path) as book:
        book.replace("Aging", pd.DataFrame({"CustomerID": ["K1"], "Total": pd.array([500], dtype="Int64")}))
        book.commit("aging", "test")
        assert book.read("Aging")["Total"].tolist() == [500]
    assert pd.read_excel(path, sheet_name="Aging", engine="calamine").columns.tolist() == [
        "Kunde",
        "0-30 Tage",
        "über 30",
    ]
    out = tmp_path / "csv"
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (out / "book-Aging (arbook).csv").read_text(encoding="utf-8").splitlines() == [
        "CustomerID,Total",
        "K1,5",
    ]
    assert (out / "book-Aging.csv").read_text(encoding="utf-8").splitlines()[0] == "Kunde,0-30 Tage,über 30"


def test_an_excel_table_named_like_an_arbook_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Risk")
    ws.add_table("A1:B3", {"name": "Credit", "columns": [{"header": "Kunde"}, {"header": "Limit"}]})
    wb.close()
    before = path.read_bytes()
    with pytest.raises(
        UnsafeWorkbookError,
        match=r"the Excel Table Credit on sheet 'Risk' bears the name of arbook's "
        r"Credit table but not its columns .*Rename your table",
    ):
        init(path)
    assert path.read_bytes() == before


def test_a_defined_name_arbook_needs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Data").write(0, 0, 1)
    wb.define_name("KPIs", "=Data!$A$1")
    wb.close()
    with pytest.raises(UnsafeWorkbookError, match=r"the defined name KPIs is taken.*Name Manager"):
        init(path)


def test_a_second_init_changes_nothing_and_contract_tables_the_user_has_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Kundenstamm")
    ws.add_table(
        "A1:B2",
        {
            "name": "Customers",
            "columns": [{"header": "CustomerID"}, {"header": "Name"}],
            "data": [["C1", "Alpha"]],
        },
    )
    wb.close()
    first = init(path)
    assert "Customers" not in first.figures and first.figures["tables added"] == 15
    after_first = path.read_bytes()
    second = init(path)
    assert second.figures["tables added"] == 0
    assert second.notes == [  # nothing missing, but Invoices (added empty by the first init) is said aloud
        "book.xlsx already has every table arbook needs; nothing was written",
        "warning: Invoices has no rows, so arbook has nothing to work on. If your invoices are on a sheet of your "
        "own, run arbook init book.xlsx --suggest to have a Mapping proposed from its headings; otherwise enter "
        "them on the Invoices sheet",
    ]
    assert path.read_bytes() == after_first
    with FileBook(path) as book:
        assert book.read("Customers")["Name"].tolist() == ["Alpha"]


def test_a_workbook_made_by_arbook_new_needs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    build_workbook(path)
    before = path.read_bytes()
    summary = init(path, suggest=True)
    assert summary.figures == {"tables added": 0}
    assert path.read_bytes() == before
