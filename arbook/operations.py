"""Every operation arbook offers, declared once: the CLI, the month-end and Excel all read it here.

An operation is a function that takes a Book (and what its declaration names), stages its
changes and returns a Summary; `arbook.runner` calls it and commits. Functions are named by
"module:function" and imported when first run, so `arbook --help` and the RunPython process
behind every Excel click stay quick.

inputs (what a person gives; the CLI's arguments and options, the Dashboard's cells):
  as_of            the date the run is for (--as-of)
  files            bank statement files, at least one (FILES...)
  bank_files       bank statement files, any number (--bank FILE)
  fmt              the bank file format, skipping detection (--format)
  no_post          only propose matches (--no-post)
  customer         only this customer (--customer ID)
  order            an order to check: CUSTOMER AMOUNT
  balance_forward  running-balance statements (--balance-forward)
  resend           customers to send a statement or notice again on purpose (--resend ID,ID)
  mail             send through SMTP (--send) or write .eml files (--outbox DIR)
  application      what to apply by hand: SOURCE (a LineID or a credit note) ITEM...
  target           what to reverse: TARGET (an AllocationID, a LineID or a credit note)
  reason           why (--reason), recorded in Allocations and Audit
  invoice          the invoice to write off: INVOICE (--amount to write off less than is open)
  period           a report's period: --from DATE (start) and --to DATE (the run's date, as_of)
params (what the function is called with): a `Request` field of that name, or what the
runner provides: ledger (the run's `receivables.Ledger` as of as_of), transport (SMTP or the
outbox, as `mail` says), progress, runner (the runner itself: the month-end runs its steps
through it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from .operation import Summary

__all__ = [
    "EXCEL_OPERATIONS",
    "MONTH_END_STEPS",
    "OPERATIONS",
    "ExcelEntry",
    "Operation",
    "excel_entries",
    "operation",
]


@dataclass(frozen=True)
class ExcelEntry:
    """One choice of the Dashboard's Operation drop-down (and one Sub of macros/arbook.bas)."""

    key: str
    label: str
    send: bool = False  # mail goes out through SMTP; otherwise it is previewed to the outbox


