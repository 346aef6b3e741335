"""Currencies: minor units per currency, the Rates table, the ECB's files, and converted totals.

The ECB files are real ones (tests/rates_real/, MANIFEST.tsv there): the daily eurofxref.csv
of 13 April 2026 as the ECB published it, and the first 31 lines of eurofxref-hist.csv of the
same day. Converted figures are checked by hand: amount / rate, rounded half away from zero to
the cent, per currency, then added.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arbook.rates import ecb_rates
from arbook.runner import run
from common.currency import Rates, convert, currency_digits, format_money
from common.errors import BankFileError, InputError
from common.values import cents_to_decimal, parse_amount_cents
from workbook.filebook import FileBook
from workbook.memorybook import MemoryBook
from workbook.template import build_workbook

REAL = Path(__file__).parent / "rates_real"
DAILY = REAL / "eurofxref.csv"
HISTORY = REAL / "eurofxref-hist-head.csv"
DAY = date(2026, 4, 13)


# -- minor units ---------------------------------------------------------------------------
def test_babel_gives_each_currency_its_decimals() -> None:
    assert [currency_digits(c) for c in ("EUR", "USD", "GBP", "JPY", "KWD", "BHD", "CLP")] == [
        2,
        2,
        2,
        0,
        3,
        3,
        0,
    ]
    assert format_money(156039500, "JPY") == "156039500 JPY"
    assert format_money(1234, "KWD") == "1.234 KWD"
    assert format_money(-4853043, "USD") == "-48530.43 USD"


def test_amounts_are_read_in_the_minor_units_of_their_currency() -> None:
    assert parse_amount_cents("1.234", digits=3) == 1234  # KWD: the lone mark is the decimal mark
    assert parse_amount_cents("1,234", digits=3) == 1234
    assert parse_amount_cents("1.560.395", digits=0) == 1560395  # JPY
    assert parse_amount_cents(1560395.0, digits=0) == 1560395
    with pytest.raises(
        ValueError, match=r"expected a whole amount \(the currency has no decimals\), got 12.5"
    ):
        parse_amount_cents("12.5", digits=0)
    with pytest.raises(ValueError, match=r"expected at most 3 decimals, got 1\.2345"):
        parse_amount_cents("1.2345", digits=3)


@given(st.integers(-99_999_999_999, 99_999_999_999), st.sampled_from([0, 2, 3]))
def test_minor_units_survive_text_and_back(minor: int, digits: int) -> None:
    text = f"{cents_to_decimal(minor, digits):.{digits}f}"
    assert parse_amount_cents(text, digits=digits, decimal_comma=False) == minor


@pytest.fixture(scope="module")
def multi_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real workbook with JPY and KWD customers (their invoices leave Currency blank) and a EUR one."""
    path = tmp_path_factory.mktemp("units") / "Book.xlsx"
    build_workbook(
        path,
        rows={
            "Customers": pd.DataFrame(
                {
                    "CustomerID": ["J", "K", "E"],
                    "Name": ["Jp KK", "Kw WLL", "Eu GmbH"],
                    "Currency": ["JPY", "KWD", ""],
                }
            ),
            "Invoices": pd.DataFrame(
                {
                    "InvoiceNo": ["J1", "K1", "E1"],
                    "CustomerID": ["J", "K", "E"],
                    "InvoiceDate": pd.to_datetime(["2026-03-02"] * 3),
                    "Amount": pd.array([1_560_395, 1_234, 1_234], dtype="Int64"),
                }
            ),
        },
    )
    return path


def test_a_workbook_keeps_yen_whole_and_dinars_to_the_fils(multi_book: Path) -> None:
    from python_calamine import CalamineWorkbook

    cells = CalamineWorkbook.from_path(str(multi_book)).get_sheet_by_name("Invoices").to_python()
    amount = cells[0].index("Amount")
    assert [row[amount] for row in cells[1:4]] == [1560395.0, 1.234, 12.34]
    with FileBook(multi_book, lock=False) as book:
        assert book.read("Invoices")["Amount"].tolist() == [1_560_395, 1_234, 1_234]


# -- the Rates table -----------------------------------------------------------------------
def rates_frame(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": pd.to_datetime([r[0] for r in rows]),
            "Currency": [r[1] for r in rows],
            "Rate": [r[2] for r in rows],
        }
    )


