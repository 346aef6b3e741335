"""Receivables KPIs: DSO (count-back and simple), best possible DSO, ADD, CEI, days late.

Conventions (the README states them too, because every textbook varies a little):
  AR              the net open items as of the date: invoices minus open credit notes and
                  unapplied cash (the ledger's OpenAmount summed).
  credit sales    net: Invoices.Amount (credit notes negative) dated in the period.
  simple DSO      AR / credit sales of the last `dso_period_days` days x those days.
  best possible   current AR (not yet overdue) / the same sales x the same days.
  ADD             simple DSO - best possible DSO (average days delinquent).
  count-back DSO  walk back month by month from the as-of date, subtracting each month's
                  sales from AR and counting its days, then the remaining fraction of the
                  next month; months are the month-long periods ending at the as-of date.
  CEI             over the month ending at the as-of date:
                  (AR at start + sales - AR at end) / (AR at start + sales - current AR at end) x 100.
  days late       per payment: PaymentDate - DueDate (negative = early); averages are
                  weighted by the amount paid.
A ratio whose denominator is zero is NaN (an empty cell), never a made-up number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

__all__ = [
    "KPI_COLUMNS",
    "average_days_delinquent",
    "best_possible_dso",
    "collection_effectiveness",
    "dso_count_back",
    "dso_simple",
    "kpi_table",
    "monthly_sales",
    "payment_behaviour",
    "sales_between",
]

KPI_COLUMNS = ["Metric", "Value", "Unit", "AsOf", "Description"]


def dso_simple(ar_cents: int, credit_sales_cents: int, days: int) -> float:
    """AR / credit sales x days; 15,000 / 10,000 x 30 = 45."""
    return _ratio(ar_cents, credit_sales_cents) * days


def best_possible_dso(current_ar_cents: int, credit_sales_cents: int, days: int) -> float:
    """Current (not overdue) AR / credit sales x days: the DSO if everyone paid on time."""
    return _ratio(current_ar_cents, credit_sales_cents) * days


def average_days_delinquent(dso: float, best_possible: float) -> float:
    """ADD: the days of DSO due to late payment."""
    return dso - best_possible


def dso_count_back(ar_cents: int, periods: Sequence[tuple[int, int]]) -> float:
    """Count-back DSO from (credit sales cents, days) per month, latest month first.

    AR 212,000 against 100,000 / 80,000 / 70,000 of 30 days each: 30 + 30 + 32/70 x 30.
    When the periods given do not cover AR, the result is every period's days (a floor).
    """
    remaining = ar_cents
    counted = 0.0
    for sales, days in periods:
        if remaining <= 0:
            break
        if sales > 0 and remaining <= sales:
            return counted + remaining / sales * days
        remaining -= max(sales, 0)
        counted += days
    return counted


def collection_effectiveness(begin_ar: int, sales: int, end_ar: int, end_current_ar: int) -> float:
    """CEI in percent: the share of what could be collected in the period that was."""
    return _ratio(begin_ar + sales - end_ar, begin_ar + sales - end_current_ar) * 100


def sales_between(invoices: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Net credit sales in cents: Invoices.Amount dated in (start, end]."""
    dated = invoices["InvoiceDate"]
    return int(invoices["Amount"][(dated > start) & (dated <= end)].fillna(0).astype("int64").sum())


def monthly_sales(invoices: pd.DataFrame, as_of: date, months: int) -> list[tuple[int, int]]:
    """(net sales cents, days) of the `months` month-long periods ending at `as_of`, latest first."""
    stamp = pd.Timestamp(as_of)
    ends = [stamp - pd.DateOffset(months=k) for k in range(months + 1)]
    bounds = np.array(ends[::-1], dtype="datetime64[ns]")  # ascending: oldest start .. as_of
    dated = invoices["InvoiceDate"].to_numpy("datetime64[ns]")
    slot = np.searchsorted(bounds, dated, side="left") - 1  # period (bounds[i], bounds[i+1]]
    amount = invoices["Amount"].fillna(0).to_numpy("int64")
    inside = (slot >= 0) & (slot < months)
    sums = np.zeros(months, dtype="int64")
    np.add.at(sums, slot[inside], amount[inside])
    days = np.diff(bounds).astype("timedelta64[D]").astype("int64")
    return [(int(s), int(d)) for s, d in zip(sums[::-1], days[::-1], strict=True)]