@dataclass(frozen=True)
class Operation:
    name: str  # the CLI command, the first word of its Audit Command, the month-end step
    target: str  # "module:function"
    help: str  # the CLI's --help and the first line of `arbook --help`
    inputs: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    excel: tuple[ExcelEntry, ...] = ()
    writes: bool = True  # changes the workbook: takes the run lock and offers --dry-run
    mails: bool = False  # sends statements, notices or the report
    command: bool = True  # offered by the CLI (the report is a month-end step only)
    month_end: bool = False  # a step of the month-end, run in the order declared here

    @property
    def takes_bank_files(self) -> bool:
        return "files" in self.inputs or "bank_files" in self.inputs

    def function(self) -> Callable[..., Summary]:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "check",
        "arbook.check:check",
        "Validate every table; report each problem with table, row and column.",
        writes=False,
    ),
    Operation(
        "import-bank",
        "arbook.bank_import:import_bank",
        "Import bank statements (CSV, MT940, CAMT.053/.054); lines already imported are skipped.",
        inputs=("files", "fmt"),
        params=("files", "fmt", "progress"),
        excel=(ExcelEntry("import_bank", "Import bank file(s)"),),
        month_end=True,
    ),
    Operation(
        "import-rates",
        "arbook.rates:import_rates",
        "Import exchange rates into Rates from the ECB's eurofxref.csv or eurofxref-hist.csv (or their ZIP).",
        inputs=("files",),
        params=("files", "progress"),
        excel=(ExcelEntry("import_rates", "Import exchange rates (ECB file)"),),
    ),
    Operation(
        "match",
        "arbook.match:match",
        "Match bank credits to invoices; post the confident ones, suggest the rest.",
        inputs=("as_of", "no_post"),
        params=("ledger", "post", "progress"),
        excel=(ExcelEntry("match", "Match bank lines"),),
        month_end=True,
    ),
    Operation(
        "post",
        "arbook.match:post",
        "Post what you marked: reversals (the Reverse columns of Allocations and BankLines), "
        "suggestions marked Approve = Y in the Matches table, and money or credit notes applied by "
        "hand (the ApplyTo columns of BankLines and Invoices), and write-offs (Invoices.WriteOff).",
        inputs=("as_of",),
        params=("ledger", "progress"),
        excel=(ExcelEntry("post", "Post approvals and what you marked"),),
    ),
    Operation(
        "apply",
        "arbook.apply:apply",
        "Apply a bank line's money (or a credit note) by hand to the invoices named: ITEM is "
        "'INV-1' or 'INV-1 600.00'; 'C002:' first for another customer's invoices.",
        inputs=("application", "as_of"),
        params=("ledger", "source", "items"),
    ),
    Operation(
        "reverse",
        "arbook.reverse:reverse",
        "Reverse a posting: an AllocationID (that row), a LineID or a credit note (all posted from "
        "it); reversing rows are appended, the invoices reopen, the line goes back to Unmatched.",
        inputs=("target", "reason", "as_of"),
        params=("ledger", "target", "reason"),
    ),
    Operation(
        "write-off",
        "arbook.writeoff:write_off",
        "Write off what is open of an invoice (or --amount of it), with the reason.",
        inputs=("invoice", "reason", "as_of"),
        params=("ledger", "invoice", "reason", "amount_cents"),
    ),
    Operation(
        "receipts",
        "arbook.receipts:receipts_report",
        "The receipts report (收款报表): money received, applied and unapplied, and average days to "
        "pay, by customer and month, per currency; --from/--to (default: the month of --to, today).",
        inputs=("period",),
        params=("ledger", "start"),
        writes=False,
    ),
    Operation(
        "aging",
        "arbook.aging:aging",
        "Recompute Aging, the KPIs and the computed Invoices columns.",
        inputs=("as_of",),
        params=("ledger", "progress"),
        excel=(ExcelEntry("aging", "Recompute aging"),),
        month_end=True,
    ),
    Operation(
        "credit",
        "arbook.credit:credit",
        "Recompute the Credit table: exposure, score, grade and action per customer.",
        inputs=("as_of",),
        params=("ledger", "progress"),
        excel=(ExcelEntry("credit", "Recompute credit"),),
        month_end=True,
    ),
    Operation(
        "credit-check",
        "arbook.credit:credit_check",
        "Would an order of AMOUNT fit CUSTOMER's credit? OK, or over by how much.",
        inputs=("order", "as_of"),
        params=("customer", "amount_cents", "ledger"),
        writes=False,
    ),
    Operation(
        "forecast",
        "arbook.forecast:forecast",
        "Recompute the cash-in Forecast: 13 weeks, then months.",
        inputs=("as_of",),
        params=("ledger", "progress"),
        excel=(ExcelEntry("forecast", "Recompute forecast"),),
        month_end=True,
    ),
    Operation(
        "statements",
        "arbook.statements:statements",
        "Statements of account: PDF attached, HTML body, in each customer's language.",
        inputs=("as_of", "mail", "customer", "balance_forward", "resend"),
        params=("ledger", "transport", "customer", "balance_forward", "resend", "progress"),
        excel=(
            ExcelEntry("statements_preview", "Statements: preview to outbox"),
            ExcelEntry("statements_send", "Statements: send by e-mail", send=True),
        ),
        mails=True,
        month_end=True,
    ),
    Operation(
        "notices",
        "arbook.notices:notices",
        "Reminders and overdue notices by the DunningLevels table.",
        inputs=("as_of", "mail", "customer", "resend"),
        params=("ledger", "transport", "customer", "resend", "progress"),
        excel=(
            ExcelEntry("notices_preview", "Notices: preview to outbox"),
            ExcelEntry("notices_send", "Notices: send by e-mail", send=True),
        ),
        mails=True,
        month_end=True,
    ),
    Operation(
        "report",
        "arbook.report:send_report",
        "The month-end reconciliation report to report_recipients.",
        inputs=("as_of", "mail"),
        params=("ledger", "transport"),
        mails=True,
        command=False,
        month_end=True,
    ),
    Operation(
        "month-end",
        "arbook.monthend:run_month_end",
        "The month's batch: import, match, aging, credit, forecast, statements and notices, then "
        "the reconciliation report to report_recipients; a rerun resumes where it stopped.",
        inputs=("bank_files", "as_of", "mail"),
        params=("runner",),
        excel=(
            ExcelEntry("month_end", "Month-end run (mail to outbox)"),
            ExcelEntry("month_end_send", "Month-end run and send", send=True),
        ),
        mails=True,
    ),
)

_BY_NAME = {op.name: op for op in OPERATIONS}

MONTH_END_STEPS: tuple[Operation, ...] = tuple(op for op in OPERATIONS if op.month_end)


def operation(name: str) -> Operation:
    """The declaration of the operation called `name` (as the CLI names it)."""
    return _BY_NAME[name]


def excel_entries() -> tuple[tuple[ExcelEntry, Operation], ...]:
    """Every choice the Dashboard offers, in order, with the operation it runs."""
    return tuple((entry, op) for op in OPERATIONS for entry in op.excel)


EXCEL_OPERATIONS: tuple[tuple[str, str], ...] = tuple(
    (entry.key, entry.label) for entry, _ in excel_entries()
)
"""(key, label) of every Dashboard choice: the drop-down of the Run button, one Sub of arbook.bas each."""
