"""The month-end report's figures: what the month's runs did, computed from the workbook after them.

Built from the workbook alone (so it reports what was really written), the run's ledger
snapshot and the mail record (MailLog with the journal folded in), never from what the last
invocation's steps returned: a month-end killed and resumed, or run again with a forgotten
bank file, reports the work and the mail of every run of the month. The bank lines dated in
the month and what became of them (automatically or by hand), what the month's runs
imported and posted (`runs`), money applied, the bank reconciliation per statement, aging
against last month, customers put on Hold, notices sent, mail not delivered, customers
without a usable address, and mail that went out before payments applied later.

Currencies: money applied is given per currency ("1200.00 EUR; 350.00 USD"), with the realised
exchange differences (Kind fx) of the month apart. The aging table adds every currency in the
base currency: each currency's bucket total converted once at the Rates row of the as-of date
(for last month's column too, so the change shows the receivables moving, not the rates), and
the report names the rates it used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

import mailer
from common.currency import Rate, row_currencies
from matching.matcher.screening import duplicate_of
from receivables import (
    Ledger,
    aged_items,
    bucket_labels,
    by_currency,
    in_currencies,
    totals_text,
)
from workbook.contract import Settings

from ..match import line_notes, open_amounts
from ..monthend import MAIL_KINDS
from .handwork import hand_postings, month_receipts
from .runs import run_figures

__all__ = [
    "UNDELIVERED",
    "Aged",
    "Figures",
    "Overtaken",
    "ReportData",
    "bank_reconciliation",
    "month_start",
    "plain",
    "report_figures",
]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@dataclass
class ReportData:
    """The tables the report reads, as the workbook holds them after the batch, and the ledger."""

    ledger: Ledger
    bank_lines: pd.DataFrame
    matches: pd.DataFrame
    statements: pd.DataFrame
    credit: pd.DataFrame
    forecast: pd.DataFrame
    mail_log: pd.DataFrame  # MailLog with the journal's outcomes folded in (`MailBatch.history`)
    audit: pd.DataFrame  # which runs of the month did what (`runs`)
    settings: Settings
    delivered: tuple[str, ...] = ("sent",)  # the MailLog Status that counts as delivered in this run

    @property
    def as_of(self) -> dt.date:
        return self.ledger.as_of


@dataclass
class Figures:
    """Everything the report shows, before it is laid out."""

    # label -> a count, or money as minor units per currency (`plain` says them in words)
    headline: dict[str, int | dict[str, int]]  # the month's bank lines, what became of them, money applied
    runs: dict[str, int | dict[str, int]]  # what the month's runs imported and posted (`runs.run_figures`)
    credits: pd.DataFrame  # the month's receipts (BankLines rows), DuplicateOf, Candidates and Why added
    pending: pd.DataFrame  # Matches suggestions waiting for review
    reconciliation: pd.DataFrame  # `bank_reconciliation`
    aging: Aged  # open receivables per bucket and per currency, converted at the as-of date's rates
    holds: pd.DataFrame  # Credit rows on Hold
    notices: pd.Series  # notices delivered this month, per level
    failures: pd.DataFrame  # this month's messages not delivered: Kind, CustomerID, To, Outcome, Detail
    unmailed: pd.DataFrame  # mail owed to customers without a usable address: Step, Detail (who and why)
    overtaken: list[Overtaken]  # mail delivered before payments that were applied to it later
    receipts: pd.DataFrame  # the month's receipts by customer (receivables.RECEIPT_COLUMNS)
    by_hand: pd.DataFrame  # the month's reversals and postings by hand (handwork.HAND_COLUMNS)


def _notes(data: ReportData) -> pd.DataFrame:
    """Why each bank credit is still open and its best candidates: the words match wrote into
    BankLines.Note, by the same rule (`line_notes`), from the ledger after the batch."""
    opens = open_amounts(data.bank_lines, data.ledger)
    return line_notes(
        data.bank_lines.assign(left=opens.line_left),
        data.matches,
        opens.items,
        data.ledger.customers,
        data.as_of,
        data.settings,
    )


def _by_hand(credits: pd.DataFrame, allocations: pd.DataFrame) -> pd.Series:
    """Which credits a person posted money from (an approved suggestion or an application by hand)."""
    manual = allocations.loc[allocations["Method"].isin(["approved", "manual"]), "LineID"]
    return credits["LineID"].isin(set(manual))


def report_figures(data: ReportData) -> Figures:
    """Compute every figure of the report."""
    start = pd.Timestamp(month_start(data.as_of))
    end = pd.Timestamp(data.as_of)
    lines = data.bank_lines[(data.bank_lines["Date"] >= start) & (data.bank_lines["Date"] <= end)]
    duplicate = duplicate_of(data.bank_lines)
    notes = _notes(data)
    credits = lines[lines["Amount"].fillna(0) > 0].assign(
        DuplicateOf=duplicate,
        Why=notes["Reason"].reindex(lines.index).fillna(""),
        Candidates=notes["Candidates"].reindex(lines.index).fillna(""),
    )
    status = credits["Status"].value_counts()
    matched = credits["Status"] == "Matched"
    by_hand = _by_hand(credits, data.ledger.allocations)
    paid = data.ledger.allocations
    allocations = paid[(paid["PaymentDate"] >= start) & (paid["PaymentDate"] <= end)]
    currency = _allocation_currencies(allocations, data.ledger)
    payments = allocations["Kind"] == "payment"

    def money(mask: pd.Series) -> dict[str, int]:
        return _totals(allocations.loc[mask, "Amount"], currency[mask])

    headline: dict[str, int | dict[str, int]] = {
        "Bank lines in the month": len(lines),
        "Receipts (credits)": len(credits),
        "Matched automatically": int((matched & ~by_hand).sum()),
        "Matched by hand": int((matched & by_hand).sum()),
        "Partly matched": int(status.get("Partial", 0)),
        "Waiting for review": int(status.get("Suggested", 0)),
        "Unmatched": int(status.get("Unmatched", 0)),
        "Of those, repeats of a transfer from another file": int((credits["DuplicateOf"] != "").sum()),
        "Money applied (auto)": money(payments & (allocations["Method"] == "auto")),
        "Money applied (approved)": money(payments & (allocations["Method"] == "approved")),
        "Fees and discounts": money(allocations["Kind"].isin(["fee", "discount"])),
        "Exchange differences (fx)": money(allocations["Kind"] == "fx"),
        "Unapplied cash": money(allocations["Kind"] == "unapplied"),
    }
    mail = mailer.message_outcomes(data.mail_log, as_of=data.as_of, delivered=data.delivered)
    mail = mail[mail["Kind"] != "report"]
    delivered = mail[mail["Outcome"] == "delivered"]
    return Figures(
        headline=headline,
        runs=run_figures(
            data.audit,
            data.bank_lines,
            paid,
            data.matches,
            int((notes["Reason"] != "").sum()),
            data.as_of,
            data.ledger.base,
        ),
        credits=credits,
        pending=data.matches[
            (data.matches["Decision"] == "suggested") & (data.matches["Status"] == "pending")
        ],
        reconciliation=bank_reconciliation(
            data.statements, data.bank_lines, duplicate, base=data.ledger.base
        ),
        aging=_aging_totals(data),
        holds=data.credit[data.credit["Action"] == "Hold"] if len(data.credit) else data.credit,
        notices=delivered[delivered["Kind"].isin(MAIL_KINDS["notices"])].groupby("Level").size(),
        failures=mail.loc[
            mail["Outcome"].isin(UNDELIVERED), ["Kind", "CustomerID", "To", "Outcome", "Detail"]
        ].reset_index(drop=True),
        unmailed=mail.loc[mail["Outcome"] == mailer.NOT_MAILED, ["Kind", "Detail"]]
        .assign(Step=lambda m: m["Kind"].map(_STEP))[["Step", "Detail"]]
        .reset_index(drop=True),
        overtaken=_overtaken(delivered, data.ledger),
        receipts=month_receipts(data.ledger, month_start(data.as_of)),
        by_hand=hand_postings(data.ledger, data.audit, month_start(data.as_of)),
    )


UNDELIVERED = {mailer.FAILED: "not sent yet", mailer.REFUSED: "refused", "outbox": "previewed, not sent"}
"""A message's Outcome that is not a delivery, and what the report calls it."""
_STEP = {kind: step for step, kinds in MAIL_KINDS.items() for kind in kinds}