def test_the_latest_rate_on_or_before_the_day_applies_within_its_age() -> None:
    rates = Rates(
        rates_frame(("2026-04-10", "USD", 1.1711), ("2026-04-13", "USD", 1.1684)), base="EUR", max_age_days=7
    )
    assert rates.rate("USD", date(2026, 4, 12)).value == Decimal("1.1711")  # Sunday: Friday's rate
    assert rates.rate("USD", date(2026, 4, 20)).value == Decimal("1.1684")
    assert rates.rate("EUR", date(2000, 1, 1)).value == 1
    with pytest.raises(InputError) as refused:
        rates.rate("USD", date(2026, 4, 21))
    assert refused.value.problems[0].message.startswith(
        "no USD rate for 2026-04-21: expected one dated on or at most 7 days before it "
        "(the latest before it is of 2026-04-13); add a row to Rates"
    )
    with pytest.raises(InputError) as refused:
        rates.rate("GBP", DAY)
    assert "no GBP rate for 2026-04-13" in refused.value.problems[0].message
    assert "(there is none)" in refused.value.problems[0].message


def test_a_conversion_is_rounded_once_half_away_from_zero() -> None:
    rates = Rates(
        rates_frame((str(DAY), "USD", 1.1684), (str(DAY), "JPY", 186.75)), base="EUR", max_age_days=7
    )
    usd, eur, jpy = rates.rate("USD", DAY), rates.rate("EUR", DAY), rates.rate("JPY", DAY)
    assert convert(4_853_043, usd, eur) == 4_153_580  # 48,530.43 / 1.1684 = 41,535.8011 EUR
    assert convert(-4_853_043, usd, eur) == -4_153_580
    assert convert(1_560_395, jpy, eur) == 835_553  # 1,560,395 yen / 186.75 = 8,355.5288 EUR
    assert convert(100_00, eur, jpy) == 18_675  # 100 EUR = 18,675 yen
    assert convert(100_00, usd, jpy) == 15_983  # 100 / 1.1684 x 186.75 = 15,983.40 yen


def test_two_different_rates_for_one_day_are_refused() -> None:
    with pytest.raises(InputError) as refused:
        Rates(rates_frame((str(DAY), "USD", 1.1684), (str(DAY), "USD", 1.17)), base="EUR", max_age_days=7)
    assert (
        refused.value.problems[0].message
        == "expected one USD rate on 2026-04-13, rows 0, 1 give 1.1684, 1.17"
    )


# -- the ECB's files -----------------------------------------------------------------------
def test_the_ecb_daily_file_is_read_as_published() -> None:
    found = ecb_rates(DAILY.read_bytes(), DAILY.name)
    assert len(found) == 29 and set(found["Date"]) == {DAY}
    rate = found.set_index("Currency")["Rate"]
    assert (rate["USD"], rate["JPY"], rate["GBP"], rate["ZAR"]) == (
        Decimal("1.1684"),
        Decimal("186.75"),
        Decimal("0.87058"),
        Decimal("19.3849"),
    )


def test_the_ecb_history_skips_na_and_reads_every_day() -> None:
    found = ecb_rates(HISTORY.read_bytes(), HISTORY.name)
    assert sorted(set(found["Date"]))[0] == date(2026, 2, 27) and sorted(set(found["Date"]))[-1] == DAY
    assert found["Date"].nunique() == 30
    assert len(found) == 30 * 29  # 29 currencies quoted on each day, the 12 retired ones N/A (BGN since 2026)
    usd = found[found["Currency"] == "USD"].set_index("Date")["Rate"]
    assert usd[date(2026, 2, 27)] == Decimal("1.1805") and usd[DAY] == Decimal("1.1684")
    assert "CYP" not in set(found["Currency"])


