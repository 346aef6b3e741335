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
                  weighted by the amount paid (in the base currency).
A ratio whose denominator is zero is NaN (an empty cell), never a made-up number.

Currencies: the declared metrics (`KPIS`) are in the base currency. Every amount behind them
(AR, sales, the AR a month ago) is added per currency and each currency's total converted
once at the rate of the as-of date (receivables.money), so the ratios weigh a yen as a yen's
worth. Then, per currency found (the base first, then by code), rows a person checks by hand
against the Aging sheet: "Currency k" (its code, the Dashboard's k-th line), "OpenAR USD" and
"OverdueAR USD" as booked, "Rate USD" (1 EUR = x USD, AsOf = the rate's own date), and
"OpenAR USD in EUR" / "OverdueAR USD in EUR" (as booked / rate, rounded to the cent), whose
sums over the currencies are OpenAR and OverdueAR.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from common.currency import Rates, currency_digits, row_currencies

from .money import by_currency, converted, in_currencies

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
        "Net open receivables (invoices less open credits and unapplied cash), every currency's "
        "total converted at its Rate of {as_of} and added: the sum of the OpenAR .. in {base} rows",
        "Open receivables, all currencies in",
    ),
    Kpi("CurrentAR", "currency", "Open receivables not yet overdue, converted as OpenAR"),
    Kpi(
        "OverdueAR",
        "currency",
        "Open receivables past their due date, converted as OpenAR",
        "Overdue, all currencies in",
    ),
    Kpi(
        "DisputedAR",
        "currency",
        "Open amount of disputed invoices (kept in aging), converted as OpenAR",
        "Disputed, all currencies in",
    ),
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
    """Net credit sales in minor units: Invoices.Amount dated in (start, end] (of one currency)."""
    dated = invoices["InvoiceDate"]
    return int(invoices["Amount"][(dated > start) & (dated <= end)].fillna(0).astype("int64").sum())


def monthly_sales(invoices: pd.DataFrame, as_of: date, months: int) -> list[tuple[int, int]]:
    """(net sales in minor units, days) of the `months` month-long periods ending at `as_of`,
    latest first (invoices of one currency)."""
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
    rates: Rates,
    count_back_months: int = 24,
) -> pd.DataFrame:
    """The KPIs table rows (Metric, Value, Unit, AsOf, Description): `KPIS`, then the rows of
    each currency (see the module doc).

    `aged` is `aging.aged_items` as of `as_of`; `begin_items` the open items one month
    earlier (the start of the CEI month); `invoices` every invoice (for sales); `history`
    `ledger.payment_history` (with its Weight, `ledger.weighted`); `period_days` the simple
    DSO's period (the Settings table's dso_period_days); `rates` the Rates table, whose base is
    the company's. Money values are in currency units, not minor units, because the Dashboard
    shows them as they are. A currency without a rate of the as-of date is refused (InputError).
    """
    base = rates.base
    stamp = pd.Timestamp(as_of)
    open_amount = aged["OpenAmount"].fillna(0).astype("int64")
    codes = row_currencies(aged, base)
    booked = by_currency(open_amount, codes)
    zero = dict.fromkeys(booked, 0)
    current_c = zero | by_currency(open_amount[aged["DaysOverdue"] <= 0], codes[aged["DaysOverdue"] <= 0])
    overdue_c = {c: booked[c] - current_c[c] for c in booked}
    disputed_c = zero | by_currency(open_amount[aged["Disputed"]], codes[aged["Disputed"]])
    sold = row_currencies(invoices, base)
    window = stamp - pd.Timedelta(days=period_days)
    by_code = {c: invoices[sold == c] for c in sorted(set(sold))}

    def in_base(totals: dict[str, int]) -> int:
        return converted(totals, base, rates, as_of) if totals else 0

    ar = in_base(booked)
    current = in_base(current_c)
    sales = in_base({c: sales_between(f, window, stamp) for c, f in by_code.items()})
    per_month = {c: monthly_sales(f, as_of, count_back_months) for c, f in by_code.items()}
    months = [
        (in_base({c: per_month[c][k][0] for c in per_month}), days)
        for k, (_, days) in enumerate(monthly_sales(invoices.iloc[:0], as_of, count_back_months))
    ]
    simple = dso_simple(ar, sales, period_days)
    best = best_possible_dso(current, sales, period_days)
    begin = begin_items["OpenAmount"].fillna(0).astype("int64")
    begin_ar = in_base(by_currency(begin, row_currencies(begin_items, base)))
    cei = collection_effectiveness(begin_ar, months[0][0] if months else 0, ar, current)
    weight = (history["Weight"] if "Weight" in history else history["Amount"]).astype("float64")
    days_late = float((weight * history["DaysLate"]).sum() / weight.sum()) if len(history) else math.nan
    units = 10 ** currency_digits(base)
    values = {
        "OpenAR": ar / units,
        "CurrentAR": current / units,
        "OverdueAR": in_base(overdue_c) / units,
        "DisputedAR": in_base(disputed_c) / units,
        "OpenItems": len(aged),
        "DSO": dso_count_back(ar, months),
        "DSOSimple": simple,
        "BestPossibleDSO": best,
        "ADD": average_days_delinquent(simple, best),
        "CEI": cei,
        "AvgDaysLate": days_late,
    }
    rows = [
        (
            k.metric,
            float(values[k.metric]),
            base if k.unit == "currency" else k.unit,
            stamp,
            k.description.format(
                days=period_days, months=count_back_months, as_of=as_of.isoformat(), base=base
            ),
        )
        for k in KPIS
    ]
    rows += _currency_rows(booked, overdue_c, codes, rates, as_of)
    metric, value, unit, day, description = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "Metric": list(metric),
            "Value": pd.array(value, dtype="float64"),
            "Unit": list(unit),
            "AsOf": pd.Series(day, dtype="datetime64[ns]"),
            "Description": list(description),
        }
    )