@dataclass(frozen=True)
class Overtaken:
    """A statement or notice that went out before payments it lists as open were applied."""

    kind: str  # MailLog Kind: statement, reminder, notice
    level: int | None  # the dunning level (None for a statement)
    customer_id: str
    sent_at: pd.Timestamp
    paid: dict[str, int]  # the payments applied after it went out, per currency (minor units)


def _overtaken(delivered: pd.DataFrame, ledger: Ledger) -> list[Overtaken]:
    """Statements and notices of the month that went out before money applied to what they list was
    posted (a bank file imported late): the customer saw an amount as open that was paid."""
    allocations = ledger.allocations
    if not len(delivered) or not len(allocations):
        return []
    posted = allocations[allocations["Kind"] == "payment"]
    currency = _allocation_currencies(posted, ledger)
    out = []
    for r in delivered.itertuples():
        sent_at = pd.Timestamp(r.At)
        later = posted[posted["PostedAt"] > sent_at]
        if r.Kind == "statement":
            later = later[later["CustomerID"] == r.CustomerID]
        else:
            later = later[later["InvoiceNo"].isin(str(r.InvoiceNos).split(";"))]
        if len(later):
            level = None if r.Kind == "statement" else int(r.Level)
            paid = _totals(later["Amount"], currency[later.index])
            out.append(Overtaken(str(r.Kind), level, str(r.CustomerID), sent_at, paid))
    return out