def test_a_zip_is_read_like_its_csv() -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as zf:
        zf.writestr("eurofxref-hist.csv", HISTORY.read_bytes())
    assert ecb_rates(packed.getvalue(), "eurofxref-hist.zip").equals(ecb_rates(HISTORY.read_bytes(), "x.csv"))


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            b"Datum;USD\n2026-04-13;1.1\n",
            1,
            'not the ECB\'s reference rates: expected a header "Date, USD, JPY, ..."',
        ),
        (b"Date,USD,XYZ,\n", 1, "expected ISO 4217 currency codes in the header, got 'XYZ'"),
        (b"Date,USD,\n2026-04-13,1.1684,\n2026-04-12,-1,\n", 3, "expected a positive USD rate, got '-1'"),
        (
            b"Date,USD,\n13/04/2026,1.1684,\n",
            2,
            "expected a date such as 2024-11-28 or \"28 November 2024\", got '13/04/2026'",
        ),
        (b"Date,USD,JPY,\n2026-04-13,1.1684\n", 2, "expected 2 rates after the date, got 1"),
    ],
)
def test_a_file_that_is_not_the_ecb_layout_is_refused_with_its_line(
    text: bytes, line: int, reason: str
) -> None:
    with pytest.raises(BankFileError) as refused:
        ecb_rates(text, "rates.csv")
    assert (refused.value.line, refused.value.reason) == (line, reason)


def book_with(rates: pd.DataFrame | None = None, base: str = "EUR") -> MemoryBook:
    tables = {
        "Settings": pd.DataFrame({"Key": ["base_currency"], "Value": [base], "Description": [""]}),
        "Customers": pd.DataFrame(
            {
                "CustomerID": ["E", "U", "G", "J", "K"],
                "Name": ["Euro GmbH", "Dollar Inc", "Pound Ltd", "Yen KK", "Dinar WLL"],
                "Currency": ["EUR", "USD", "GBP", "JPY", "KWD"],
                "PaymentTermsDays": pd.array([30] * 5, dtype="Int64"),
            }
        ),
        "Invoices": pd.DataFrame(
            {
                "InvoiceNo": ["E1", "U1", "G1", "J1", "K1"],
                "CustomerID": ["E", "U", "G", "J", "K"],
                "InvoiceDate": pd.to_datetime(["2026-03-02"] * 5),
                "Amount": pd.array([1_000_00, 4_853_043, 5_070_884, 1_560_395, 1_234], dtype="Int64"),
            }
        ),
    }
    tables["BankLines"] = pd.DataFrame(
        {"LineID": ["B1"], "Date": pd.to_datetime(["2026-03-05"]), "Amount": pd.array([10_00], dtype="Int64")}
    )
    if rates is not None:
        tables["Rates"] = rates
    return MemoryBook(tables)


def test_import_rates_takes_the_currencies_the_book_uses_and_keeps_the_users_rows() -> None:
    mine = rates_frame((str(DAY), "USD", 1.17), (str(DAY), "KWD", 0.359)).assign(Source="typed")
    book = book_with(mine)
    summary = run(book, "import-rates", files=[HISTORY, DAILY])
    assert summary.figures["currencies used"] == "GBP, JPY, KWD, USD"
    # GBP, JPY, USD on the 29 days from the first invoice (2026-03-02) on; the typed USD row stays
    assert summary.figures["new rows"] == 3 * 29 - 1
    assert summary.figures["first day"] == "2026-03-02" and summary.figures["last day"] == "2026-04-13"
    assert summary.notes == [
        "the files have no rate of KWD: add those by hand to Rates",
        "USD 2026-04-13: kept the Rates table's 1.17, the file says 1.1684",
    ]
    table = book.read("Rates")
    assert len(table) == 2 + 86
    gbp = table[(table["Currency"] == "GBP") & (table["Date"] == pd.Timestamp(DAY))]
    assert gbp["Rate"].tolist() == [0.87058] and gbp["Source"].tolist() == ["ECB eurofxref-hist-head.csv"]
    again = run(book, "import-rates", files=[HISTORY])
    assert again.figures["new rows"] == 0 and "nothing new: the workbook was not written" in again.notes


def test_with_another_base_currency_each_rate_goes_through_the_euro_of_its_day() -> None:
    book = book_with(base="GBP")
    run(book, "import-rates", files=[DAILY])
    rate = book.read("Rates").set_index("Currency")["Rate"]
    assert rate["EUR"] == pytest.approx(1.148659514, abs=1e-10)  # 1 / 0.87058 = 1.1486595143..., 10 digits
    assert rate["USD"] == pytest.approx(1.342093777, abs=1e-10)  # 1.1684 / 0.87058
    assert rate["JPY"] == pytest.approx(214.5121643, abs=1e-7)  # 186.75 / 0.87058


