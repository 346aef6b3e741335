"""Property tests: the vectorised column parsers agree with common.values, CSVs round-trip,
and LineIDs stay stable across overlapping statements while identical twins stay apart."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.errors import BankFileError
from common.values import parse_amount_cents, parse_date
from matching.importers import line_ids, parse_bank_bytes
from matching.importers.columns import amount_column, column_date_order, column_decimal_comma, date_column
from matching.importers.csv_rows import row_kind
from matching.importers.mt940_details import parse_details


def _line(pos: int) -> int:
    return pos + 2


def _format_amount(cents: int, decimal_comma: bool, grouped: bool, decimals: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    text = f"{whole:,}" if grouped else str(whole)
    point, thousands = (",", ".") if decimal_comma else (".", ",")
    text = text.replace(",", thousands)
    if decimals:
        text += point + f"{frac:02d}"[:decimals]
    return sign + text


amounts = st.integers(min_value=-(10**13), max_value=10**13)


@given(st.lists(amounts, min_size=1, max_size=30), st.booleans(), st.booleans(), st.sampled_from([0, 1, 2]))
def test_fast_amounts_equal_parse_amount_cents(
    values: list[int], comma: bool, grouped: bool, decimals: int
) -> None:
    texts = [_format_amount(v, comma, grouped, decimals) for v in values]
    decided = column_decimal_comma(texts, "Amount", "p.csv", _line)
    try:
        got = amount_column(texts, "Amount", "p.csv", _line).tolist()
    except BankFileError as exc:  # then common.values refuses the same cell
        bad = texts[exc.line - 2]
        with pytest.raises(ValueError):
            parse_amount_cents(bad, decimal_comma=decided)
        return
    assert got == [parse_amount_cents(t, decimal_comma=decided) for t in texts]
    if decimals == 2:
        assert got == values


@given(st.text(alphabet="0123456789.,-+ ()€$'", min_size=1, max_size=12))
def test_any_single_amount_text_reads_as_common_values_reads_it(text: str) -> None:
    try:
        decided = column_decimal_comma([text.strip()], "Amount", "p.csv", _line)
    except BankFileError:  # one cell cannot contradict itself
        raise AssertionError(text) from None
    try:
        expected = parse_amount_cents(text.strip(), decimal_comma=decided) if text.strip() else None
    except ValueError:
        with pytest.raises(BankFileError, match="line 2: column Amount"):
            amount_column([text.strip()], "Amount", "p.csv", _line)
        return
    got = amount_column([text.strip()], "Amount", "p.csv", _line).iloc[0]
    assert (None if pd.isna(got) else int(got)) == expected


def test_a_cell_holding_a_line_break_does_not_split_the_column() -> None:
    # The whole-column fast path joins cells with "\n"; a cell holding one must not become two.
    texts = ["1\n2", "3,50", "4"]
    got = amount_column(texts, "Amount", "p.csv", _line, decimal_comma=True).tolist()
    assert got == [parse_amount_cents(t, decimal_comma=True) for t in texts] == [1200, 350, 400]


def test_a_bad_date_is_reported_at_the_first_line_that_holds_it() -> None:
    texts = ["01.11.2026", "31.02.2026", "02.11.2026", "31.02.2026"]
    with pytest.raises(BankFileError, match=r"line 3: column Date: expected a real date, got '31.02.2026'"):
        date_column(texts, "Date", "p.csv", _line, "dmy")
    mixed = ["03/11/2026", "11/30/2026", "03/11/2026", "30/11/2026"]
    with pytest.raises(BankFileError, match=r"line 5: column Date has day-first and month-first dates"):
        date_column(mixed, "Date", "p.csv", _line, "dmy")


_DATE_WRITERS = {
    "iso": lambda d: d.isoformat(),
    "dotted": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "dotted unpadded": lambda d: f"{d.day}.{d.month}.{d.year}",
    "dmy slash": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "mdy slash unpadded": lambda d: f"{d.month}/{d.day}/{d.year}",
    "dmy dash": lambda d: f"{d.day}-{d.month}-{d.year}",
    "compact": lambda d: d.strftime("%Y%m%d"),
    "two-digit year": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}",
}


@given(
    st.lists(
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)), min_size=1, max_size=20
    ),
    st.sampled_from(sorted(_DATE_WRITERS)),
    st.sampled_from(["dmy", "mdy"]),
)
def test_fast_dates_equal_parse_date(days: list[dt.date], style: str, order: str) -> None:
    texts = [_DATE_WRITERS[style](d) for d in days]
    column_order = column_date_order(texts, "Date", "p.csv", _line, order)
    got = [d.date() for d in date_column(texts, "Date", "p.csv", _line, order)]
    assert got == [parse_date(t, date_order=column_order) for t in texts]
    if style.startswith("mdy"):
        assert got == days or column_order == "dmy"  # only when no cell proved month-first
    else:
        assert got == days or (style.startswith("dmy") and column_order == "mdy")


def _not_a_label(text: str) -> bool:
    """A payer or memo cell that is exactly a balance or total label ("Celkem", "Summe") marks a
    summary row by design (matching.importers.csv_rows.row_kind): such cells are not round-trip data."""
    return row_kind(None, (text,)) == "movement"


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüßABCXYZ0123456789-", min_size=1, max_size=8)
transactions = st.lists(
    st.tuples(
        st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
        st.integers(min_value=-(10**9), max_value=10**9).filter(bool),
        st.lists(words, min_size=1, max_size=3).map(" ".join).filter(_not_a_label),
        st.lists(words, min_size=0, max_size=4).map(" ".join).filter(_not_a_label),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    transactions,
    st.sampled_from([";", ",", "\t"]),
    st.booleans(),
    st.sampled_from(["utf-8", "cp1252", "utf-16"]),
    st.sampled_from(
        [
            ("Date", "Amount", "Payer", "Memo"),
            ("Buchungstag", "Betrag", "Auftraggeber", "Verwendungszweck"),
            ("交易日期", "金额", "对方户名", "摘要"),
        ]
    ),
)
def test_csv_round_trip(rows, delimiter: str, comma: bool, encoding: str, header) -> None:
    if header[0] == "交易日期" and encoding == "cp1252":
        encoding = "gb18030"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for day, cents, payer, memo in rows:
        writer.writerow([day.strftime("%d.%m.%Y"), _format_amount(cents, comma, True, 2), payer, memo])
    lines = parse_bank_bytes(out.getvalue().encode(encoding), "rt.csv", date_order="dmy").lines
    assert lines["Date"].dt.date.tolist() == [r[0] for r in rows]
    assert lines["Amount"].tolist() == [r[1] for r in rows]
    assert lines["Payer"].tolist() == [r[2] for r in rows]
    assert lines["Memo"].tolist() == [r[3] for r in rows]


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Account": "DE00 1234",
            "Date": pd.to_datetime([r[0] for r in rows]),
            "Amount": pd.array([r[1] for r in rows], dtype="Int64"),
            "BankRef": "",
            "Memo": [r[3] for r in rows],
        }
    )


@given(transactions, st.data())
def test_line_ids_stable_across_overlapping_statements(rows, data) -> None:
    rows = sorted([*rows, rows[0]], key=lambda r: r[0])  # at least one identical twin on the same day
    days = sorted({r[0] for r in rows})
    cut_a = data.draw(st.integers(0, len(days) - 1))
    cut_b = data.draw(st.integers(0, cut_a))
    first = [r for r in rows if r[0] <= days[cut_a]]
    second = [r for r in rows if r[0] >= days[cut_b]]
    whole = set(line_ids(_frame(rows)))
    assert len(whole) == len(rows)  # twins do not collapse
    assert set(line_ids(_frame(first))) | set(line_ids(_frame(second))) == whole


def test_line_id_ignores_whitespace_and_account_spacing() -> None:
    a = _frame([(dt.date(2026, 11, 3), 500, "", "Rechnung  4711\n danke")])
    b = a.assign(Account="DE001234", Memo="Rechnung 4711 danke")
    assert line_ids(a).tolist() == line_ids(b).tolist()
    assert line_ids(a).iloc[0] != line_ids(a.assign(Amount=pd.array([501], dtype="Int64"))).iloc[0]


@pytest.mark.parametrize(
    "raw,extra,expected",
    [
        (
            "166?00GUTSCHRIFT?20EREF+INV-4711?21SVWZ+Rechnung INV-4711 vom?2201.11.2026?32MUSTERMANN GMBH",
            "",
            ("MUSTERMANN GMBH", "Rechnung INV-4711 vom 01.11.2026", "INV-4711"),
        ),
        (
            "051?00Gutschrift?20RECHNUNG 123456789012345678?21890?32AUGUST MEYER ANET?33TE MEYER",
            "",
            ("AUGUST MEYER ANET TE MEYER", "RECHNUNG 123456789012345678890", ""),
        ),
        (
            "/EREF/NOTPROVIDED/ORDP//NAME/Bedrijf B.V./REMI/USTD//FACTUUR 2026-001/",
            "",
            ("Bedrijf B.V.", "FACTUUR 2026-001", ""),
        ),
        (
            "Betaling factuur 88\nvolgens afspraak",
            "Jansen BV",
            ("Jansen BV", "Betaling factuur 88 volgens afspraak", ""),
        ),
    ],
)
def test_mt940_details_shapes(raw: str, extra: str, expected: tuple[str, str, str]) -> None:
    d = parse_details(raw, extra)
    assert (d.payer, d.memo, d.ref) == expected


_SEEDS = [
    b"Date;Amount;Memo\n01.11.2026;1.234,56;x\n",
    b":20:S\n:25:DE1\n:28C:1\n:60F:C261101EUR1,00\n:61:2611011101C5,00NTRFNONREF\n:86:166?20SVWZ+x?32Y\n:62F:C261101EUR6,00\n",
    b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>'
    b'<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-01</Dt></BookgDt></Ntry>'
    b"</Stmt></BkToCstmrStmt></Document>",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_SEEDS), st.lists(st.tuples(st.integers(0, 400), st.binary(max_size=3)), max_size=4))
def test_damaged_files_are_read_or_refused_never_crash(seed: bytes, edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(seed)
    for at, chunk in edits:
        at = min(at, len(data))
        data[at : at + len(chunk)] = chunk
    try:
        bank = parse_bank_bytes(bytes(data), "fuzz", date_order="dmy")
    except BankFileError as exc:
        assert exc.file == "fuzz" and exc.reason
        return
    assert bank.lines.columns[0] == "LineID" and bank.lines["Amount"].notna().all()
