"""The cell codec (workbook.cells): every column kind written by every writer reads back as it was.

Writers: the FileBook (new tables, replaced and appended tables, computed columns rewritten in a
user's table), the template (xlsxwriter), the sample set's CSV files, and the Excel book (its
cells into a stand-in for an xlwings range that keeps values as Excel does, and the LiveBook
itself over the xlwings test double). Each is read back by the one
reader (workbook.convert). And the limits: what no Excel cell holds is refused, located, before
anything is written; the largest amount is exact in sums (aging through the real operation).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from arbook.runner import run
from common.errors import InputError, Problem
from common.values import MAX_AMOUNT_CENTS, MAX_TOTAL_CENTS
from macros.live import excel_cells
from sample_data.frames import TRUTH_COLUMNS, conform, conform_truth
from sample_data.generator import SampleCompany
from sample_data.store import load_company, save_company
from tests.xlsx_factory import TableSpec, build_book
from workbook.cells import MAX_CELL_TEXT, MAX_EXCEL_NUMBER, encode, encode_column
from workbook.contract import MAX_DAYS, table
from workbook.convert import frame_from_rows
from workbook.filebook import FileBook
from workbook.template import build_workbook

XML_ILLEGAL = "".join(chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
# files are slow to write: few examples, and no shrinking (a failing example is printed whole)
SETTLE = settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# -- values of every kind, as Book.read returns them ------------------------------------------------
texts = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=XML_ILLEGAL), max_size=24),
    st.sampled_from(["=SUM(A1)", "+1", "-", "@x", "00123", "_x0041_", "TRUE", "1/2", "a\nb", "Ümlaut 元"]),
).map(str.strip)  # the reader strips text, as people's cells carry stray spaces
dates = st.dates(dt.date(1900, 3, 1), dt.date(2200, 12, 31)).map(pd.Timestamp)
moments = st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2200, 12, 31)).map(
    lambda m: pd.Timestamp(m.replace(microsecond=0))
)


def _money(largest: int) -> st.SearchStrategy[int]:
    return st.integers(-largest, largest)


@st.composite
def tables(draw: st.DrawFn, n_min: int = 1) -> dict[str, pd.DataFrame]:
    """Customers (id, text, choice, int, money, bool), Invoices (id, date, money, bool, computed
    columns), MailLog (id, datetime, int, money, date, text), Credit (id, number, choice, sums)."""
    n = draw(st.integers(n_min, 6))
    ids = [f"C{i}" for i in range(n)]

    def column(strategy: st.SearchStrategy) -> list:
        return draw(st.lists(strategy, min_size=n, max_size=n))

    def blank_or(strategy: st.SearchStrategy) -> list:
        return column(st.one_of(st.none(), strategy))

    customers = pd.DataFrame(
        {
            "CustomerID": ids,
            "Name": [t or "x" for t in column(texts)],
            "Language": column(st.sampled_from(["", "en", "de", "fr", "zh"])),
            "PaymentTermsDays": pd.array(blank_or(st.integers(0, MAX_DAYS)), dtype="Int64"),
            "CreditLimit": pd.array(blank_or(_money(MAX_AMOUNT_CENTS).map(abs)), dtype="Int64"),
            "DunningBlocked": column(st.booleans()),
            "Address": column(texts),
        }
    )
    invoiced = column(dates)
    invoices = pd.DataFrame(
        {
            "InvoiceNo": [f"INV-{i}" for i in range(n)],
            "CustomerID": ids,
            "InvoiceDate": pd.Series(invoiced, dtype="datetime64[ns]"),
            "DueDate": pd.Series(
                [d + pd.Timedelta(days=k) for d, k in zip(invoiced, column(st.integers(0, 90)), strict=True)],
                dtype="datetime64[ns]",
            ),
            "Amount": pd.array(column(_money(MAX_AMOUNT_CENTS).filter(bool)), dtype="Int64"),
            "Disputed": column(st.booleans()),
        }
    )
    computed = pd.DataFrame(
        {
            "InvoiceNo": invoices["InvoiceNo"],
            "OpenAmount": pd.array(blank_or(_money(MAX_AMOUNT_CENTS)), dtype="Int64"),
            "Status": column(st.sampled_from(["", "Open", "Partial", "Paid", "Credit"])),
            "LastPaymentDate": pd.Series(blank_or(dates), dtype="datetime64[ns]"),
        }
    )
    mail = pd.DataFrame(
        {
            "MessageID": [f"<{t}@x>" for t in column(texts)],
            "At": pd.Series(column(moments), dtype="datetime64[ns]"),
            "Level": pd.array(blank_or(st.integers(-(2**53), 2**53)), dtype="Int64"),
            "Amount": pd.array(blank_or(_money(MAX_AMOUNT_CENTS)), dtype="Int64"),
            "AsOf": pd.Series(blank_or(dates), dtype="datetime64[ns]"),
            "Subject": column(texts),
        }
    )
    credit = pd.DataFrame(
        {
            "CustomerID": ids,
            "OpenAR": pd.array(blank_or(_money(MAX_TOTAL_CENTS)), dtype="Int64"),
            "Score": blank_or(st.floats(-MAX_EXCEL_NUMBER, MAX_EXCEL_NUMBER)),
            "Grade": column(st.sampled_from(["A", "B", "C", "D"])),
        }
    ).astype({"Score": "float64"})
    return {
        "Customers": customers,
        "Invoices": invoices,
        "computed": computed,
        "MailLog": mail,
        "Credit": credit,
    }


def assert_same(name: str, written: pd.DataFrame, read: pd.DataFrame) -> None:
    """Every written column reads back equal; numbers (scores, never money) to 15 significant digits
    (xlsxwriter writes 16, Excel shows 15)."""
    for column in written.columns:
        got, want = read[column].tolist(), written[column].tolist()
        if table(name).column(column).kind == "number":
            assert all(
                (pd.isna(a) and pd.isna(b)) or math.isclose(a, b, rel_tol=1e-15, abs_tol=1e-300)
                for a, b in zip(got, want, strict=True)
            ), (name, column, got, want)
        else:
            want = ["" if v is None else v for v in want] if read[column].dtype == object else want
            assert got == want, (name, column, got, want)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _settings_only(path: Path) -> Path:
    return build_book(path, [TableSpec("Settings", ["Key", "Value"], [["date_order", "dmy"]])])


# -- the round trips ------------------------------------------------------------------------------
@SETTLE
@given(first=tables(), second=tables())
def test_every_kind_round_trips_through_the_file_book(tmp_path_factory, first, second):
    path = _settings_only(tmp_path_factory.mktemp("filebook") / "Book.xlsx")
    with FileBook(path) as book:  # tables the workbook lacks: written new
        book.create("Customers", first["Customers"])
        book.create("Invoices", first["Invoices"])
        book.append("MailLog", first["MailLog"])
        book.replace("Credit", first["Credit"])
        book.commit("test", "new tables")
    with FileBook(path) as book:
        for name in ("Customers", "Invoices", "MailLog", "Credit"):
            assert_same(name, first[name], book.read(name))
        # tables that exist: computed columns rewritten in the user's rows, appended, replaced
        book.write_columns("Invoices", "InvoiceNo", first["computed"])
        book.append("MailLog", second["MailLog"])
        book.replace("Credit", second["Credit"])
        book.commit("test", "existing tables")
    with FileBook(path) as book:
        assert_same("Invoices", first["computed"], book.read("Invoices"))
        assert_same("Invoices", first["Invoices"], book.read("Invoices"))
        both = pd.concat([first["MailLog"], second["MailLog"]], ignore_index=True)
        assert_same("MailLog", both, book.read("MailLog"))
        assert_same("Credit", second["Credit"], book.read("Credit"))


@SETTLE
@given(frames=tables())
def test_every_kind_round_trips_through_the_template(tmp_path_factory, frames):
    path = tmp_path_factory.mktemp("template") / "Book.xlsx"
    invoices = frames["Invoices"].merge(frames["computed"], on="InvoiceNo")
    rows = {"Customers": frames["Customers"], "Invoices": invoices, "MailLog": frames["MailLog"]}
    build_workbook(path, rows={**rows, "Credit": frames["Credit"]})
    with FileBook(path) as book:
        for name, frame in {**rows, "Credit": frames["Credit"]}.items():
            assert_same(name, frame, book.read(name))


class ExcelRange:
    """A stand-in for an xlwings range, keeping values as Excel does: text after an apostrophe
    stays text (without the apostrophe), every number is a double, dates come back as datetimes."""

    def __init__(self) -> None:
        self._rows: list[list[object]] = []

    @property
    def value(self) -> list[list[object]]:
        return [list(r) for r in self._rows]

    @value.setter
    def value(self, rows: list[list[object]]) -> None:
        def kept(v: object) -> object:
            if isinstance(v, str):
                assert v.startswith("'"), f"text {v!r} would be typed into Excel, not kept"
                return v[1:]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return float(v)
            assert v is None or isinstance(v, dt.datetime), v
            return v

        self._rows = [[kept(v) for v in row] for row in rows]


@SETTLE
@given(frames=tables())
def test_every_kind_round_trips_through_excel_by_xlwings(frames):
    for name in ("Customers", "Invoices", "MailLog", "Credit"):
        frame = frames[name]
        decl = table(name)
        rows = list(range(2, 2 + len(frame)))
        cells = [excel_cells(encode_column(decl, c, frame[c], rows)) for c in frame.columns]
        target = ExcelRange()
        target.value = [list(r) for r in zip(*cells, strict=True)]
        read, problems = frame_from_rows(
            decl, list(frame.columns), target.value, first_row=2, header_row=1, date_order="dmy"
        )
        assert problems == []
        assert_same(name, frame, read)


@pytest.mark.slow
@SETTLE
@given(frames=tables())
def test_every_kind_round_trips_through_the_live_book_over_the_xlwings_double(tmp_path_factory, frames):
    from macros.live import LiveBook
    from tests.xlwings_double import excel_double

    # the double keeps its cells in openpyxl, which saves text like _x0041_ unescaped (Excel does
    # escape it); that text is the file book's test above
    assume(not any(isinstance(v, str) and "_x" in v for f in frames.values() for c in f for v in f[c]))
    path = tmp_path_factory.mktemp("live") / "Book.xlsx"
    build_workbook(path, rows={"Customers": frames["Customers"], "Invoices": frames["Invoices"]})
    with excel_double() as app:
        xlbook = app.books.open(str(path))
        book = LiveBook(xlbook)
        book.write_columns("Invoices", "InvoiceNo", frames["computed"])
        book.append("MailLog", frames["MailLog"])
        book.replace("Credit", frames["Credit"])
        book.commit("test", "every kind")  # the Excel book applies and saves what it staged here
        xlbook.close()
    with FileBook(path) as book:
        for name in ("MailLog", "Credit"):
            assert_same(name, frames[name], book.read(name))
        assert_same("Invoices", frames["computed"], book.read("Invoices"))


@SETTLE
@given(frames=tables())
def test_the_kinds_of_the_sample_set_round_trip_through_its_csv_files(tmp_path_factory, frames):
    empty = {name: conform(pd.DataFrame(), name) for name in ("Orders", "Allocations", "BankLines")}
    company = SampleCompany(
        customers=conform(frames["Customers"], "Customers"),
        invoices=conform(frames["Invoices"].merge(frames["computed"], on="InvoiceNo"), "Invoices"),
        orders=empty["Orders"],
        allocations=empty["Allocations"],
        bank_lines=conform(
            pd.DataFrame(
                {"Date": frames["MailLog"]["At"].dt.normalize(), "ImportedAt": frames["MailLog"]["At"]}
            ),
            "BankLines",
        ),
        truth=conform_truth(pd.DataFrame({c: [1] if c == "Amount" else ["x"] for c in TRUTH_COLUMNS})),
    )
    folder = tmp_path_factory.mktemp("store")
    save_company(company, folder)
    back = load_company(folder)
    for attr in ("customers", "invoices", "bank_lines"):
        pd.testing.assert_frame_equal(getattr(back, attr), getattr(company, attr))


# -- what no cell can hold ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bank_book(tmp_path_factory) -> Path:
    return build_book(
        tmp_path_factory.mktemp("limits") / "Bank.xlsx",
        [
            TableSpec(
                "BankLines", ["LineID", "Date", "Amount", "Memo"], [["L1", dt.date(2026, 11, 2), 10.5, "x"]]
            )
        ],
    )


def _lines(memo: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "LineID": ["L2", "L3"],
            "Date": pd.to_datetime(["2026-11-03", "2026-11-04"]),
            "Amount": pd.array([100, 200], dtype="Int64"),
            "Memo": ["fine", memo],
        }
    )


def test_a_text_longer_than_a_cell_is_refused_where_it_would_go_and_nothing_is_written(bank_book):
    before = _sha(bank_book)
    memo = "m" * 50_000_000  # the 50 MB memo a bank file once carried
    with FileBook(bank_book) as book:
        book.append("BankLines", _lines(memo))
        with pytest.raises(InputError) as refused:
            book.commit("import", "two lines")
    assert refused.value.problems == [
        Problem("BankLines", 4, "Memo", "a text of 50,000,000 characters; an Excel cell holds at most 32,767")
    ]
    assert str(refused.value).startswith(
        "BankLines: values that no Excel cell can hold: 1 problem(s); nothing"
    )
    assert _sha(bank_book) == before and not list(bank_book.parent.glob(".~arbook-*"))
    with pytest.raises(InputError):  # the Excel book refuses it before handing anything to Excel
        excel_cells(encode_column(table("BankLines"), "Memo", pd.Series(["x", memo], index=[7, 8])))


def test_a_text_of_exactly_a_cell_is_written_whole(bank_book, tmp_path):
    path = tmp_path / "Bank.xlsx"
    path.write_bytes(bank_book.read_bytes())
    memo = "€" * (MAX_CELL_TEXT - 1) + "x"
    with FileBook(path) as book:
        book.append("BankLines", _lines(memo))
        book.commit("import", "two lines")
    with FileBook(path) as book:
        assert book.read("BankLines")["Memo"].tolist() == ["x", "fine", memo]


@pytest.mark.parametrize(
    ("kind", "values", "problem"),
    [
        (
            "number",
            [1.5, float("inf")],
            "expected a number Excel holds (at most 9.99999999999999E+307), got inf",
        ),
        (
            "money",
            [1, MAX_AMOUNT_CENTS + 1],
            "beyond the largest amount arbook takes (expected at most 999,999,999.99 either way), got 1000000000.00",
        ),
        (
            "int",
            [1, 2**53 + 2],
            "expected a whole number of at most 9,007,199,254,740,992 either way, got 9007199254740994",
        ),
        (
            "date",
            [pd.Timestamp("1899-12-31")],
            "expected a date from 1900 on (Excel's first), got 1899-12-31",
        ),
        (
            "bool",
            ["Y", "maybe"],
            "expected yes or no (Y/N, ja/nein, oui/non, 是/否, TRUE/FALSE, WAHR/FALSCH, 1/0, x or ✓ for yes; "
            "blank is no), got 'maybe'",
        ),
    ],
)
def test_values_no_cell_holds_are_refused_with_their_place(kind, values, problem):
    series = pd.Series(values, index=range(10, 10 + len(values)), dtype=object)
    with pytest.raises(InputError) as refused:
        encode(series, kind, table="T", column="C")
    assert refused.value.problems == [Problem("T", 9 + len(values), "C", problem)]


def test_bool_is_y_or_n_for_every_writer():
    assert encode(pd.Series([True, False, None]), "bool", table="T", column="C").cells == ["Y", "N", "N"]


# -- the largest amount ----------------------------------------------------------------------------------
def test_an_amount_beyond_the_largest_is_refused_by_the_reader_where_it_is(tmp_path):
    path = build_book(
        tmp_path / "Big.xlsx",
        [
            TableSpec("Customers", ["CustomerID", "Name"], [["C1", "Acme"]]),
            TableSpec(
                "Invoices",
                ["InvoiceNo", "CustomerID", "InvoiceDate", "Amount"],
                [
                    ["I1", "C1", dt.date(2026, 1, 5), 999_999_999.99],
                    ["I2", "C1", dt.date(2026, 1, 6), 9.3e16],
                ],
            ),
        ],
    )
    with FileBook(path) as book, pytest.raises(InputError) as refused:
        book.read("Invoices")
    assert refused.value.problems == [
        Problem(
            "Invoices",
            3,
            "Amount",
            "beyond the largest amount arbook takes (expected at most 999,999,999.99 either way), got 9.3e+16",
        )
    ]


def test_aging_many_amounts_at_the_largest_gives_exact_totals(tmp_path):
    n, customers = 3000, ["A", "B", "C"]
    path = tmp_path / "Largest.xlsx"
    invoices = pd.DataFrame(
        {
            "InvoiceNo": [f"I{i}" for i in range(n)],
            "CustomerID": [customers[i % 3] for i in range(n)],
            "InvoiceDate": pd.Series(
                pd.Timestamp("2026-01-01") + pd.to_timedelta([i % 200 for i in range(n)], "D")
            ),
            "Amount": pd.array(
                [-MAX_AMOUNT_CENTS if i % 10 == 9 else MAX_AMOUNT_CENTS for i in range(n)], dtype="Int64"
            ),
        }
    )
    build_workbook(
        path,
        rows={"Customers": pd.DataFrame({"CustomerID": customers, "Name": customers}), "Invoices": invoices},
    )
    with FileBook(path) as book:
        run(book, "aging", as_of=dt.date(2026, 9, 30))
    with FileBook(path) as book:
        table_ = book.read("Aging").set_index("CustomerID")
        kpis = book.read("KPIs").set_index("Metric")["Value"]
        opened = book.read("Invoices")["OpenAmount"]
    expected = invoices.groupby("CustomerID")["Amount"].sum()
    assert {c: int(table_.loc[c, "Total"]) for c in customers} == {c: int(expected[c]) for c in customers}
    assert int(expected.sum()) == 2400 * MAX_AMOUNT_CENTS  # 2,700 invoices less 300 credit notes
    assert round(kpis["OpenAR"] * 100) == 2400 * MAX_AMOUNT_CENTS
    assert opened.tolist() == invoices["Amount"].tolist()