def bank_reconciliation(
    statements: pd.DataFrame, bank_lines: pd.DataFrame, duplicate: pd.Series | None = None, *, base: str
) -> pd.DataFrame:
    """Per account and currency: the first opening balance + every line in between = the last closing balance?

    An account's money is in its statements' currency (blank: the base currency `base`), and
    only the lines in that currency count, so a multi-currency account reconciles per currency
    and every amount of a row is in its Currency's minor units (100 JPY is 100, not 1.00).

    Lines marked in `duplicate` (matching's `duplicate_of`: the same account, date, amount and
    reference arriving again in another file) are not counted in Lines but shown apart as
    Duplicates, so a second export of the same transfers does not read as a difference. A
    difference that remains means the BankLines of that account disagree with the bank's own
    balances: a line imported twice that was not recognised, or a statement not imported.
    """
    repeated = (
        duplicate.reindex(bank_lines.index, fill_value="") != ""
        if duplicate is not None
        else pd.Series(False, index=bank_lines.index)
    )
    rows = []
    known = statements.dropna(subset=["OpeningBalance", "ClosingBalance", "FromDate", "ToDate"])
    known = known.assign(Currency=row_currencies(known, base))
    line_currency = row_currencies(bank_lines, base)
    for (account, currency), group in known.groupby(["Account", "Currency"], sort=True):
        first = group.sort_values(["FromDate", "ToDate"]).iloc[0]
        last = group.sort_values(["ToDate", "FromDate"]).iloc[-1]
        mask = (
            (bank_lines["Account"] == account)
            & (line_currency == currency)
            & (bank_lines["Date"] >= first.FromDate)
            & (bank_lines["Date"] <= last.ToDate)
        )
        moved = int(bank_lines.loc[mask & ~repeated, "Amount"].fillna(0).sum())
        repeats = int(bank_lines.loc[mask & repeated, "Amount"].fillna(0).sum())
        difference = int(last.ClosingBalance) - int(first.OpeningBalance) - moved
        rows.append(
            {
                "Account": account,
                "Currency": currency,
                "From": first.FromDate.date(),
                "To": last.ToDate.date(),
                "Opening": int(first.OpeningBalance),
                "Lines": moved,
                "Duplicates": repeats,
                "Closing": int(last.ClosingBalance),
                "Difference": difference,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Account",
            "Currency",
            "From",
            "To",
            "Opening",
            "Lines",
            "Duplicates",
            "Closing",
            "Difference",
        ],
    )


