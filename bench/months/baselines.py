"""Two simple rules a clerk's spreadsheet could apply, run on the same imported months.

- exact reference: the memo holds exactly one open invoice number, written as in Invoices,
  as a whole token, and the amount equals that invoice's open amount.
- exact amount, unique customer: the payer's name is exactly (ignoring case and spacing) one
  customer's Name or learned alias, and exactly one open invoice of that customer has the
  line's amount.

Each posts one payment or nothing; open amounts are those before the month's receipts.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["BASELINES", "exact_amount_unique_customer", "exact_reference", "open_items"]

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]|[A-Za-z0-9]")
_POSTED = ["LineID", "InvoiceNo", "CustomerID", "Amount", "Kind"]


def open_items(invoices: pd.DataFrame, allocations: pd.DataFrame) -> pd.DataFrame:
    """InvoiceNo, CustomerID and Open (cents) of every invoice with money still open."""
    paid = allocations.groupby("InvoiceNo")["Amount"].sum()
    frame = invoices[["InvoiceNo", "CustomerID", "Amount"]].copy()
    frame["Open"] = frame["Amount"] - frame["InvoiceNo"].map(paid).fillna(0).astype("Int64")
    return frame[frame["Open"] > 0].reset_index(drop=True)


def _norm(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _posting(line_id: str, invoice: str, customer: str, amount: int) -> dict[str, object]:
    return {
        "LineID": line_id,
        "InvoiceNo": invoice,
        "CustomerID": customer,
        "Amount": amount,
        "Kind": "payment",
    }


def exact_reference(credits: pd.DataFrame, open_: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    by_number = {
        no: (cust, int(amount))
        for no, cust, amount in zip(open_["InvoiceNo"], open_["CustomerID"], open_["Open"], strict=True)
    }
    rows = []
    for line_id, memo, amount in zip(credits["LineID"], credits["Memo"], credits["Amount"], strict=True):
        named = {t for t in _TOKEN.findall(str(memo)) if t in by_number}
        if len(named) == 1:
            number = named.pop()
            customer, open_amount = by_number[number]
            if open_amount == int(amount):
                rows.append(_posting(line_id, number, customer, open_amount))
    return pd.DataFrame(rows, columns=_POSTED)


def exact_amount_unique_customer(
    credits: pd.DataFrame, open_: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    names: dict[str, set[str]] = {}
    for cid, name, aliases in zip(
        customers["CustomerID"], customers["Name"], customers["Aliases"], strict=True
    ):
        for spelled in [name, *str(aliases).split(";")]:
            if spelled.strip():
                names.setdefault(_norm(spelled), set()).add(cid)
    owed: dict[tuple[str, int], list[str]] = {}
    for number, cid, amount in zip(open_["InvoiceNo"], open_["CustomerID"], open_["Open"], strict=True):
        owed.setdefault((cid, int(amount)), []).append(number)
    rows = []
    for line_id, payer, amount in zip(credits["LineID"], credits["Payer"], credits["Amount"], strict=True):
        who = names.get(_norm(payer), set())
        if len(who) == 1:
            customer = next(iter(who))
            numbers = owed.get((customer, int(amount)), [])
            if len(numbers) == 1:
                rows.append(_posting(line_id, numbers[0], customer, int(amount)))
    return pd.DataFrame(rows, columns=_POSTED)


BASELINES = {"exact reference": exact_reference, "amount + unique customer": exact_amount_unique_customer}
