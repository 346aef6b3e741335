"""The template builder: every contract table as an Excel Table, typed cells, text never a formula."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from arbook.new import DASHBOARD_KPIS, build_book
from common.errors import ArbookError
from common.values import MAX_TOTAL_CENTS, parse_amount_cents
from workbook.contract import SETTINGS, TABLES, Settings
from workbook.filebook import FileBook
from workbook.template import DASHBOARD, STATUS_NAMES, build_workbook

INJECTIONS = ["=1+1", '=HYPERLINK("http://evil.example","x")', "+SUM(A1:A2)", "-2+3", "@cmd"]


def _aging_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "CustomerID": ["C1", "C2", "00042"],
            "Name": ["Acme GmbH", INJECTIONS[0], INJECTIONS[1]],
            "Currency": ["EUR", "EUR", "EUR"],
            "Current": pd.array([10000, 5000, 0], dtype="Int64"),
            "1-30": pd.array([20000, 0, 1], dtype="Int64"),
            "31-60": pd.array([0, 30000, 0], dtype="Int64"),
            "61-90": pd.array([5000, 0, -250], dtype="Int64"),
            "91-120": pd.array([0, 0, 0], dtype="Int64"),
            "120+": pd.array([123456, 0, None], dtype="Int64"),
            "Overdue": pd.array([148456, 30000, -249], dtype="Int64"),
            "OldestDueDate": pd.to_datetime(["2026-01-05", "2026-02-01", None]),
        }
    )


def _forecast_rows(weeks: int = 13) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Period": [f"W{k:02d}" for k in range(1, weeks + 1)],
            "Expected": pd.array([100_000 * k + 1 for k in range(1, weeks + 1)], dtype="Int64"),
        }
    )


def _kpi_rows() -> pd.DataFrame:
    return pd.DataFrame({"Metric": ["DSO", "CEI"], "Value": [38.25, 87.3], "Unit": ["days", "%"]})


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "book.xlsx"
    build_book(path)
    return path


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "filled.xlsx"
    customers = pd.DataFrame(
        {
            "CustomerID": ["100999", "C2"],
            "Name": ["Müller & Söhne", INJECTIONS[2]],
            "CreditLimit": pd.array([5_000_000, None], dtype="Int64"),
            "DunningBlocked": [True, False],
            "PaymentTermsDays": pd.array([30, 14], dtype="Int64"),
            "Language": ["de", "zh"],
        }
    )
    settings_rows = pd.DataFrame({"Key": ["company_name", "my_own_key"], "Value": ["Beispiel AG", "x"]})
    build_book(
        path,
        rows={
            "Aging": _aging_rows(),
            "Forecast": _forecast_rows(),
            "KPIs": _kpi_rows(),
            "Customers": customers,
            "settings": settings_rows,
        },
    )
    return path


def test_every_contract_table_is_an_excel_table_with_exactly_its_columns(plain: Path) -> None:
    wb = openpyxl.load_workbook(plain)
    assert wb.sheetnames == [DASHBOARD] + [t.name for t in TABLES]
    for table in TABLES:
        ws = wb[table.name]
        assert list(ws.tables.keys()) == [table.name]
        ref = ws.tables[table.name].ref
        assert ref.startswith("A1:")
        header = [c.value for c in ws[1]]
        assert header == table.column_names
        assert ws.freeze_panes == "A2"
        widths = {i: d.width for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}
        for i, col in enumerate(table.columns, 1):
            assert col.width <= widths[i] < col.width + 1, (table.name, col.name, widths[i])


def test_an_empty_table_keeps_one_blank_row(plain: Path) -> None:
    wb = openpyxl.load_workbook(plain)
    ws = wb["Invoices"]
    # 16 columns: DiscountTerms the 11th, ApplyTo and WriteOff last
    assert ws.tables["Invoices"].ref == "A1:P2"
    assert all(c.value is None for c in ws[2])


def test_validation_lists_on_every_choice_and_bool_column(plain: Path) -> None:
    wb = openpyxl.load_workbook(plain)
    for table in TABLES:
        if table.name == "Settings":
            continue
        ws = wb[table.name]
        lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
        expected = {}
        for i, col in enumerate(table.columns, 1):
            choices = ("Y", "N") if col.kind == "bool" else col.choices
            if choices:
                expected[f"{openpyxl.utils.get_column_letter(i)}2"] = '"' + ",".join(choices) + '"'
        assert lists == expected, table.name


def test_default_settings_are_written_as_people_type_them(plain: Path) -> None:
    ws = openpyxl.load_workbook(plain)["Settings"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == [s.key for s in SETTINGS]
    values = {r[0]: r[1] for r in rows}
    assert values["aging_buckets"] == "30,60,90,120"
    assert values["fee_tolerance"] == "15.00"
    assert values["statement_min_balance"] == "0.01"
    assert values["amount_tolerance"] == "0.00"
    assert values["smtp_starttls"] == "yes"
    assert values["late_interest"] == "no"
    assert values["smtp_port"] == "587"
    assert values["match_auto_threshold"] == "90"
    assert values["base_currency"] == "EUR"
    assert values["company_name"] is None and values["report_recipients"] is None  # no default: blank
    assert all(isinstance(v, str) for v in values.values() if v is not None)
    dvs = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    row_of = {r[0]: i for i, r in enumerate(rows, 2)}
    assert dvs[f"B{row_of['date_order']}"] == '"dmy,mdy"'
    assert dvs[f"B{row_of['late_interest']}"] == '"yes,no"'


def test_given_rows_are_typed_and_text_stays_text(filled: Path) -> None:
    wb = openpyxl.load_workbook(filled)
    aging = wb["Aging"]
    assert aging.tables["Aging"].ref == "A1:M4"
    row = {c.column_letter: c for c in aging[4]}
    assert (row["A"].value, row["A"].data_type) == ("00042", "s")
    assert (row["B"].value, row["B"].data_type) == (INJECTIONS[1], "s")
    assert (row["E"].value, row["E"].number_format) == (0.01, "#,##0.00")
    assert row["G"].value == -2.5
    assert row["I"].value is None
    assert aging["I2"].value == 1234.56
    assert aging["M2"].value.date().isoformat() == "2026-01-05"
    assert aging["M2"].number_format == "yyyy-mm-dd"
    customers = wb["Customers"]
    header = [c.value for c in customers[1]]
    first = dict(zip(header, [c.value for c in customers[2]], strict=True))
    assert first["CustomerID"] == "100999"
    assert first["CreditLimit"] == 50000
    assert first["DunningBlocked"] == "Y"
    assert first["PaymentTermsDays"] == 30
    second = dict(zip(header, [c.value for c in customers[3]], strict=True))
    assert (
        second["Name"] == INJECTIONS[2] and second["DunningBlocked"] == "N" and second["CreditLimit"] is None
    )
    settings_values = {r[0].value: r[1].value for r in wb["Settings"].iter_rows(min_row=2)}
    assert settings_values["company_name"] == "Beispiel AG"
    assert settings_values["my_own_key"] == "x"
    assert settings_values["base_currency"] == "EUR"
    assert wb["Credit"]["I2"].number_format == "0.0%"  # Utilization, after Name and Currency


def test_no_cell_outside_the_dashboard_is_a_formula(filled: Path) -> None:
    wb = openpyxl.load_workbook(filled)
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} = {cell.value!r}"


def test_dashboard_formulas_look_up_kpis_by_metric_and_status_names_exist(plain: Path) -> None:
    wb = openpyxl.load_workbook(plain)
    ws = wb[DASHBOARD]
    formulas = [c.value for row in ws.iter_rows() for c in row if c.data_type == "f"]
    for metric, _label in DASHBOARD_KPIS:
        assert f'=IFERROR(INDEX(KPIs[Value],MATCH("{metric}",KPIs[Metric],0)),"")' in formulas
    assert (
        "=IF(COLUMNS(Aging)-7>1,SUMIF(INDEX(Aging,0,3),$Z$1,INDEX(Aging,0,5)),0)" in formulas
    )  # 1-30, by position
    assert sorted(wb.defined_names.keys()) == sorted(STATUS_NAMES.values())
    assert len(ws._charts) == 3


def test_dashboard_looks_up_the_metrics_arbook_computes() -> None:
    from receivables import kpi, no_rates

    day = pd.Timestamp("2026-06-30")
    aged = pd.DataFrame(
        {"OpenAmount": pd.array([1000], dtype="Int64"), "DaysOverdue": [5], "Disputed": [False]}
    )
    invoices = pd.DataFrame(
        {"InvoiceDate": [day - pd.Timedelta(days=20)], "Amount": pd.array([1000], dtype="Int64")}
    )
    history = pd.DataFrame({"Amount": pd.array([], dtype="Int64"), "DaysLate": pd.array([], dtype="float64")})
    table = kpi.kpi_table(
        aged, aged, invoices, history, as_of=day.date(), period_days=90, rates=no_rates(base="EUR")
    )
    assert {m for m, _ in DASHBOARD_KPIS} <= set(table["Metric"])


def test_calamine_reads_it(filled: Path) -> None:
    book = CalamineWorkbook.from_path(str(filled))
    assert book.sheet_names == [DASHBOARD] + [t.name for t in TABLES]
    rows = book.get_sheet_by_name("Aging").to_python()
    assert rows[0] == [c.name for c in TABLES[7].columns]
    assert rows[1][:5] == ["C1", "Acme GmbH", "EUR", 100.0, 200.0]


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(min_value=-MAX_TOTAL_CENTS, max_value=MAX_TOTAL_CENTS), min_size=1, max_size=40))
def test_money_round_trips_to_the_cent(tmp_path_factory: pytest.TempPathFactory, cents: list[int]) -> None:
    path = tmp_path_factory.mktemp("money") / "m.xlsx"
    build_workbook(path, rows={"Forecast": pd.DataFrame({"Expected": pd.array(cents, dtype="Int64")})})
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Forecast").to_python()[1:]
    assert [parse_amount_cents(r[3], largest=MAX_TOTAL_CENTS) for r in rows] == cents  # after Currency, Basis


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(ArbookError, match=r"must be \.xlsm"):
        build_workbook(tmp_path / "a.xlsx", macro_enabled=True)
    with pytest.raises(ArbookError, match=r"must be \.xlsx"):
        build_workbook(tmp_path / "a.xlsm")
    with pytest.raises(ValueError, match="Nonsense"):
        build_workbook(tmp_path / "b.xlsx", rows={"Nonsense": pd.DataFrame()})
    with pytest.raises(ValueError, match="Colour"):
        build_workbook(tmp_path / "c.xlsx", rows={"Aging": pd.DataFrame({"Colour": ["red"]})})


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_recomputes_the_dashboard_over_grown_tables(
    filled: Path, lo_convert: Callable[..., None], tmp_path: Path
) -> None:
    lo_convert("xlsx", filled, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / filled.name, data_only=True)[DASHBOARD]
    beside = {row[0].value: row[1].value for row in ws.iter_rows(min_col=23, max_col=24) if row[0].value}
    buckets = ("Current", "1-30", "31-60", "61-90", "91-120", "120+")
    assert [beside[b] for b in buckets] == [150, 200.01, 300, 47.5, 0, 1234.56]
    assert beside["W13"] == 13000.01
    kpis = {
        row[0].value: (row[1].value, row[2].value)
        for row in ws.iter_rows(min_col=1, max_col=3)
        if row[0].value
    }
    assert kpis["DSO (count-back)"] == (38.25, "days")
    assert kpis["Collection effectiveness (%)"] == (87.3, "%")
    assert kpis["DSO (simple)"] == (None, None)  # IFERROR(...,"") for a metric not yet computed


@pytest.mark.libreoffice
@pytest.mark.poppler
def test_libreoffice_prints_the_dashboard_with_its_three_charts(
    filled: Path, lo_convert: Callable[..., None], pdftotext: str, tmp_path: Path
) -> None:
    lo_convert("pdf", filled, tmp_path)
    first_page = subprocess.run(
        [pdftotext, "-f", "1", "-l", "1", str(tmp_path / "filled.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for text in (
        "arbook: customer receivables",
        "Aging by bucket",
        "Cash-in forecast, 13 weeks",
        "Top 10 overdue customers",
        "Acme GmbH",  # a label of the top-10 chart: the largest overdue amount
        "38.25",
        "87.30",
        "W13",
    ):
        assert text in first_page


def test_the_file_reader_reads_back_what_was_built(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    aging = _aging_rows()
    invoices = pd.DataFrame(
        {
            "InvoiceNo": ["INV-001", "00042"],
            "CustomerID": ["C1", "C1"],
            "InvoiceDate": pd.to_datetime(["2026-10-01", "2026-10-15"]),
            "Amount": pd.array([123456, -5000], dtype="Int64"),
            "Disputed": [False, True],
            "Reference": ["=cmd|' /C calc'!A0", ""],
        }
    )
    customers = pd.DataFrame(
        {"CustomerID": ["C1"], "Name": ["Acme"], "PaymentTermsDays": pd.array([14], dtype="Int64")}
    )
    build_workbook(path, rows={"Aging": aging, "Invoices": invoices, "Customers": customers})
    with FileBook(path, lock=False) as book:
        assert book.settings() == Settings()  # every declared default
        back = book.read("Aging")
        for column in aging.columns:
            assert back[column].tolist() == aging[column].tolist(), column
        assert back.index.tolist() == [2, 3, 4]
        inv = book.read("Invoices")
        assert inv["InvoiceNo"].tolist() == ["INV-001", "00042"]
        assert inv["Amount"].tolist() == [123456, -5000]
        assert inv["Disputed"].tolist() == [False, True]
        assert inv["Reference"].tolist() == ["=cmd|' /C calc'!A0", ""]
        assert book.read("Matches").empty and book.read("BankLines").empty


@pytest.mark.libreoffice
@pytest.mark.slow
def test_the_aging_chart_follows_other_bucket_settings(
    lo_convert: Callable[..., None], tmp_path: Path
) -> None:
    """aging_buckets = 30,60 makes a narrower Aging table; the chart data finds buckets by position."""
    path = tmp_path / "buckets.xlsx"
    build_workbook(path)
    money = lambda *cents: pd.array(cents, dtype="Int64")  # noqa: E731
    with FileBook(path) as book:
        book.replace(
            "Aging",
            pd.DataFrame(
                {
                    "CustomerID": ["C1", "C2"],
                    "Name": ["A", "B"],
                    "Currency": ["EUR", "EUR"],
                    "Current": money(100, 200),
                    "1-30": money(1, 2),
                    "31-60": money(0, 5),
                    "60+": money(700, 0),
                    "Total": money(801, 207),
                    "Overdue": money(701, 7),
                    "AvgDaysLate": [1.0, 2.0],
                    "OldestDueDate": pd.to_datetime(["2026-01-01", None]),
                }
            ),
        )
        book.commit("test", "narrower aging")
    lo_convert("xlsx", path, tmp_path / "out")
    ws = openpyxl.load_workbook(tmp_path / "out" / path.name, data_only=True)[DASHBOARD]
    chart_data = [
        (r[0].value, r[1].value) for r in ws.iter_rows(min_row=3, max_row=8, min_col=23, max_col=24)
    ]
    assert chart_data == [("Current", 3), ("1-30", 0.03), ("31-60", 0.05), ("60+", 7), (None, 0), (None, 0)]


def test_hold_rows_and_overdue_buckets_stay_highlighted_as_the_tables_grow(tmp_path: Path) -> None:
    import openpyxl

    from workbook.filebook import FileBook

    path = tmp_path / "Book.xlsx"
    build_workbook(path)
    from workbook.contract import table

    credit = pd.DataFrame({c: [""] * 50 for c in table("Credit").column_names})
    credit["CustomerID"] = [f"C{i}" for i in range(50)]
    credit["Action"] = ["Hold", "Review", "OK", "OK", "OK"] * 10
    with FileBook(path) as book:
        book.replace("Credit", credit)
        book.commit("test", "grow Credit to 50 rows")
    sheet = openpyxl.load_workbook(path)["Credit"]
    rules = {str(rng): [r.formula for r in rs] for rng, rs in sheet.conditional_formatting._cf_rules.items()}
    # the whole row, ActionReason (column P) included; Action is column O after Currency
    assert rules == {"<ConditionalFormatting A2:P51>": [['$O2="Hold"'], ['$O2="Review"']]}
    aging = openpyxl.load_workbook(path)["Aging"]
    assert sorted(str(r.sqref) for r in aging.conditional_formatting) == [
        "E2:I2",
        "K2",
    ]  # the buckets and Overdue, after Currency
