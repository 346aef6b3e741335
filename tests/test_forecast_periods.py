"""Forecast: expected dates from payment history, weeks then months, Low <= Expected <= High."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from receivables import (
    FORECAST_COLUMNS,
    expected_receipts,
    forecast_periods,
    forecast_table,
    no_rates,
    open_items,
    payment_history,
)

AS_OF = date(2026, 6, 30)
INVOICES = pd.DataFrame(
    {
        "InvoiceNo": ["P1", "P2", "P3", "P4", "A1", "A2", "AD", "AC", "B1", "C1", "A9"],
        "CustomerID": ["A", "A", "A", "B", "A", "A", "A", "A", "B", "C", "A"],
        "InvoiceDate": pd.to_datetime(["2025-12-01"] * 4 + ["2026-06-01"] * 7),
        "DueDate": pd.to_datetime(
            [
                "2026-01-01",
                "2026-01-01",
                "2026-01-01",
                "2026-02-01",
                "2026-07-05",
                "2026-06-01",
                "2026-06-01",
                None,
                "2026-07-10",
                "2026-06-15",
                "2027-12-01",
            ]
        ),
        "Amount": pd.array(
            [100_00, 100_00, 100_00, 300_00, 1_000_00, 500_00, 999_00, -50_00, 2_000_00, 700_00, 50_00],
            dtype="Int64",
        ),
        "Disputed": [False] * 6 + [True] + [False] * 4,
        "PromiseDate": pd.to_datetime([None] * 9 + ["2026-09-10", None]),
    },
    index=range(2, 13),
)
ALLOC = pd.DataFrame(
    {
        "LineID": ["L1", "L2", "L3", "L4"],
        "InvoiceNo": ["P1", "P2", "P3", "P4"],
        "CustomerID": ["A", "A", "A", "B"],
        "Amount": pd.array([100_00, 100_00, 300_00 // 3, 300_00], dtype="Int64"),
        "PaymentDate": pd.to_datetime(
            ["2026-01-05", "2026-01-11", "2026-01-17", "2026-03-13"]
        ),  # 4, 10, 16, 40 late
        "Kind": ["payment"] * 4,
    }
)


def receipts() -> pd.DataFrame:
    items = open_items(INVOICES, ALLOC, as_of=AS_OF, base="EUR")
    return expected_receipts(
        items, payment_history(INVOICES, ALLOC, as_of=AS_OF, base="EUR"), as_of=AS_OF, min_payments=3
    )


def test_periods_weeks_then_months_then_later() -> None:
    p = forecast_periods(AS_OF, 12)
    assert p["Period"].tolist()[:2] == ["W01 2026-07-01", "W02 2026-07-08"]
    # the one day of September after week 13 is labelled as that day, not "2026-09-30..09-30"
    assert p["Period"].tolist()[12:16] == ["W13 2026-09-23", "2026-09-30", "2026-10", "2026-11"]
    assert p["Period"].tolist()[-2:] == ["2027-06", "after 2027-06-30"]
    later = forecast_periods(AS_OF - pd.Timedelta(days=6), 12)  # week 13 ends on 2026-09-23
    assert later["Period"].tolist()[12:14] == ["W13 2026-09-17", "2026-09-24..09-30"]
    assert (p["Start"].iloc[1:].to_numpy() - p["End"].iloc[:-1].to_numpy() == pd.Timedelta(days=1)).all()


def test_expected_dates_and_windows() -> None:
    r = receipts().set_index("InvoiceNo")
    # disputed AD, credit AC and paid P* are not receipts to forecast
    assert sorted(r.index) == ["A1", "A2", "A9", "B1", "C1"]
    # A: 3 payments 4/10/16 days late -> +10 days, spread sqrt(24) -> 5 days
    assert r.loc["A1", ["ExpectedDate", "EarlyDate", "LateDate"]].tolist() == [
        pd.Timestamp("2026-07-15"),
        pd.Timestamp("2026-07-10"),
        pd.Timestamp("2026-07-20"),
    ]
    # B has one payment only: company average (4+10+16)x100 + 40x300 over 600 = 25 days, spread sqrt(237) -> 15
    assert r.loc["B1", ["ExpectedDate", "EarlyDate", "LateDate"]].tolist() == [
        pd.Timestamp("2026-08-04"),
        pd.Timestamp("2026-07-20"),
        pd.Timestamp("2026-08-19"),
    ]
    # C promised 10 September
    assert r.loc["C1", "ExpectedDate"] == pd.Timestamp("2026-09-10")


def test_forecast_table_buckets_and_band() -> None:
    table = forecast_table(receipts(), forecast_periods(AS_OF, 12), rates=no_rates(base="EUR"), as_of=AS_OF)
    assert list(table.columns) == FORECAST_COLUMNS
    t = table.set_index("Period")
    week = [f"W{k:02d}" for k in range(1, 14)]
    by_week = t.iloc[:13]
    assert dict(zip(week, by_week["Expected"], strict=True)) == {
        **dict.fromkeys(week, 0),
        "W01": 500_00,
        "W03": 1_000_00,
        "W05": 2_000_00,
        "W11": 700_00,
    }
    assert dict(zip(week, by_week["Low"], strict=True)) == {**dict.fromkeys(week, 0), "W01": 500_00}
    assert dict(zip(week, by_week["High"], strict=True)) == {
        "W01": 500_00,
        "W02": 1_000_00,
        "W03": 3_000_00,
        "W04": 2_000_00,
        "W05": 2_000_00,
        "W06": 2_000_00,
        "W07": 2_000_00,
        "W08": 2_000_00,
        "W09": 700_00,
        "W10": 700_00,
        "W11": 700_00,
        "W12": 700_00,
        "W13": 700_00,
    }
    assert dict(zip(week, by_week["Invoices"], strict=True)) == {
        **dict.fromkeys(week, 0),
        "W01": 1,
        "W03": 1,
        "W05": 1,
        "W11": 1,
    }
    later = t.loc["after 2027-06-30"]
    assert (later["Expected"], later["Low"], later["High"], later["Invoices"]) == (50_00, 50_00, 50_00, 1)
    assert int(table["Expected"].sum()) == 4_250_00
    assert (table["Low"] <= table["Expected"]).all() and (table["Expected"] <= table["High"]).all()


def test_no_history_no_items() -> None:
    empty = open_items(INVOICES.iloc[:0], ALLOC.iloc[:0], as_of=AS_OF, base="EUR")
    table = forecast_table(
        expected_receipts(
            empty,
            payment_history(INVOICES.iloc[:0], ALLOC.iloc[:0], as_of=AS_OF, base="EUR"),
            as_of=AS_OF,
            min_payments=3,
        ),
        forecast_periods(AS_OF, 12),
        rates=no_rates(base="EUR"),
        as_of=AS_OF,
    )
    assert len(table) == 24 and int(table["High"].sum()) == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(-200, 500), st.integers(0, 60), st.integers(1, 10**9)), max_size=40))
def test_band_holds_and_every_cent_is_forecast_once(windows) -> None:
    stamp = pd.Timestamp(AS_OF)
    expected = [stamp + pd.Timedelta(days=d) for d, _, _ in windows]
    receipts_ = pd.DataFrame(
        {
            "ExpectedDate": pd.Series(expected, dtype="datetime64[ns]"),
            "EarlyDate": pd.Series(
                [e - pd.Timedelta(days=s) for e, (_, s, _) in zip(expected, windows, strict=True)],
                dtype="datetime64[ns]",
            ),
            "LateDate": pd.Series(
                [e + pd.Timedelta(days=s) for e, (_, s, _) in zip(expected, windows, strict=True)],
                dtype="datetime64[ns]",
            ),
            "OpenAmount": pd.array([a for _, _, a in windows], dtype="Int64"),
        }
    )
    table = forecast_table(receipts_, forecast_periods(AS_OF, 12), rates=no_rates(base="EUR"), as_of=AS_OF)
    assert int(table["Expected"].sum()) == sum(a for _, _, a in windows)
    assert int(table["Invoices"].sum()) == len(windows)
    assert (table["Low"] <= table["Expected"]).all() and (table["Expected"] <= table["High"]).all()
