"""`arbook credit` and `arbook credit-check`: the Credit table, and whether an order fits.

`arbook credit` also marks the orders over the credit for approval, records the clerk's
decisions and logs CreditLimit changes (`arbook.approvals`).

The scorecard, the actions and the order check are receivables'; the policy's thresholds
come from the Settings table here, once.
"""

from __future__ import annotations

import pandas as pd

from common.currency import format_money, minor_from_hundredths
from common.errors import ArbookError, InputError, Problem
from receivables import CreditPolicy, Ledger, UnknownCustomerError, check_order, credit_table
from workbook.book import Book
from workbook.contract import Settings

from .approvals import log_limit_changes, review_orders
from .operation import NO_PROGRESS, Progress, Summary

__all__ = ["credit", "credit_check", "credit_frame", "credit_policy"]


def credit_policy(settings: Settings) -> CreditPolicy:
    """The policy the Settings table sets (utilisation there in percent, here a fraction)."""
    return CreditPolicy(
        review_utilization=settings.credit_review_utilization / 100,
        hold_days_overdue=settings.credit_hold_days,
        limit_step_cents=settings.credit_limit_step,
    )


def credit_frame(
    ledger: Ledger, orders: pd.DataFrame, previous: pd.DataFrame | None, settings: Settings
) -> pd.DataFrame:
    """The Credit table as of the ledger's date: what `arbook credit` writes and the UDFs answer from."""
    return credit_table(
        ledger.items,
        ledger.history,
        ledger.invoices,
        ledger.customers,
        orders,
        as_of=ledger.as_of,
        policy=credit_policy(settings),
        rates=ledger.rates,
        previous=previous,
    )


def _compute(book: Book, ledger: Ledger) -> pd.DataFrame:
    previous = book.read("Credit") if book.has("Credit") else None
    return credit_frame(ledger, book.read("Orders"), previous, book.settings())


def credit(book: Book, *, ledger: Ledger, progress: Progress = NO_PROGRESS) -> Summary:
    """Stage the Credit table as of the ledger's date."""
    as_of = ledger.as_of
    progress("credit", 0, 2)
    table = _compute(book, ledger)
    progress("writing", 1, 2)
    book.replace("Credit", table)
    actions = table["Action"].value_counts()
    summary = Summary(
        "credit",
        {
            "as of": as_of.isoformat(),
            "customers": len(table),
            "hold": int(actions.get("Hold", 0)),
            "review": int(actions.get("Review", 0)),
            "ok": int(actions.get("OK", 0)),
        },
    )
    review_orders(book, table, ledger, summary)
    log_limit_changes(book, ledger, summary)
    held = table.loc[table["Action"] == "Hold", "CustomerID"].tolist()
    if held:
        summary.notes.append(
            f"on hold: {', '.join(held[:20])}{' ...' if len(held) > 20 else ''} "
            "(the Credit table's ActionReason says why, for Review too)"
        )
    progress("done", 2, 2)
    return summary


def credit_check(book: Book, customer: str, amount_cents: int, *, ledger: Ledger) -> Summary:
    """Would an order fit the customer's credit as of the ledger's date? Reads only; writes nothing.

    The order is in the customer's currency; `amount_cents` is the amount as typed, in
    hundredths (12500 typed is 1250000), made minor units of that currency here.
    """
    credit = _compute(book, ledger)
    try:
        check = check_order(credit, customer, order_amount(credit, customer, amount_cents))
    except UnknownCustomerError as exc:
        raise ArbookError(f"the CUSTOMER argument: {exc}; check the ID you typed") from None
    return Summary(
        "credit-check",
        {
            "customer": customer,
            "amount": format_money(order_amount(credit, customer, amount_cents), check.currency),
            "fits": check.ok,
            "over by": format_money(check.over_by_cents, check.currency),
        },
        [check.message],
        ok=check.ok,
    )


def order_amount(credit: pd.DataFrame, customer: str, hundredths: int) -> int:
    """An order amount typed for `customer` (read as hundredths) in minor units of the customer's
    currency, by the Credit table; a customer not in it is left to `check_order` to refuse."""
    code = credit.loc[credit["CustomerID"] == customer, "Currency"]
    if not len(code):
        return hundredths
    try:
        return minor_from_hundredths(hundredths, str(code.iloc[0]))
    except ValueError as exc:
        raise InputError(Problem("Credit", None, "CreditLimit", f"the order amount {exc}")) from None
