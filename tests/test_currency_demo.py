"""The demo's figures across currencies, added up by hand from its Aging sheet.

The demo company bills in EUR, GBP and USD. After `aging`, a person reading the workbook adds
each currency's Aging Total column, converts each sum at the rate the Dashboard labels (1 EUR =
rate, with its date), rounds half away from zero to the cent and adds the results. The KPIs
table, the Dashboard (as LibreOffice computes its formulas) and the month-end report must show
exactly those figures. Everything is read from the files, not through arbook's reader.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest

import mailer
from arbook.runner import run
from tests.conftest import copy_demo
from workbook.filebook import FileBook
from workbook.template import DASHBOARD

CENT = Decimal("0.01")


def _table(ws) -> list[dict[str, object]]:
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def _exact(value: object) -> Decimal:
    """A number cell as the decimal it shows (the double nearest 1234.56 is 1234.56)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(int(value))  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory: pytest.TempPathFactory, lo_convert: Callable[..., None]):
    workbook, _, as_of = copy_demo(demo_template, tmp_path_factory.mktemp("fx-demo") / "demo")
    with FileBook(workbook) as book:
        assert run(book, "aging", as_of=as_of).ok
        assert run(
            book, "report", as_of=as_of, transport=mailer.OutboxTransport(workbook.parent / "outbox")
        ).ok
    out = workbook.parent / "recalculated"
    lo_convert("xlsx", workbook, out)
    return workbook, out / workbook.name, as_of


@pytest.fixture(scope="module")
def by_hand(demo) -> dict[str, tuple[Decimal, Decimal, dt.datetime, Decimal]]:
    """Per currency: the Aging sheet's Totals added, the Dashboard's labelled rate and its date,
    and the sum converted to EUR by hand."""
    workbook, recalculated, _ = demo
    aging = _table(openpyxl.load_workbook(workbook, data_only=True)["Aging"])
    sums: dict[str, Decimal] = {}
    for row in aging:
        sums[str(row["Currency"])] = sums.get(str(row["Currency"]), Decimal(0)) + _exact(row["Total"])
    ws = openpyxl.load_workbook(recalculated, data_only=True)[DASHBOARD]
    shown = [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_col=1, max_col=3) if r[0].value]
    out = {}
    for code, total in sums.items():
        at = shown.index((f"{code} open, as booked", float(total), code))
        label, rate, day = shown[at + 1]
        assert label == "  rate: 1 EUR ="
        out[code] = (total, _exact(rate), day, (total / _exact(rate)).quantize(CENT, ROUND_HALF_UP))
    return out


@pytest.mark.slow
def test_the_demo_books_three_currencies_with_rates_of_the_day_before(by_hand) -> None:
    assert {
        c: (str(total), str(rate), day.date().isoformat()) for c, (total, rate, day, _) in by_hand.items()
    } == {
        "EUR": ("466573.27", "1", "2026-10-31"),
        "GBP": ("56936.75", "0.87058", "2026-10-30"),
        "USD": ("94563.12", "1.1684", "2026-10-30"),
    }


def test_the_kpis_are_the_aging_sheet_added_and_converted_by_hand(demo, by_hand) -> None:
    workbook, _, _ = demo
    kpis = {r["Metric"]: r for r in _table(openpyxl.load_workbook(workbook, data_only=True)["KPIs"])}
    for code, (total, rate, day, converted) in by_hand.items():
        assert _exact(kpis[f"OpenAR {code}"]["Value"]) == total
        assert (_exact(kpis[f"Rate {code}"]["Value"]), kpis[f"Rate {code}"]["AsOf"]) == (rate, day)
        assert _exact(kpis[f"OpenAR {code} in EUR"]["Value"]) == converted
    assert _exact(kpis["OpenAR"]["Value"]) == sum(c for *_, c in by_hand.values()) == Decimal("612908.07")


def test_the_dashboard_shows_each_currency_and_their_sum_converted_by_hand(demo, by_hand) -> None:
    _, recalculated, _ = demo
    ws = openpyxl.load_workbook(recalculated, data_only=True)[DASHBOARD]
    shown = [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_col=1, max_col=3) if r[0].value]
    for code, (total, _, _, converted) in by_hand.items():
        at = shown.index((f"{code} open, as booked", float(total), code))
        assert shown[at + 2][0] == "  in EUR" and _exact(shown[at + 2][1]) == converted
    (key,) = [r for r in shown if str(r[0]).startswith("Open receivables, all")]
    assert key[0] == "Open receivables, all currencies in" and key[2] == "EUR"
    assert _exact(key[1]) == sum(c for *_, c in by_hand.values())


def _de(amount: Decimal, code: str) -> str:
    """An amount as the demo's German report writes it: 1.234,56 EUR (thousands by '.', decimals by ',')."""
    return f"{amount:,.2f}".translate(str.maketrans(",.", ".,")) + f" {code}"


def _de_rate(rate: Decimal) -> str:
    """A rate as the German report writes it, every decimal kept: 0,87058 (the demo's are below 1,000)."""
    assert rate < 1000
    return str(rate).replace(".", ",")


def test_the_report_shows_each_currency_its_rate_and_the_converted_total(demo, by_hand) -> None:
    """In the workbook's language (the demo's locale is de), numbers with thousands separated."""
    workbook, _, as_of = demo
    folder = workbook.parent / "reports" / f"month-end-{as_of.isoformat()}"
    text = (folder / "report.txt").read_text(encoding="utf-8").splitlines()
    total = sum(c for *_, c in by_hand.values())
    expected = [
        f"Offen {_de(amount, code)}"
        + (
            ""
            if code == "EUR"
            else f" zu {_de_rate(rate)} vom {day.date().isoformat()} = {_de(converted, 'EUR')}"
        )
        for code, (amount, rate, day, converted) in sorted(by_hand.items())
    ]
    assert [line for line in text if line.startswith(("Offen ", "Offene Forderungen"))] == [
        *expected,
        f"Offene Forderungen, alle Währungen in EUR: {_de(total, 'EUR')}",
    ]
    html = (folder / "report.html").read_text(encoding="utf-8")
    aging, by_currency = (
        html.split(">Altersstruktur<")[1].split("<h2")[0].split("Offene Forderungen nach Währung")
    )
    assert _cells(by_currency) == [
        *(
            [code, _de(amount, code), _de_rate(rate), day.date().isoformat(), _de(converted, "EUR")]
            for code, (amount, rate, day, converted) in sorted(by_hand.items())
        ),
        ["Alle Währungen", "", "", "", _de(total, "EUR")],
    ]
    assert _cells(aging)[-1][:2] == ["Summe", _de(total, "EUR")]


def _cells(html: str) -> list[list[str]]:
    """The cells of the HTML table rows in `html`, row by row (header rows have none)."""
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in html.split("<tr>")[1:]]
    return [row for row in rows if row]
