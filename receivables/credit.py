"""Credit control: exposure against the limit, a behaviour scorecard, a recommended limit, an action.

Exposure = open AR (net open items) + open Orders; Available = CreditLimit - Exposure;
Utilization = Exposure / CreditLimit as a fraction (0.85 = 85 %). An empty CreditLimit
means no limit was set (Available and Utilization stay empty); a limit of 0 means no
credit at all.

Currencies: a customer's row is in the customer's Currency (the base currency when none is
set): its CreditLimit, and every amount arbook computes for it. Open items, orders and sales in
another currency are added per currency first, and each total converted once at the rate of
the as-of date (receivables.money), so a EUR customer's USD invoice counts as its euro worth
on that day; without a rate for it the table is refused, naming the currency and date.

Scorecard, 100 points, from payment behaviour up to the as-of date (every figure is
amount-weighted; a customer without payments gets the middle of each behaviour part):
  lateness   30  AvgDaysLate <= 0 gives 30, >= 30 days gives 0, linear between
  on time    25  OnTimeRate x 25 (share of the amount paid by the due date)
  oldest     20  oldest overdue open invoice: 0 days gives 20, >= 90 days gives 0
  usage      15  Utilization <= 50 % gives 15, >= 100 % gives 0 (no limit: 7.5)
  trend      10  AvgDaysLate of the last 3 months minus that of the 12 months before:
                 15 days better gives 10, no change 5, 15 days worse 0 (either missing: 5)
Grade: A >= 80, B >= 60, C >= 40, else D.
RecommendedLimit = average monthly net sales of the last 12 months (of the months the
Invoices table covers, when it starts later) x (PaymentTermsDays + positive AvgDaysLate) / 30
x the grade's factor (A 1.5, B 1.25, C 1.0, D 0.5), rounded up to the policy's `limit_step_cents` — what
the customer normally owes while paying as they do, with headroom earned by behaviour.
Action, with every rule that applies written into ActionReason (the severest decides):
  Hold    1. Exposure is over the CreditLimit;
          2. an invoice is `hold_days_overdue` or more days overdue (the oldest is named),
             leaving out those that are disputed or promised to be paid on a date not yet
             passed (as dunning leaves them out).
  Review  3. grade D (the scorecard says the customer pays badly);
          4. Exposure is above the RecommendedLimit (more credit than the behaviour earns);
          5. Utilization is over `review_utilization`;
          6. a disputed or promised invoice is `hold_days_overdue` or more days overdue;
          7. the grade is worse than in the previous Credit table.
  OK      none of these (ActionReason empty).
A customer owing nothing (Exposure 0 or less) is never reviewed for rules 3 and 4:
there is no credit to decide about. The thresholds are a `CreditPolicy` (the Settings table's
credit_hold_days, credit_review_utilization and credit_limit_step).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from common.currency import Rates, convert, format_money, row_currencies, with_currency
from common.errors import ArbookError
from common.terms import DEFAULT_TERMS_DAYS
from common.values import format_cents

from .ledger import payment_behaviour, with_columns
from .money import sum_in

__all__ = [
    "CreditCheck",
    "CreditPolicy",
    "UnknownCustomerError",
    "check_order",
    "credit_table",
    "live_orders",
    "orders_over_credit",
]

GRADE_FLOORS = (("A", 80.0), ("B", 60.0), ("C", 40.0))
GRADE_FACTOR = {"A": 1.5, "B": 1.25, "C": 1.0, "D": 0.5}


@dataclass(frozen=True)
class CreditPolicy:
    """The thresholds of credit control."""

    review_utilization: float  # a fraction: Review above 0.80 of the limit
    hold_days_overdue: int  # Hold from this many days overdue
    limit_step_cents: int  # recommended limits are rounded up to this


class UnknownCustomerError(ArbookError):
    """The customer asked about is not in Customers: a mistyped ID, not a fault of the workbook."""

    def __init__(self, customer: str, known: pd.Series) -> None:
        self.customer = customer
        examples = ", ".join(sorted(known.astype(str))[:3])
        listed = (
            f" (it lists {len(known)}: {examples}{', ...' if len(known) > 3 else ''})"
            if len(known)
            else " (it has none yet)"
        )
        super().__init__(f"customer {customer!r} is not a CustomerID of the Customers table{listed}")


class CreditCheck(NamedTuple):
    """Would an order fit? `over_by_cents` (minor units of `currency`, the customer's) is 0 when it does."""

    ok: bool
    over_by_cents: int
    message: str
    currency: str


def credit_table(
    items: pd.DataFrame,
    history: pd.DataFrame,
    invoices: pd.DataFrame,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: date,
    policy: CreditPolicy,
    rates: Rates,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The Credit table, one row per customer in Customers or with open items, in the customer's currency.

    `items` are `ledger.open_items`, `history` `ledger.payment_history`, both as of `as_of`;
    `invoices` give the sales; `rates` convert what is in another currency (module doc);
    `previous` is the Credit table before this run (for grades).
    """
    stamp = pd.Timestamp(as_of)
    customers = with_columns(customers, "Customers")
    orders = with_currency(with_columns(orders, "Orders"), customers, rates.base)
    ids = pd.Index(sorted(set(customers["CustomerID"]) | set(items["CustomerID"])), name="CustomerID")
    known = customers.drop_duplicates("CustomerID").set_index("CustomerID").reindex(ids)
    own = row_currencies(known, rates.base)

    def in_own(frame: pd.DataFrame, amounts: pd.Series) -> np.ndarray:
        currency = row_currencies(frame, rates.base)
        return sum_in(frame["CustomerID"], amounts, currency, own, rates, as_of).to_numpy("int64")

    open_ar = in_own(items, items["OpenAmount"])
    live = orders[live_orders(orders, as_of)]
    open_orders = in_own(live, live["Amount"])
    exposure = open_ar + open_orders
    limit = known["CreditLimit"].astype("Int64")
    has_limit = limit.notna().to_numpy()
    limit_num = limit.fillna(0).to_numpy("int64")
    utilization = np.where(
        has_limit & (limit_num > 0), exposure / np.where(limit_num > 0, limit_num, 1), np.nan
    )

    owed = items[(items["OpenAmount"].fillna(0) > 0) & (items["Kind"] == "invoice")]
    oldest_days = (
        (stamp - owed.groupby("CustomerID")["DueDate"].min()).dt.days.reindex(ids).fillna(0).clip(lower=0)
    )
    behaviour = payment_behaviour(history).reindex(ids)
    recent = payment_behaviour(history, since=stamp - pd.DateOffset(months=3))["AvgDaysLate"].reindex(ids)
    before = payment_behaviour(
        history, since=stamp - pd.DateOffset(months=15), until=stamp - pd.DateOffset(months=3)
    )["AvgDaysLate"].reindex(ids)

    score = _score(
        behaviour["AvgDaysLate"].to_numpy(),
        behaviour["OnTimeRate"].to_numpy(),
        oldest_days.to_numpy("float64"),
        utilization,
        (recent - before).to_numpy(),
    )
    grade = _grade(score)
    terms = known["PaymentTermsDays"].astype("Float64").fillna(DEFAULT_TERMS_DAYS).to_numpy("float64")
    recent = invoices[_dated_within(invoices, stamp, 12)]
    monthly = in_own(recent, recent["Amount"]) / _months_covered(invoices["InvoiceDate"], stamp, 12)
    delay = np.clip(behaviour["AvgDaysLate"].fillna(0).to_numpy(), 0, None)
    raw_limit = (
        np.clip(monthly, 0, None)
        * (terms + delay)
        / 30
        * np.array([GRADE_FACTOR[g] for g in grade], dtype="float64")
    )
    step = policy.limit_step_cents
    recommended = (np.ceil(raw_limit / step) * step).astype("int64")

    excused = owed["Disputed"].fillna(False).astype(bool) | (owed["PromiseDate"] > stamp)
    action, reason = _actions(
        policy,
        exposure=exposure,
        limit=np.where(has_limit, limit_num, -1),
        overdue=_oldest_overdue(owed[~excused], ids, stamp),
        excused=_oldest_overdue(owed[excused], ids, stamp),
        score=score,
        grade=grade,
        recommended=recommended,
        utilization=utilization,
        was=_previous_grades(ids, previous),
    )

    return pd.DataFrame(
        {
            "CustomerID": ids.astype(str),
            "Name": known["Name"].astype(object).fillna("").astype(str).to_numpy(),
            "Currency": own.to_numpy(dtype=object),
            "CreditLimit": limit.array,
            "OpenAR": pd.array(open_ar, dtype="Int64"),
            "OpenOrders": pd.array(open_orders, dtype="Int64"),
            "Exposure": pd.array(exposure, dtype="Int64"),
            "Available": pd.Series(limit_num - exposure, dtype="Int64").where(has_limit).array,
            "Utilization": utilization,
            "AvgDaysLate": behaviour["AvgDaysLate"].to_numpy("float64"),
            "OnTimeRate": behaviour["OnTimeRate"].to_numpy("float64"),
            "Score": np.round(score, 1),
            "Grade": grade,
            "RecommendedLimit": pd.array(recommended, dtype="Int64"),
            "Action": action,
            "ActionReason": reason,
        }
    )


def live_orders(orders: pd.DataFrame, as_of: date) -> pd.Series:
    """The orders that count in the exposure: open (Status Open or empty), dated on or before `as_of`."""
    return orders["Status"].isin(["Open", ""]) & ~(orders["OrderDate"] > pd.Timestamp(as_of))


def orders_over_credit(
    orders: pd.DataFrame, credit: pd.DataFrame, customers: pd.DataFrame, *, as_of: date, rates: Rates
) -> pd.DataFrame:
    """Which orders pass their customer's credit limit, and by how much, by the Credit table given.

    Each customer's live orders (`live_orders`) are taken oldest first (OrderDate, then the row):
    the open AR and the orders before it use up the CreditLimit first, and an order is over by the
    part of it that does not fit in what is left (all of it when nothing is left). A customer
    without a CreditLimit has nothing to pass. Returns, on the orders' index, `Over` (minor units of
    the order's own currency, 0 when it fits; converted at the as-of rate when the customer's
    currency is another) and `Reason` (the figures in the customer's currency; empty when it fits).
    """
    out = pd.DataFrame({"Over": 0, "Reason": ""}, index=orders.index)
    orders = with_currency(with_columns(orders, "Orders"), customers, rates.base)
    live = orders[live_orders(orders, as_of)].copy()
    if live.empty:
        return out
    rows = credit.drop_duplicates("CustomerID").set_index("CustomerID")
    live = live[live["CustomerID"].isin(rows.index)]
    own = live["CustomerID"].map(rows["Currency"]).astype(str)
    keys = pd.Series(live.index, index=live.index)
    live["Own"] = sum_in(keys, live["Amount"], live["Currency"], own, rates, as_of)
    live["_date"] = live["OrderDate"].fillna(pd.Timestamp.min)
    live["_row"] = range(len(live))
    for customer, mine in live.sort_values(["_date", "_row"]).groupby("CustomerID", sort=False):
        row = rows.loc[customer]
        if pd.isna(row["CreditLimit"]):
            continue
        code, limit, open_ar = str(row["Currency"]), int(row["CreditLimit"]), int(row["OpenAR"])
        before = 0
        for label, order in mine.iterrows():
            amount = int(order["Own"])
            over = min(amount, max(open_ar + before + amount - limit, 0))
            if over > 0:
                out.loc[label, "Over"] = _in_currency(over, code, str(order["Currency"]), rates, as_of)
                hold = f"; {customer} is on Hold (Credit ActionReason)" if row["Action"] == "Hold" else ""
                out.loc[label, "Reason"] = (
                    f"over the available credit by {format_money(over, code)}: limit {format_money(limit, code)}, "
                    f"open AR {format_money(open_ar, code)}, earlier open orders {format_money(before, code)}, "
                    f"this order {format_money(amount, code)}{hold}"
                )
            before += amount
    return out


def _in_currency(minor: int, code: str, to: str, rates: Rates, day: date) -> int:
    if code == to:
        return minor
    found = rates.rates({code, to}, day)
    return convert(minor, found[code], found[to])


def _months_covered(dates: pd.Series, stamp: pd.Timestamp, most: int) -> float:
    """Months of sales the Invoices table holds up to `stamp`, at most `most`, at least 1: a
    book that starts 6 months ago averages over 6, not 12, or every limit would be halved."""
    first = dates[dates <= stamp].min()
    if pd.isna(first):
        return float(most)
    return float(np.clip((stamp - first).days / (365.25 / 12), 1, most))


def _dated_within(invoices: pd.DataFrame, stamp: pd.Timestamp, months: int) -> pd.Series:
    dated = invoices["InvoiceDate"]
    return (dated > stamp - pd.DateOffset(months=months)) & (dated <= stamp)


def _score(
    late: np.ndarray, on_time: np.ndarray, oldest: np.ndarray, usage: np.ndarray, trend: np.ndarray
) -> np.ndarray:
    """The scorecard of the module docstring, vectorised; NaN inputs score the middle."""
    lateness = np.where(np.isnan(late), 15.0, 30.0 * np.clip(1 - late / 30, 0, 1))
    punctual = np.where(np.isnan(on_time), 12.5, 25.0 * on_time)
    oldest_pts = 20.0 * np.clip(1 - oldest / 90, 0, 1)
    usage_pts = np.where(np.isnan(usage), 7.5, 15.0 * np.clip((1 - usage) / 0.5, 0, 1))
    trend_pts = np.where(np.isnan(trend), 5.0, np.clip(5 - trend / 3, 0, 10))
    return lateness + punctual + oldest_pts + usage_pts + trend_pts


def _grade(score: np.ndarray) -> np.ndarray:
    grades = np.full(score.shape, "D", dtype=object)
    for grade, floor in reversed(GRADE_FLOORS):
        grades[score >= floor] = grade
    return grades


def _previous_grades(ids: pd.Index, previous: pd.DataFrame | None) -> np.ndarray:
    """Each customer's grade in the Credit table before this run ("" when it had none)."""
    if previous is None or not len(previous):
        return np.full(len(ids), "", dtype=object)
    before = previous.drop_duplicates("CustomerID").set_index("CustomerID")["Grade"].reindex(ids)
    return before.fillna("").astype(str).to_numpy(object)


def _oldest_overdue(owed: pd.DataFrame, ids: pd.Index, stamp: pd.Timestamp) -> list[tuple[str, int]]:
    """Per customer the invoice longest overdue and by how many days (("", 0) when none is)."""
    oldest = owed.sort_values(["DueDate", "InvoiceNo"]).drop_duplicates("CustomerID").set_index("CustomerID")
    found = {
        cid: (str(r.InvoiceNo), max((stamp - r.DueDate).days, 0))
        for cid, r in zip(oldest.index, oldest.itertuples(), strict=True)
        if not pd.isna(r.DueDate)
    }
    return [found.get(cid, ("", 0)) for cid in ids]


def _actions(
    policy: CreditPolicy,
    *,
    exposure: np.ndarray,
    limit: np.ndarray,  # -1 where no limit is set
    overdue: list[tuple[str, int]],  # the oldest invoice overdue and its days, ("", 0) if none
    excused: list[tuple[str, int]],  # the same among the disputed and promised ones
    score: np.ndarray,
    grade: np.ndarray,
    recommended: np.ndarray,
    utilization: np.ndarray,
    was: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Action and ActionReason per customer by the rules of the module docstring, in their order."""
    actions, reasons = [], []
    for i in range(len(exposure)):
        hold, review = [], []
        if limit[i] >= 0 and exposure[i] > limit[i]:
            hold.append(
                f"exposure {format_cents(int(exposure[i]))} over the limit {format_cents(int(limit[i]))}"
            )
        invoice, days = overdue[i]
        if days >= policy.hold_days_overdue:
            hold.append(f"invoice {invoice} {days} days overdue (Hold from {policy.hold_days_overdue})")
        owes = exposure[i] > 0
        if owes and grade[i] == "D":
            review.append(f"grade D (score {score[i]:.1f})")
        if owes and exposure[i] > recommended[i]:
            review.append(
                f"exposure {format_cents(int(exposure[i]))} above the recommended limit "
                f"{format_cents(int(recommended[i]))}"
            )
        if not np.isnan(utilization[i]) and utilization[i] > policy.review_utilization:
            review.append(
                f"{utilization[i]:.0%} of the limit used (Review above {policy.review_utilization:.0%})"
            )
        invoice, days = excused[i]
        if days >= policy.hold_days_overdue:
            review.append(f"invoice {invoice} {days} days overdue, disputed or promised to be paid")
        if was[i] and grade[i] > was[i]:  # "B" > "A": a later letter is worse
            review.append(f"grade fell from {was[i]} to {grade[i]}")
        actions.append("Hold" if hold else "Review" if review else "OK")
        reasons.append("; ".join(hold + review))
    return np.array(actions, dtype=object), np.array(reasons, dtype=object)


def check_order(credit: pd.DataFrame, customer: str, amount_cents: int) -> CreditCheck:
    """Would an order of `amount_cents` (minor units of the customer's currency) fit
    `customer`'s credit, by the Credit table given?

    A customer on Hold is refused whatever the amount; without a limit everything fits.
    Pure, so the `arbook credit-check` command and the Excel UDF give the same answer.
    """
    rows = credit[credit["CustomerID"] == customer]
    if not len(rows):
        raise UnknownCustomerError(customer, credit["CustomerID"])
    row = rows.iloc[0]
    code = str(row["Currency"])

    def money(minor: int) -> str:
        return format_money(minor, code)

    exposure = int(row["Exposure"]) + amount_cents
    if pd.isna(row["CreditLimit"]):
        return CreditCheck(
            True, 0, f"{customer}: no credit limit set; exposure would be {money(exposure)}", code
        )
    over = max(exposure - int(row["CreditLimit"]), 0)
    figures = (
        f"exposure {money(int(row['Exposure']))} + order {money(amount_cents)} "
        f"against limit {money(int(row['CreditLimit']))}"
    )
    if row["Action"] == "Hold":
        return CreditCheck(False, over, f"{customer} is on credit hold; {figures}", code)
    if over:
        return CreditCheck(False, over, f"{customer}: over the limit by {money(over)}; {figures}", code)
    return CreditCheck(
        True,
        0,
        f"{customer}: OK, {money(-exposure + int(row['CreditLimit']))} still available after this order; {figures}",
        code,
    )