def _allocation_currencies(allocations: pd.DataFrame, ledger: Ledger) -> pd.Series:
    """Each allocation's currency: its own Currency cell, else its invoice's, else the base currency."""
    invoices = ledger.invoices.drop_duplicates("InvoiceNo").set_index("InvoiceNo")["Currency"]
    return row_currencies(allocations, ledger.base, allocations["InvoiceNo"].map(invoices))


def _totals(amounts: pd.Series, currencies: pd.Series) -> dict[str, int]:
    """The amounts added per currency, never across: minor units per currency code."""
    return by_currency(amounts, currencies) if len(amounts) else {}


def plain(figures: dict[str, int | dict[str, int]], base: str) -> dict[str, object]:
    """The figures as the month-end's summary and its --json give them, whatever the workbook's
    language: counts as they are, money as "1200.00 EUR; 350.00 USD" ("0.00 EUR" for none)."""
    return {
        label: totals_text(value, base) if isinstance(value, dict) else value
        for label, value in figures.items()
    }


@dataclass(frozen=True)
class Aged:
    """The aging the report shows, in the base currency at the as-of date's rates."""

    now: pd.Series  # per bucket at the as-of date: each currency's bucket total converted, added
    before: pd.Series  # the same at the end of the previous month (at the as-of date's rates too)
    by_currency: pd.DataFrame  # Currency, Booked, Rate (1 base = Rate), RateDate, Converted: open AR now
    total_now: int  # the sum of by_currency's Converted: the KPIs' OpenAR
    total_before: int  # last month's per-currency totals, converted the same way
    rates: tuple[Rate, ...]  # the rate of each other currency converted (none for the base currency alone)


def _aging_totals(data: ReportData) -> Aged:
    """Per bucket and in total, each currency added first and converted once (receivables.money).

    The total is converted per currency total, as the Aging sheet's Total column adds up and the
    KPIs' OpenAR is: so a bucket row is each bucket converted, and the buckets may add up to a
    cent or so more or less than the total (one rounding per bucket and currency)."""
    limits, basis = data.settings.aging_buckets, data.settings.aging_basis
    labels = bucket_labels(limits)
    previous = month_start(data.as_of) - dt.timedelta(days=1)
    ledger, base = data.ledger, data.ledger.base
    out: list[pd.Series] = []
    booked: list[dict[str, int]] = []
    for day in (data.as_of, previous):
        items = ledger.items_on(day)
        aged = (
            aged_items(items, as_of=day, limits=limits, basis=basis)
            if len(items)
            else items.assign(Bucket=[])
        )
        totals = []
        for label in labels:
            inside = aged[aged["Bucket"] == label] if len(aged) else aged
            in_bucket = by_currency(inside["OpenAmount"], inside["Currency"]) if len(inside) else {}
            totals.append(
                sum(in_currencies(in_bucket, base, ledger.rates, data.as_of).values()) if in_bucket else 0
            )
        out.append(pd.Series(totals, index=labels))
        booked.append(by_currency(aged["OpenAmount"], aged["Currency"]) if len(aged) else {})
    now_in, before_in = (in_currencies(b, base, ledger.rates, data.as_of) for b in booked)
    used = ledger.rates.rates([c for c, v in booked[0].items() if v] + [base], data.as_of)
    by_code = pd.DataFrame(
        [
            {
                "Currency": c,
                "Booked": v,
                "Rate": used[c].value if c in used else None,
                "RateDate": used[c].day if c in used else None,
                "Converted": now_in[c],
            }
            for c, v in booked[0].items()
        ],
        columns=["Currency", "Booked", "Rate", "RateDate", "Converted"],
    )
    foreign = sorted((set(booked[0]) | set(booked[1])) - {base})
    rates = tuple(ledger.rates.rate(c, data.as_of) for c in foreign)
    return Aged(out[0], out[1], by_code, sum(now_in.values()), sum(before_in.values()), rates)