def payment_behaviour(
    history: pd.DataFrame,
    *,
    since: pd.Timestamp | None = None,
    until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per customer, from `ledger.payment_history`: how late and how regularly they pay.

    Returns a frame indexed by CustomerID with Payments (count), AvgDaysLate and
    SpreadDays (amount-weighted mean and standard deviation of days late) and OnTimeRate
    (share of the amount paid on or before the due date, 0-1). `since`/`until` limit the
    payments to PaymentDate in (since, until].
    """
    rows = history
    if since is not None:
        rows = rows[rows["PaymentDate"] > since]
    if until is not None:
        rows = rows[rows["PaymentDate"] <= until]
    weight = rows["Amount"].astype("float64")
    late = rows["DaysLate"].astype("float64")
    frame = pd.DataFrame(
        {
            "CustomerID": rows["CustomerID"],
            "w": weight,
            "wd": weight * late,
            "wdd": weight * late * late,
            "on_time": weight.where(late <= 0, 0.0),
        }
    )
    g = frame.groupby("CustomerID", sort=True)
    sums = g[["w", "wd", "wdd", "on_time"]].sum()
    mean = sums["wd"] / sums["w"]
    variance = (sums["wdd"] / sums["w"] - mean * mean).clip(lower=0)
    return pd.DataFrame(
        {
            "Payments": g.size().astype("int64"),
            "AvgDaysLate": mean,
            "SpreadDays": np.sqrt(variance),
            "OnTimeRate": sums["on_time"] / sums["w"],
        }
    )


def kpi_table(
    aged: pd.DataFrame,
    begin_items: pd.DataFrame,
    invoices: pd.DataFrame,
    history: pd.DataFrame,
    *,
    as_of: date,
    period_days: int,
    currency: str,
    count_back_months: int = 24,
) -> pd.DataFrame:
    """The KPIs table rows (Metric, Value, Unit, AsOf, Description).

    `aged` is `aging.aged_items` as of `as_of`; `begin_items` the open items one month
    earlier (the start of the CEI month); `invoices` every invoice (for sales); `history`
    `ledger.payment_history`. Money values are in currency units, not cents, because the
    Dashboard shows them as they are.
    """
    stamp = pd.Timestamp(as_of)
    open_amount = aged["OpenAmount"].fillna(0).astype("int64")
    ar = int(open_amount.sum())
    current = int(open_amount[aged["DaysOverdue"] <= 0].sum())
    disputed = int(open_amount[aged["Disputed"]].sum())
    sales = sales_between(invoices, stamp - pd.Timedelta(days=period_days), stamp)
    months = monthly_sales(invoices, as_of, count_back_months)
    simple = dso_simple(ar, sales, period_days)
    best = best_possible_dso(current, sales, period_days)
    begin_ar = int(begin_items["OpenAmount"].fillna(0).astype("int64").sum())
    cei = collection_effectiveness(begin_ar, months[0][0], ar, current)
    weight = history["Amount"].astype("float64")
    days_late = float((weight * history["DaysLate"]).sum() / weight.sum()) if len(history) else math.nan
    rows = [
        ("OpenAR", ar / 100, currency, "Net open receivables: invoices less open credits and unapplied cash"),
        ("CurrentAR", current / 100, currency, "Open receivables not yet overdue"),
        ("OverdueAR", (ar - current) / 100, currency, "Open receivables past their due date"),
        ("DisputedAR", disputed / 100, currency, "Open amount of disputed invoices (kept in aging)"),
        ("OpenItems", len(aged), "count", "Open invoices, credit notes and unapplied payments"),
        (
            "DSO",
            dso_count_back(ar, months),
            "days",
            f"Days sales outstanding, count-back over the last {count_back_months} months",
        ),
        (
            "DSOSimple",
            simple,
            "days",
            f"Open AR / credit sales of the last {period_days} days x {period_days}",
        ),
        (
            "BestPossibleDSO",
            best,
            "days",
            f"Current AR / credit sales of the last {period_days} days x {period_days}",
        ),
        (
            "ADD",
            average_days_delinquent(simple, best),
            "days",
            "Average days delinquent: DSOSimple - BestPossibleDSO",
        ),
        ("CEI", cei, "%", "Collection effectiveness over the month ending at the as-of date"),
        ("AvgDaysLate", days_late, "days", "Days paid after the due date, weighted by amount, all customers"),
    ]
    return pd.DataFrame(
        {
            "Metric": [r[0] for r in rows],
            "Value": pd.array([float(r[1]) for r in rows], dtype="float64"),
            "Unit": [r[2] for r in rows],
            "AsOf": pd.Series([stamp] * len(rows), dtype="datetime64[ns]"),
            "Description": [r[3] for r in rows],
        }
    )


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else math.nan