# -- converted totals ------------------------------------------------------------------------
RATES_OF_THE_DAY = pd.DataFrame(
    {
        "Date": pd.to_datetime([DAY] * 4),
        "Currency": ["USD", "GBP", "JPY", "KWD"],
        "Rate": [1.1684, 0.87058, 186.75, 0.3590],  # the ECB's of 13 April 2026; KWD typed by hand
        "Source": ["ECB", "ECB", "ECB", "typed"],
    }
)


def test_a_five_currency_book_aged_with_rates_adds_up_by_hand() -> None:
    book = book_with(RATES_OF_THE_DAY)
    summary = run(book, "aging", as_of=DAY)
    assert {k: v for k, v in summary.figures.items() if k.startswith("open AR")} == {
        "open AR EUR": "1000.00 EUR",
        "open AR GBP": "50708.84 GBP",
        "open AR JPY": "1560395 JPY",
        "open AR KWD": "1.234 KWD",
        "open AR USD": "48530.43 USD",
        # 1000.00 + 58247.19 (50708.84 / 0.87058) + 8355.53 (1560395 / 186.75)
        # + 3.44 (1.234 / 0.3590) + 41535.80 (48530.43 / 1.1684)
        "open AR in EUR": "109141.96 EUR",
    }
    aging = book.read("Aging").set_index("CustomerID")
    assert aging["Currency"].to_dict() == {"E": "EUR", "G": "GBP", "J": "JPY", "K": "KWD", "U": "USD"}
    assert aging["Total"].to_dict() == {
        "E": 1_000_00,
        "G": 5_070_884,
        "J": 1_560_395,
        "K": 1_234,
        "U": 4_853_043,
    }
    kpis = book.read("KPIs").set_index("Metric")
    assert kpis.loc["OpenAR", "Value"] == 109141.96 and kpis.loc["OpenAR", "Unit"] == "EUR"
    assert kpis.loc["OpenAR USD", "Value"] == 48530.43 and kpis.loc["OpenAR USD", "Unit"] == "USD"
    assert kpis.loc["Rate USD", "Value"] == 1.1684 and kpis.loc["Rate USD", "AsOf"] == pd.Timestamp(DAY)
    assert kpis.loc["OpenAR USD in EUR", "Value"] == 41535.80
    assert kpis.loc["OpenAR JPY in EUR", "Value"] == 8355.53
    in_eur = [kpis.loc[f"OpenAR {c} in EUR", "Value"] for c in ("EUR", "GBP", "JPY", "KWD", "USD")]
    assert round(sum(in_eur), 2) == 109141.96


def test_the_forecast_gives_each_currency_as_booked_and_a_first_block_converted_by_hand() -> None:
    """The same five invoices, all due within the first week: one block per currency as booked,
    and a first block in EUR whose week is the five converted as in the aging (109,141.96 EUR)."""
    book = book_with(RATES_OF_THE_DAY)
    assert (
        run(book, "forecast", as_of=DAY).figures["expected in EUR (all currencies converted)"]
        == "109141.96 EUR"
    )
    forecast = book.read("Forecast")
    week = forecast[forecast["Period"] == "W01 2026-04-14"].set_index(["Currency", "Basis"])["Expected"]
    assert week.to_dict() == {
        ("EUR", "converted"): 1_000_00 + 58_247_19 + 8_355_53 + 3_44 + 41_535_80,  # as in the aging above
        ("EUR", "booked"): 1_000_00,
        ("GBP", "booked"): 5_070_884,
        ("JPY", "booked"): 1_560_395,
        ("KWD", "booked"): 1_234,
        ("USD", "booked"): 4_853_043,
    }
    assert (forecast.loc[forecast["Period"] != "W01 2026-04-14", "Expected"] == 0).all()  # nor in any other
    assert forecast["Basis"].iloc[0] == "converted"  # the first 13 rows, the Dashboard's chart, are in EUR


