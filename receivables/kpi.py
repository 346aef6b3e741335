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
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

__all__ = [
    "KPIS",
    "KPI_COLUMNS",
    "Kpi",
    "average_days_delinquent",
    "best_possible_dso",
    "collection_effectiveness",
    "dso_count_back",
    "dso_simple",
    "kpi_table",
    "monthly_sales",
    "sales_between",
]

KPI_COLUMNS = ["Metric", "Value", "Unit", "AsOf", "Description"]


@dataclass(frozen=True)
class Kpi:
    """One row of the KPIs table as declared: its Metric, its Unit ("currency" stands for the
    base currency's code), its Description ({days} and {months} are the periods the figures
    cover) and the words the Dashboard shows beside it ("" when the Dashboard leaves it out)."""

    metric: str
    unit: str
    description: str
    label: str = ""


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "OpenAR",
        "currency",
        "Net open receivables: invoices less open credits and unapplied cash",
        "Open receivables",
    ),
    Kpi("CurrentAR", "currency", "Open receivables not yet overdue"),
    Kpi("OverdueAR", "currency", "Open receivables past their due date", "Overdue"),
    Kpi("DisputedAR", "currency", "Open amount of disputed invoices (kept in aging)", "Disputed"),
    Kpi("OpenItems", "count", "Open invoices, credit notes and unapplied payments"),
    Kpi(
        "DSO", "days", "Days sales outstanding, count-back over the last {months} months", "DSO (count-back)"
    ),
    Kpi("DSOSimple", "days", "Open AR / credit sales of the last {days} days x {days}", "DSO (simple)"),
    Kpi(
        "BestPossibleDSO",
        "days",
        "Current AR / credit sales of the last {days} days x {days}",
        "Best possible DSO",
    ),
    Kpi("ADD", "days", "Average days delinquent: DSOSimple - BestPossibleDSO", "Average days delinquent"),
    Kpi(
        "CEI",
        "%",
        "Collection effectiveness over the month ending at the as-of date",
        "Collection effectiveness (%)",
    ),
    Kpi(
        "AvgDaysLate",
        "days",
        "Days paid after the due date, weighted by amount, all customers",
        "Average days paid late",
    ),
)
"""Every metric `kpi_table` writes, in its order; the Dashboard looks up those with a label."""


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
    `ledger.payment_history`; `period_days` the simple DSO's period (the Settings table's
    dso_period_days). Money values are in currency units, not cents, because the Dashboard
    shows them as they are.
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
    values = {
        "OpenAR": ar / 100,
        "CurrentAR": current / 100,
        "OverdueAR": (ar - current) / 100,
        "DisputedAR": disputed / 100,
        "OpenItems": len(aged),
        "DSO": dso_count_back(ar, months),
        "DSOSimple": simple,
        "BestPossibleDSO": best,
        "ADD": average_days_delinquent(simple, best),
        "CEI": cei,
        "AvgDaysLate": days_late,
    }
    return pd.DataFrame(
        {
            "Metric": [k.metric for k in KPIS],
            "Value": pd.array([float(values[k.metric]) for k in KPIS], dtype="float64"),
            "Unit": [currency if k.unit == "currency" else k.unit for k in KPIS],
            "AsOf": pd.Series([stamp] * len(KPIS), dtype="datetime64[ns]"),
            "Description": [k.description.format(days=period_days, months=count_back_months) for k in KPIS],
        }
    )


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else math.nan
