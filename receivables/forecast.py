"""Cash-in forecast: when the open invoices will most likely be paid, by week then by month.

Each open invoice (not disputed, not a credit note or unapplied cash: those are not
receipts) is expected on DueDate + its customer's amount-weighted average days late —
the company's average when the customer has fewer than `min_payments` payments — or on its
PromiseDate when the customer promised a later day. Its likely window is that date +- the
spread (standard deviation of days late) of the same history. A date
on or before the as-of date means the money is late already: it falls in the first period.

Periods: 13 weeks starting the day after the as-of date, then calendar months (the first
one partial) up to `months` after the as-of date, then one "later" period.
Expected sums the invoices expected in a period. Low sums those whose whole window falls in
it, High those whose window touches it, so Low <= Expected <= High in every period.

Currencies: one block of periods per currency, amounts as booked (Basis "booked"). When the
receipts are in more than one currency (or in one that is not the base), a first block adds
them up in the base currency (Basis "converted"): each period's total of each currency
converted once at the rate of the as-of date, then added (receivables.money). So the first
13 rows are always the 13 weeks in the base currency, which the Dashboard's chart draws.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from common.currency import Rates

from .ledger import payment_behaviour
from .money import in_currencies

__all__ = ["FORECAST_COLUMNS", "expected_receipts", "forecast_periods", "forecast_table"]

FORECAST_COLUMNS = ["Period", "Currency", "Basis", "Expected", "Low", "High", "Invoices"]
_AMOUNTS = ("Expected", "Low", "High")
WEEKS = 13


def forecast_periods(as_of: date, months: int) -> pd.DataFrame:
    """Period (label), Start and End (inclusive dates): 13 weeks, months, then "later".

    Labels: "W01 2026-07-01" (a week, by its first day), "2026-10" (a calendar month),
    "2026-09-24..09-30" (the part of a month after week 13; "2026-09-30" when that is one day),
    "after 2027-06-30".
    """
    day = pd.Timedelta(days=1)
    first = pd.Timestamp(as_of) + day
    starts = [first + pd.Timedelta(weeks=k) for k in range(WEEKS)]
    ends = [s + pd.Timedelta(days=6) for s in starts]
    labels = [f"W{k + 1:02d} {s:%Y-%m-%d}" for k, s in enumerate(starts)]
    horizon = (pd.Timestamp(as_of) + pd.DateOffset(months=months)) + pd.offsets.MonthEnd(0)
    start = ends[-1] + day
    while start <= horizon:
        end = start + pd.offsets.MonthEnd(0)
        labels.append(_month_label(start, end))
        starts.append(start)
        ends.append(end)
        start = end + day
    labels.append(f"after {horizon:%Y-%m-%d}")
    starts.append(horizon + day)
    ends.append(pd.Timestamp.max.normalize())
    return pd.DataFrame({"Period": labels, "Start": starts, "End": ends}).astype(
        {"Start": "datetime64[ns]", "End": "datetime64[ns]"}
    )


def _month_label(start: pd.Timestamp, end: pd.Timestamp) -> str:
    if start.day == 1:
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m-%d}" if start == end else f"{start:%Y-%m-%d}..{end:%m-%d}"


def expected_receipts(
    items: pd.DataFrame, history: pd.DataFrame, *, as_of: date, min_payments: int
) -> pd.DataFrame:
    """The receivable open items with ExpectedDate, EarlyDate and LateDate (the window).

    Disputed invoices, credit notes and unapplied cash are left out.
    """
    stamp = pd.Timestamp(as_of)
    due = items[(items["Kind"] == "invoice") & (items["OpenAmount"].fillna(0) > 0) & ~items["Disputed"]]
    behaviour = payment_behaviour(history)
    trusted = behaviour[behaviour["Payments"] >= min_payments]
    weight = (history["Weight"] if "Weight" in history else history["Amount"]).astype("float64")
    total = weight.sum()
    company_late = float((weight * history["DaysLate"]).sum() / total) if total else 0.0
    company_spread = (
        float(np.sqrt((weight * (history["DaysLate"] - company_late) ** 2).sum() / total)) if total else 0.0
    )
    late = due["CustomerID"].map(trusted["AvgDaysLate"]).astype("float64").fillna(company_late)
    spread = due["CustomerID"].map(trusted["SpreadDays"]).astype("float64").fillna(company_spread)
    expected = due["DueDate"] + pd.to_timedelta(late.round(), unit="D")
    promised = due["PromiseDate"] > stamp
    expected = expected.where(~promised, due["PromiseDate"])
    window = pd.to_timedelta(spread.round(), unit="D")
    return due.assign(ExpectedDate=expected, EarlyDate=expected - window, LateDate=expected + window)


def forecast_table(
    receipts: pd.DataFrame, periods: pd.DataFrame, *, rates: Rates, as_of: date
) -> pd.DataFrame:
    """The Forecast table (FORECAST_COLUMNS) from `expected_receipts`: the converted block when
    needed, then one block per currency (the base first), see the module doc."""
    base = rates.base
    if "Currency" not in receipts:
        receipts = receipts.assign(Currency=base)
    codes = sorted(set(receipts["Currency"]), key=lambda c: (c != base, c)) or [base]
    blocks = [
        _periods(receipts[receipts["Currency"] == code], periods).assign(Currency=code, Basis="booked")
        for code in codes
    ]
    if codes != [base]:
        blocks.insert(0, _converted(blocks, base, rates, as_of))
    return pd.concat(blocks, ignore_index=True)[FORECAST_COLUMNS]


def _converted(blocks: list[pd.DataFrame], base: str, rates: Rates, as_of: date) -> pd.DataFrame:
    """Per period, every block's amounts in `base`: each currency's figure converted once, then added."""
    out = blocks[0][["Period"]].assign(Currency=base, Basis="converted")
    for column in _AMOUNTS:
        per_period = [
            in_currencies(
                {str(b["Currency"].iloc[0]): int(v) for b, v in zip(blocks, row, strict=True) if v},
                base,
                rates,
                as_of,
            )
            for row in zip(*(b[column].astype("int64") for b in blocks), strict=True)
        ]
        out[column] = pd.array([sum(p.values()) for p in per_period], dtype="Int64")
    out["Invoices"] = pd.array(sum(b["Invoices"].astype("int64").to_numpy() for b in blocks), dtype="Int64")
    return out


def _periods(receipts: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Period, Expected, Low, High, Invoices of receipts in one currency."""
    ends = periods["End"].to_numpy("datetime64[ns]")
    n = len(ends)

    def slot(dates: pd.Series) -> np.ndarray:
        # dates on or before the first day land in the first period; searchsorted never passes "later"
        return np.minimum(np.searchsorted(ends, dates.to_numpy("datetime64[ns]"), side="left"), n - 1)

    amount = receipts["OpenAmount"].astype("int64").to_numpy()
    mid, early, late = slot(receipts["ExpectedDate"]), slot(receipts["EarlyDate"]), slot(receipts["LateDate"])
    expected = np.zeros(n, dtype="int64")
    np.add.at(expected, mid, amount)
    low = np.zeros(n, dtype="int64")
    np.add.at(low, early[early == late], amount[early == late])
    spans = np.zeros(n + 1, dtype="int64")  # +amount where a window starts, -amount after it ends
    np.add.at(spans, early, amount)
    np.add.at(spans, late + 1, -amount)
    return pd.DataFrame(
        {
            "Period": periods["Period"].to_numpy(),
            "Expected": pd.array(expected, dtype="Int64"),
            "Low": pd.array(low, dtype="Int64"),
            "High": pd.array(np.cumsum(spans)[:n], dtype="Int64"),
            "Invoices": pd.array(np.bincount(mid, minlength=n), dtype="Int64"),
        }
    )