def test_a_missing_rate_is_refused_naming_the_currency_and_the_day() -> None:
    book = book_with(RATES_OF_THE_DAY[RATES_OF_THE_DAY["Currency"] != "GBP"])
    with pytest.raises(InputError) as refused:
        run(book, "aging", as_of=DAY)
    assert [p.message.split(":")[0] for p in refused.value.problems] == ["no GBP rate for 2026-04-13"]
    assert book.read("Aging").empty  # nothing was written


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_dashboard_lists_each_currency_booked_its_rate_and_converted(
    tmp_path: Path, lo_convert: Callable[..., None]
) -> None:
    import openpyxl

    from arbook.new import DASHBOARD_KPIS
    from workbook.template import DASHBOARD

    memory = book_with(RATES_OF_THE_DAY)
    path = tmp_path / "Book.xlsx"
    build_workbook(
        path,
        rows={name: memory.read(name) for name in ("Customers", "Invoices", "Rates", "BankLines")},
        kpis=DASHBOARD_KPIS,
    )
    with FileBook(path) as book:
        run(book, "aging", as_of=DAY)
    lo_convert("xlsx", path, tmp_path / "out")
    ws = openpyxl.load_workbook(tmp_path / "out" / path.name, data_only=True)[DASHBOARD]
    shown = [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_col=1, max_col=3) if r[0].value]
    by_currency = shown[shown.index(("Open receivables by currency", None, None)) + 2 :]
    when = dt.datetime(2026, 4, 13)
    assert by_currency == [
        ("EUR open, as booked", 1000, "EUR"),
        ("  rate: 1 EUR =", 1, when),  # the base itself
        ("  in EUR", 1000, "EUR"),
        ("GBP open, as booked", 50708.84, "GBP"),
        ("  rate: 1 EUR =", 0.87058, when),
        ("  in EUR", 58247.19, "EUR"),
        ("JPY open, as booked", 1560395, "JPY"),
        ("  rate: 1 EUR =", 186.75, when),
        ("  in EUR", 8355.53, "EUR"),
        ("KWD open, as booked", 1.234, "KWD"),
        ("  rate: 1 EUR =", 0.359, when),
        ("  in EUR", 3.44, "EUR"),
        ("USD open, as booked", 48530.43, "USD"),
        ("  rate: 1 EUR =", 1.1684, when),
        ("  in EUR", 41535.8, "EUR"),
    ]
    # the key figure is the sum of the "in EUR" lines, to the cent
    assert [r for r in shown if str(r[0]).startswith("Open receivables, all")] == [
        ("Open receivables, all currencies in", 109141.96, "EUR")
    ]
    beside = {r[0].value: r[1].value for r in ws.iter_rows(min_col=23, max_col=24) if r[0].value}
    assert beside["Current"] == 0 and beside["120+"] == 0  # EUR rows only: E1 (due 2026-04-01) is 1-30
    assert beside["1-30"] == 1000


# -- a payment in another currency -----------------------------------------------------------
def crossing_book(line_cents: int, *, approved: bool = True) -> MemoryBook:
    """A USD invoice of 1,000.00 and a EUR bank line, its proposal approved by the clerk (or,
    not `approved`, no Matches yet)."""
    tables = {
        "Customers": pd.DataFrame({"CustomerID": ["U"], "Name": ["Dollar Inc"], "Currency": ["USD"]}),
        "Invoices": pd.DataFrame(
            {
                "InvoiceNo": ["U1"],
                "CustomerID": ["U"],
                "InvoiceDate": pd.to_datetime(["2026-04-01"]),
                "Amount": pd.array([1_000_00], dtype="Int64"),
            }
        ),
        "BankLines": pd.DataFrame(
            {
                "LineID": ["B1"],
                "Date": pd.to_datetime([DAY]),
                "Amount": pd.array([line_cents], dtype="Int64"),
                "Currency": ["EUR"],
                "Payer": ["DOLLAR INC"],
                "Memo": ["U1"],
            }
        ),
        "Matches": pd.DataFrame(
            {
                "MatchID": ["M1"],
                "LineID": ["B1"],
                "InvoiceNo": ["U1"],
                "CustomerID": ["U"],
                "Amount": pd.array([line_cents], dtype="Int64"),
                "Currency": ["EUR"],
                "Kind": ["payment"],
                "Score": [70.0],
                "Decision": ["suggested"],
                "Reason": ["invoice in another currency"],
                "Approve": ["Y"],
                "Status": ["pending"],
            }
        ),
        "Rates": RATES_OF_THE_DAY,
    }
    if not approved:
        del tables["Matches"]
    return MemoryBook(tables)


