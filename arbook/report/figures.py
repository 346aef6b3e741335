"""The month-end report's figures: what the batch did, computed from the workbook after it.

Built from the workbook alone (so it reports what was really written) and the run's ledger
snapshot: bank lines in and what became of them, money applied, the bank reconciliation per
statement, aging against last month, customers put on Hold, notices sent, and failures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from common.values import format_cents
from matching.matcher.screening import duplicate_of
from receivables import Ledger, aged_items, bucket_labels
from workbook.contract import Settings

from ..mail import NOT_MAILED
from ..match import line_notes, open_amounts
from ..operation import Summary

__all__ = ["Figures", "ReportData", "bank_reconciliation", "month_start", "report_figures"]


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
    mail_log: pd.DataFrame
    settings: Settings
    results: Mapping[str, Summary] = field(default_factory=dict)

    @property
    def as_of(self) -> dt.date:
        return self.ledger.as_of


@dataclass
class Figures:
    """Everything the report shows, before it is laid out."""

    headline: dict[str, object]  # bank lines, matching and money applied, label -> value
    credits: pd.DataFrame  # the month's receipts (BankLines rows), DuplicateOf, Candidates and Why added
    pending: pd.DataFrame  # Matches suggestions waiting for review
    reconciliation: pd.DataFrame  # `bank_reconciliation`
    aging_now: pd.Series  # cents per bucket at the as-of date
    aging_before: pd.Series  # and at the end of the previous month
    holds: pd.DataFrame  # Credit rows on Hold
    notices: pd.Series  # notices sent this run, per level
    failures: list[str]
    unmailed: list[str]  # statements and notices owed to customers without a usable address


def _with_candidates(credits: pd.DataFrame, data: ReportData) -> pd.DataFrame:
    """The credits with why each is still open and its best candidates, for the exceptions workbook:
    the words match wrote into BankLines.Note, by the same rule, from the ledger after the batch."""
    opens = open_amounts(credits, data.ledger)
    notes = line_notes(
        credits.assign(left=opens.line_left),
        data.matches,
        opens.items,
        data.as_of,
        data.settings.company_name,
    )
    return credits.assign(
        Why=notes["Reason"].reindex(credits.index).fillna(""),
        Candidates=notes["Candidates"].reindex(credits.index).fillna(""),
    )


def _this_run(data: ReportData, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, object]:
    """The import and match steps' own counts when they ran in this batch, and how many of the
    lines imported lie outside the month counted above: so the report never says 0 matched in
    the month while the match step posted lines of another month (an --as-of in the wrong month)."""
    figures: dict[str, object] = {}
    imported = data.results.get("import-bank")
    if imported is not None and imported.figures.get("new"):
        lines = data.bank_lines
        new = lines[lines["ImportedAt"] == lines["ImportedAt"].max()]  # one import stamps its lines alike
        figures["Bank lines imported by this run"] = int(imported.figures["new"])
        figures[f"Of those, dated outside {start:%Y-%m-%d}..{end:%Y-%m-%d}"] = int(
            ((new["Date"] < start) | (new["Date"] > end)).sum()
        )
    matched = data.results.get("match")
    if matched is not None:
        figures["Auto-posted by this run's match step (any date)"] = matched.figures["auto-posted lines"]
    return figures


def report_figures(data: ReportData) -> Figures:
    """Compute every figure of the report."""
    start = pd.Timestamp(month_start(data.as_of))
    end = pd.Timestamp(data.as_of)
    lines = data.bank_lines[(data.bank_lines["Date"] >= start) & (data.bank_lines["Date"] <= end)]
    duplicate = duplicate_of(data.bank_lines)
    credits = _with_candidates(lines[lines["Amount"].fillna(0) > 0].assign(DuplicateOf=duplicate), data)
    status = credits["Status"].value_counts()
    paid = data.ledger.allocations
    allocations = paid[(paid["PaymentDate"] >= start) & (paid["PaymentDate"] <= end)]
    by_kind = allocations.groupby("Kind")["Amount"].sum()
    by_method = allocations[allocations["Kind"] == "payment"].groupby("Method")["Amount"].sum()
    headline: dict[str, object] = {
        "Bank lines in the month": len(lines),
        "Receipts (credits)": len(credits),
        "Matched automatically": int(status.get("Matched", 0)),
        "Partly matched": int(status.get("Partial", 0)),
        "Waiting for review": int(status.get("Suggested", 0)),
        "Unmatched": int(status.get("Unmatched", 0)),
        "Of those, repeats of a transfer from another file": int((credits["DuplicateOf"] != "").sum()),
        "Money applied (auto)": format_cents(int(by_method.get("auto", 0))),
        "Money applied (approved)": format_cents(int(by_method.get("approved", 0))),
        "Fees and discounts": format_cents(int(by_kind.get("fee", 0)) + int(by_kind.get("discount", 0))),
        "Unapplied cash": format_cents(int(by_kind.get("unapplied", 0))),
        **_this_run(data, start, end),
    }
    mails = (
        data.mail_log[data.mail_log["AsOf"] == pd.Timestamp(data.as_of)]
        if len(data.mail_log)
        else data.mail_log
    )
    failures = [f"{name}: {note}" for name, s in data.results.items() if not s.ok for note in s.notes]
    failures += (
        [f"mail to {r.CustomerID}: {r.Detail}" for r in mails.itertuples() if r.Status == "failed"]
        if len(mails)
        else []
    )
    aging_now, aging_before = _aging_totals(data)
    return Figures(
        headline=headline,
        credits=credits,
        pending=data.matches[
            (data.matches["Decision"] == "suggested") & (data.matches["Status"] == "pending")
        ],
        reconciliation=bank_reconciliation(data.statements, data.bank_lines, duplicate),
        aging_now=aging_now,
        aging_before=aging_before,
        holds=data.credit[data.credit["Action"] == "Hold"] if len(data.credit) else data.credit,
        notices=(
            mails[mails["Kind"].isin(["reminder", "notice"])].groupby("Level").size()
            if len(mails)
            else pd.Series()
        ),
        failures=failures,
        unmailed=[
            f"{name}: {note.removeprefix(NOT_MAILED)}"
            for name, s in data.results.items()
            for note in s.notes
            if note.startswith(NOT_MAILED)
        ],
    )


def bank_reconciliation(
    statements: pd.DataFrame, bank_lines: pd.DataFrame, duplicate: pd.Series | None = None
) -> pd.DataFrame:
    """Per account: the first opening balance + every line in between = the last closing balance?

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
    for account, group in known.groupby("Account", sort=True):
        first = group.sort_values(["FromDate", "ToDate"]).iloc[0]
        last = group.sort_values(["ToDate", "FromDate"]).iloc[-1]
        mask = (
            (bank_lines["Account"] == account)
            & (bank_lines["Date"] >= first.FromDate)
            & (bank_lines["Date"] <= last.ToDate)
        )
        moved = int(bank_lines.loc[mask & ~repeated, "Amount"].fillna(0).sum())
        repeats = int(bank_lines.loc[mask & repeated, "Amount"].fillna(0).sum())
        difference = int(last.ClosingBalance) - int(first.OpeningBalance) - moved
        rows.append(
            {
                "Account": account,
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
        rows, columns=["Account", "From", "To", "Opening", "Lines", "Duplicates", "Closing", "Difference"]
    )


def _aging_totals(data: ReportData) -> tuple[pd.Series, pd.Series]:
    limits, basis = data.settings.aging_buckets, data.settings.aging_basis
    labels = bucket_labels(limits)
    previous = month_start(data.as_of) - dt.timedelta(days=1)
    out = []
    for day in (data.as_of, previous):
        items = data.ledger.items_on(day)
        aged = (
            aged_items(items, as_of=day, limits=limits, basis=basis)
            if len(items)
            else items.assign(Bucket=[])
        )
        totals = aged.groupby("Bucket")["OpenAmount"].sum() if len(aged) else pd.Series(dtype="int64")
        out.append(pd.Series([int(totals.get(label, 0)) for label in labels], index=labels))
    return out[0], out[1]