def _currency_rows(
    booked: dict[str, int], overdue: dict[str, int], codes: pd.Series, rates: Rates, as_of: date
) -> list[tuple[str, float, str, pd.Timestamp, str]]:
    """The rows of each currency of the open items: its place, its totals, its rate, its totals converted."""
    base = rates.base
    stamp = pd.Timestamp(as_of)
    order = sorted(booked, key=lambda c: (c != base, c))
    open_in = in_currencies(booked, base, rates, as_of)
    overdue_in = in_currencies(overdue, base, rates, as_of)
    items = codes.value_counts()
    units = 10 ** currency_digits(base)
    rows = []
    for k, code in enumerate(order, 1):
        rate = rates.rate(code, as_of)
        own = 10 ** currency_digits(code)
        source = (
            "the base currency"
            if code == base
            else f"1 {base} = {rate.value} {code}, the Rates row of {rate.day.isoformat()} "
            f"(the latest on or before {as_of.isoformat()})"
        )
        rows += [
            (
                f"Currency {k}",
                float(items.get(code, 0)),
                code,
                stamp,
                f"Open items in {code}: the Dashboard's line {k} of open receivables by currency",
            ),
            (f"OpenAR {code}", booked[code] / own, code, stamp, f"Net open receivables in {code}, as booked"),
            (
                f"OverdueAR {code}",
                overdue[code] / own,
                code,
                stamp,
                f"Open receivables in {code} past due, as booked",
            ),
            (f"Rate {code}", float(rate.value), f"{code} per {base}", pd.Timestamp(rate.day), source),
            (
                f"OpenAR {code} in {base}",
                open_in[code] / units,
                base,
                stamp,
                f"OpenAR {code} / Rate {code}, rounded half away from zero to the {base} minor unit",
            ),
            (
                f"OverdueAR {code} in {base}",
                overdue_in[code] / units,
                base,
                stamp,
                f"OverdueAR {code} / Rate {code}, rounded as OpenAR {code} in {base}",
            ),
        ]
    return rows


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else math.nan