def test_a_eur_payment_of_a_usd_invoice_posts_in_usd_with_its_exchange_difference() -> None:
    book = crossing_book(850_00)
    summary = run(book, "post", as_of=DAY)
    assert summary.ok and summary.figures["exchange differences"] == 1
    assert summary.figures["amount posted"] == "850.00 EUR"  # the line's money, in its currency
    # 850.00 EUR x 1.1684 = 993.14 USD at the table's rate; the invoice's 1,000.00 less that is fx
    assert summary.notes == [
        "Matches M1 (line B1) posted across currencies on U1: paid 850.00 EUR for 1000.00 USD: "
        "1.176471 USD per EUR, the Rates table's of 2026-04-13 1.168400 (0.69 % apart); worth "
        "993.14 USD at that rate, exchange difference (fx) 6.86 USD"
    ]
    rows = book.read("Allocations")[["InvoiceNo", "Amount", "Currency", "Kind", "LineAmount", "LineCurrency"]]
    assert rows.astype(object).where(rows.notna(), None).values.tolist() == [
        ["U1", 993_14, "USD", "payment", 850_00, "EUR"],
        ["U1", 6_86, "USD", "fx", None, ""],
    ]
    assert book.read("BankLines")["Status"].tolist() == ["Matched"]
    aged = run(book, "aging", as_of=DAY)
    assert aged.figures["open items"] == 0  # payment + fx settle the invoice to the cent
    from arbook.rates import book_rates
    from arbook.report.figures import ReportData, plain, report_figures
    from receivables import Ledger

    ledger = Ledger(
        *(book.read(name) for name in ("Invoices", "Allocations", "Customers")),
        as_of=DAY,
        rates=book_rates(book),
    )
    frames = {
        name: book.read(name)
        for name in ("BankLines", "Matches", "BankStatements", "Credit", "Forecast", "MailLog", "Audit")
    }
    report = report_figures(ReportData(ledger, *frames.values(), settings=book.settings()))
    assert {
        k: v for k, v in plain(report.headline, "EUR").items() if k.startswith(("Money", "Exchange"))
    } == {
        "Money applied (auto)": "0.00 EUR",
        "Money applied (approved)": "993.14 USD",  # in the invoice's currency, as posted
        "Exchange differences (fx)": "6.86 USD",
    }


def test_match_posts_a_named_payment_in_another_currency_itself_as_post_would() -> None:
    book = crossing_book(850_00, approved=False)  # 0.69 % from the table's rate: within the 1 % tolerance
    summary = run(book, "match", as_of=DAY)
    assert summary.figures["auto-posted amount"] == "850.00 EUR"
    columns = ["InvoiceNo", "Amount", "Currency", "Kind", "LineAmount", "LineCurrency", "Method"]
    rows = book.read("Allocations")[columns]
    assert rows.astype(object).where(rows.notna(), None).values.tolist() == [
        ["U1", 993_14, "USD", "payment", 850_00, "EUR", "auto"],
        ["U1", 6_86, "USD", "fx", None, "", "auto"],
    ]
    assert book.read("BankLines")["Status"].tolist() == ["Matched"]
    assert run(book, "aging", as_of=DAY).figures["open items"] == 0


def test_a_payment_worth_more_than_the_invoice_posts_a_gain_as_negative_fx() -> None:
    book = crossing_book(860_00)  # 860.00 x 1.1684 = 1,004.82 USD for 1,000.00 open
    run(book, "post", as_of=DAY)
    rows = book.read("Allocations")
    assert rows["Amount"].tolist() == [1_004_82, -4_82] and rows["Kind"].tolist() == ["payment", "fx"]


def test_a_payment_in_another_currency_without_a_rate_is_not_posted_and_says_why() -> None:
    book = crossing_book(850_00)
    without_usd = RATES_OF_THE_DAY[RATES_OF_THE_DAY["Currency"] != "USD"]
    book = MemoryBook(
        {name: book.read(name) for name in ("Customers", "Invoices", "BankLines", "Matches")}
        | {"Rates": without_usd}
    )
    summary = run(book, "post", as_of=DAY)
    assert not summary.ok and book.read("Allocations").empty
    assert summary.notes[0].startswith(
        "Matches M1 (line B1) not posted: no USD rate for 2026-04-13: expected one dated on or at most 7 days before it"
    )
