"""`arbook write-off` and Invoices.WriteOff: the clerk writes off what is open of an invoice, with a reason.

A row of Kind writeoff, Method manual, dated the run's as-of date, with the reason in Reason
(an amount from the command line writes off only that much). Small remainders are also
written off by themselves when a posting leaves them (`writeoff_limit`, see arbook.clerk).
A WriteOff cell is carried out once: the same reason on the same invoice is not written off
again; to write off more later, give another reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from common.errors import InputError, Problem
from common.values import format_cents
from matching.matcher.ledger import allocation_records, as_text
from matching.matcher.manual import problem_at
from receivables import LATEST, Ledger
from workbook.book import Book

from .clerk import Posting, marks, posting_id
from .operation import Summary

__all__ = ["WriteOff", "marked_write_offs", "write_off", "write_off_requests"]


@dataclass(frozen=True)
class WriteOff:
    invoice: str
    reason: str
    cents: int | None = None  # None: all that is open
    where: tuple[str, int | None, str | None] | None = None

    def problem(self, message: str) -> Problem:
        return problem_at(self.where, message)


@dataclass
class WrittenOff:
    rows: pd.DataFrame
    written: list[str] = field(default_factory=list)
    already: int = 0
    problems: list[Problem] = field(default_factory=list)


def write_off(book: Book, *, ledger: Ledger, invoice: str, reason: str, amount_cents: int = 0) -> Summary:
    """Write off `amount_cents` (0: all that is open) of `invoice` because of `reason`."""
    posting = Posting(book, ledger.as_of)
    result = write_off_requests(posting, [WriteOff(invoice, reason, amount_cents or None)])
    if result.problems:
        raise InputError(result.problems, f"{invoice} was not written off")
    summary = Summary(
        "write-off", {"as of": ledger.as_of.isoformat(), "written off": "; ".join(result.written) or 0}
    )
    if result.already:
        summary.notes.append(f"{invoice} was already written off for this reason; nothing written off again")
    posting.finish(0)
    return summary


def marked_write_offs(book: Book) -> list[WriteOff]:
    """The WriteOff cells of Invoices, in sheet order."""
    return [WriteOff(m.key, m.text, None, m.where) for m in marks(book, "Invoices", "InvoiceNo", "WriteOff")]


def write_off_requests(posting: Posting, requests: list[WriteOff]) -> WrittenOff:
    """Stage a write-off row for each request that can be carried out."""
    if not requests:
        return WrittenOff(rows=pd.DataFrame())
    ledger = posting.ledger()
    result = write_off_rows(
        ledger.balances_on(LATEST),
        ledger.allocations,
        requests,
        as_of=posting.as_of,
        posted_at=posting.posted_at,
    )
    posting.append(result.rows, settles=False)
    return result


def write_off_rows(
    balances: pd.DataFrame,
    allocations: pd.DataFrame,
    requests: list[WriteOff],
    *,
    as_of: date,
    posted_at: pd.Timestamp,
) -> WrittenOff:
    """The rows for `requests` against the invoices' open amounts (counting every allocation)."""
    open_now = dict(
        zip(as_text(balances["InvoiceNo"]), balances["OpenAmount"].fillna(0).astype("int64"), strict=True)
    )
    owner = dict(zip(as_text(balances["InvoiceNo"]), as_text(balances["CustomerID"]), strict=True))
    done = allocations[
        (as_text(allocations["Kind"]) == "writeoff") & (as_text(allocations["Method"]) == "manual")
    ]
    done_keys = set(zip(as_text(done["InvoiceNo"]), as_text(done["Reason"]), strict=True))
    out = WrittenOff(rows=pd.DataFrame())
    rows = []
    for request in requests:
        if (request.invoice, request.reason) in done_keys:
            out.already += 1
            continue
        left = open_now.get(request.invoice)
        if left is None:
            out.problems.append(
                request.problem(f"expected an invoice number from Invoices; {request.invoice!r} is none")
            )
            continue
        cents = left if request.cents is None else request.cents
        if left <= 0:
            out.problems.append(request.problem(f"{request.invoice} has nothing open to write off"))
            continue
        if not 0 < cents <= left:
            out.problems.append(
                request.problem(
                    f"{request.invoice} has {format_cents(left)} open; cannot write off {format_cents(cents)}"
                )
            )
            continue
        posting = posting_id("writeoff", request.invoice, request.reason)
        rows.append(
            {
                "AllocationID": posting.replace("P-", "A-"),
                "LineID": "",
                "InvoiceNo": request.invoice,
                "CustomerID": owner[request.invoice],
                "Amount": cents,
                "PaymentDate": pd.Timestamp(as_of),
                "Kind": "writeoff",
                "Method": "manual",
                "PostedAt": posted_at,
                "Posting": posting,
                "Reason": request.reason,
            }
        )
        open_now[request.invoice] = left - cents
        done_keys.add((request.invoice, request.reason))
        out.written.append(f"{request.invoice} {format_cents(cents)} ({request.reason})")
    out.rows = allocation_records(rows)
    return out
