"""The month-end reconciliation report: what the finance manager reads after the batch.

Built from the workbook alone (so it reports what was really written): bank lines in and
what became of them, money applied, the bank reconciliation per statement, aging against
last month, customers put on Hold, notices sent, and failures. The HTML uses inline styles
only (mail clients drop style sheets and scripts); charts are inline PNGs; the exception
lists travel as an .xlsx of formatted Excel tables.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter
from matplotlib.figure import Figure

import mailer
from common.values import format_cents
from matching.matcher.screening import duplicate_of
from receivables import aged_items, bucket_labels, open_items
from workbook.book import Book
from workbook.contract import Settings

from .operation import Summary
from .statements import NOT_MAILED, mail_sender, reply_to

__all__ = ["Report", "ReportData", "build_report", "month_start", "save_report", "send_report"]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@dataclass
class ReportData:
    """The tables the report reads, as the workbook holds them after the batch."""

    as_of: dt.date
    bank_lines: pd.DataFrame
    matches: pd.DataFrame
    allocations: pd.DataFrame
    statements: pd.DataFrame
    invoices: pd.DataFrame
    customers: pd.DataFrame
    credit: pd.DataFrame
    forecast: pd.DataFrame
    mail_log: pd.DataFrame
    settings: Settings
    results: Mapping[str, Summary] = field(default_factory=dict)


@dataclass
class Report:
    subject: str
    html: str
    text: str
    images: dict[str, bytes]  # content-id -> PNG
    attachment: tuple[str, bytes]  # (file name, .xlsx bytes)
    figures: dict[str, object]


def build_report(data: ReportData) -> Report:
    """Compute every figure, draw the charts, and lay out the HTML, text and attachment."""
    start = pd.Timestamp(month_start(data.as_of))
    end = pd.Timestamp(data.as_of)
    lines = data.bank_lines[(data.bank_lines["Date"] >= start) & (data.bank_lines["Date"] <= end)]
    duplicate = duplicate_of(data.bank_lines)
    credits = lines[lines["Amount"].fillna(0) > 0].assign(DuplicateOf=duplicate)
    status = credits["Status"].value_counts()
    allocations = data.allocations[
        (data.allocations["PaymentDate"] >= start) & (data.allocations["PaymentDate"] <= end)
    ]
    by_kind = allocations.groupby("Kind")["Amount"].sum()
    by_method = allocations[allocations["Kind"] == "payment"].groupby("Method")["Amount"].sum()
    pending = data.matches[(data.matches["Decision"] == "suggested") & (data.matches["Status"] == "pending")]
    figures: dict[str, object] = {
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
    }
    recon = bank_reconciliation(data.statements, data.bank_lines, duplicate)
    aging_now, aging_before = _aging_totals(data)
    holds = data.credit[data.credit["Action"] == "Hold"] if len(data.credit) else data.credit
    mails = (
        data.mail_log[data.mail_log["AsOf"] == pd.Timestamp(data.as_of)]
        if len(data.mail_log)
        else data.mail_log
    )
    notices = (
        mails[mails["Kind"].isin(["reminder", "notice"])].groupby("Level").size()
        if len(mails)
        else pd.Series()
    )
    failures = [f"{name}: {note}" for name, s in data.results.items() if not s.ok for note in s.notes]
    unmailed = [  # statements and notices owed to customers without a usable e-mail address
        f"{name}: {note.removeprefix(NOT_MAILED)}"
        for name, s in data.results.items()
        for note in s.notes
        if note.startswith(NOT_MAILED)
    ]
    failures += (
        [f"mail to {r.CustomerID}: {r.Detail}" for r in mails.itertuples() if r.Status == "failed"]
        if len(mails)
        else []
    )
    images = {
        "aging": _aging_chart(aging_now, aging_before),
        "receipts": _receipts_chart(credits),
        "forecast": _forecast_chart(data.forecast),
    }
    company = data.settings.company_name or "arbook"
    subject = (
        f"{company}: month-end {data.as_of.isoformat()} — {figures['Matched automatically']} matched, "
        f"{figures['Waiting for review']} to review, {figures['Unmatched']} unmatched"
    )
    body = _html(data, figures, recon, aging_now, aging_before, holds, notices, failures, unmailed, company)
    text = _text(figures, recon, failures, unmailed)
    attachment = (
        f"month-end-{data.as_of.isoformat()}-exceptions.xlsx",
        exceptions_workbook(credits, pending, data.credit),
    )
    return Report(subject, body, text, images, attachment, figures)


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
        items = open_items(data.invoices, data.allocations, as_of=day, customers=data.customers)
        aged = (
            aged_items(items, as_of=day, limits=limits, basis=basis)
            if len(items)
            else items.assign(Bucket=[])
        )
        totals = aged.groupby("Bucket")["OpenAmount"].sum() if len(aged) else pd.Series(dtype="int64")
        out.append(pd.Series([int(totals.get(label, 0)) for label in labels], index=labels))
    return out[0], out[1]


def _png(fig: Figure) -> bytes:
    """PNG bytes of a figure (the object API needs no GUI backend and keeps no global state)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return buffer.getvalue()


def _axes(height: float):
    fig = Figure(figsize=(6.4, height))
    return fig, fig.add_subplot()


def _aging_chart(now: pd.Series, before: pd.Series) -> bytes:
    fig, ax = _axes(2.8)
    x = range(len(now))
    ax.bar([i - 0.2 for i in x], before / 100, width=0.4, label="last month", color="#9bb7d4")
    ax.bar([i + 0.2 for i in x], now / 100, width=0.4, label="this month", color="#1f4e79")
    ax.set_xticks(list(x), list(now.index))
    ax.set_title("Aging by bucket")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _receipts_chart(credits: pd.DataFrame) -> bytes:
    fig, ax = _axes(2.4)
    weekly = (
        credits.set_index("Date")["Amount"]
        .astype("float64")
        .resample("W-MON", label="left", closed="left")
        .sum()
        / 100
        if len(credits)
        else pd.Series(dtype="float64")
    )
    ax.bar([d.strftime("%d %b") for d in weekly.index], weekly.to_numpy(), color="#2e75b6")
    ax.set_title("Receipts per week")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _forecast_chart(forecast: pd.DataFrame) -> bytes:
    fig, ax = _axes(2.6)
    weeks = forecast.head(13)
    if len(weeks):
        labels = [str(p) for p in weeks["Period"]]
        ax.fill_between(
            labels,
            weeks["Low"].astype("float64") / 100,
            weeks["High"].astype("float64") / 100,
            color="#c5d9ef",
            label="low-high",
        )
        ax.plot(
            labels, weeks["Expected"].astype("float64") / 100, color="#1f4e79", marker="o", label="expected"
        )
        ax.tick_params(axis="x", labelrotation=60, labelsize=7)
        ax.legend(frameon=False)
    ax.set_title("Cash-in forecast, 13 weeks")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


_CELL = 'style="padding:4px 10px;border-bottom:1px solid #e5e5e5;text-align:{align}"'


def _table(headers: list[str], rows: list[list[object]], numeric: set[int] = frozenset()) -> str:
    head = "".join(
        f"<th {_CELL.format(align='right' if i in numeric else 'left')}>{html.escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td {_CELL.format(align='right' if i in numeric else 'left')}>{html.escape(str(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table style="border-collapse:collapse;font-size:13px;margin:6px 0 14px 0"><tr>{head}</tr>{body}</table>'


def _html(
    data: ReportData,
    figures: dict[str, object],
    recon: pd.DataFrame,
    now: pd.Series,
    before: pd.Series,
    holds: pd.DataFrame,
    notices: pd.Series,
    failures: list[str],
    unmailed: list[str],
    company: str,
) -> str:
    h2 = 'style="font-size:16px;color:#1f4e79;margin:18px 0 4px 0"'
    parts = [
        '<div style="font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:720px">',
        f'<h1 style="font-size:20px;color:#1f4e79">{html.escape(company)} — month-end {data.as_of.isoformat()}</h1>',
        f"<h2 {h2}>Bank lines and matching</h2>",
        _table(["", ""], [[k, v] for k, v in figures.items()], {1}),
        '<img src="cid:receipts" alt="Receipts per week" style="max-width:100%">',
        f"<h2 {h2}>Bank reconciliation</h2>",
    ]
    if len(recon):
        parts.append(
            _table(
                [
                    "Account",
                    "From",
                    "To",
                    "Opening",
                    "Lines",
                    "Duplicates (not counted)",
                    "Closing",
                    "Difference",
                ],
                [
                    [
                        r.Account,
                        r.From,
                        r.To,
                        format_cents(r.Opening),
                        format_cents(r.Lines),
                        format_cents(r.Duplicates),
                        format_cents(r.Closing),
                        "balanced" if r.Difference == 0 else format_cents(r.Difference),
                    ]
                    for r in recon.itertuples()
                ],
                {3, 4, 5, 6, 7},
            )
        )
        if (recon["Difference"] != 0).any():
            parts.append(
                "<p>A difference means the bank lines of that account disagree with the bank's own "
                "balances: usually a line imported twice (from a second export) or a missing statement.</p>"
            )
    else:
        parts.append("<p>No imported statement carried balances.</p>")
    parts += [
        f"<h2 {h2}>Aging</h2>",
        _table(
            ["Bucket", "This month", "Last month", "Change"],
            [
                [b, format_cents(now[b]), format_cents(before[b]), format_cents(now[b] - before[b])]
                for b in now.index
            ]
            + [
                [
                    "Total",
                    format_cents(now.sum()),
                    format_cents(before.sum()),
                    format_cents(now.sum() - before.sum()),
                ]
            ],
            {1, 2, 3},
        ),
        '<img src="cid:aging" alt="Aging by bucket" style="max-width:100%">',
        f"<h2 {h2}>Customers on Hold</h2>",
        _table(
            ["Customer", "Name", "Exposure", "Limit"],
            [[r.CustomerID, r.Name, _money(r.Exposure), _money(r.CreditLimit)] for r in holds.itertuples()],
            {2, 3},
        )
        if len(holds)
        else "<p>None.</p>",
        f"<h2 {h2}>Notices sent</h2>",
        _table(["Level", "Messages"], [[int(level), int(n)] for level, n in notices.items()], {1})
        if len(notices)
        else "<p>None.</p>",
        f"<h2 {h2}>Forecast</h2>",
        '<img src="cid:forecast" alt="Forecast" style="max-width:100%">',
        f"<h2 {h2}>Not mailed: no usable e-mail address (send by post or call)</h2>",
        "<ul>" + "".join(f"<li>{html.escape(u)}</li>" for u in unmailed) + "</ul>"
        if unmailed
        else "<p>None.</p>",
        f"<h2 {h2}>Failures</h2>",
        "<ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in failures) + "</ul>"
        if failures
        else "<p>None.</p>",
        '<p style="color:#666;font-size:12px">The attached workbook lists unmatched lines, suggestions to review '
        "and customers over their limit.</p></div>",
    ]
    return "".join(parts)


def _money(cents: object) -> str:
    """A money cell of the report: empty where the workbook has no value (a customer without a limit)."""
    return "" if pd.isna(cents) else format_cents(int(cents))  # type: ignore[call-overload]


def _text(figures: dict[str, object], recon: pd.DataFrame, failures: list[str], unmailed: list[str]) -> str:
    lines = [f"{k}: {v}" for k, v in figures.items()]
    lines += [
        f"Account {r.Account}: opening {format_cents(r.Opening)} + lines {format_cents(r.Lines)} = closing "
        f"{format_cents(r.Closing)}"
        + ("" if r.Difference == 0 else f", difference {format_cents(r.Difference)}")
        + (f" ({format_cents(r.Duplicates)} in repeated transfers not counted)" if r.Duplicates else "")
        for r in recon.itertuples()
    ]
    lines += ["Not mailed (no usable e-mail address):", *unmailed] if unmailed else []
    lines += ["Failures:", *failures] if failures else ["No failures."]
    return "\n".join(lines) + "\n"


def exceptions_workbook(credits: pd.DataFrame, pending: pd.DataFrame, credit: pd.DataFrame) -> bytes:
    """Unmatched lines, suggestions to review and over-limit customers as Excel tables (text stays text)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    money = book.add_format({"num_format": "#,##0.00"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    unmatched = credits[credits["Status"].isin(["Unmatched", "Suggested", "Partial"])]
    candidates = (
        pending.groupby("LineID")["InvoiceNo"].apply(lambda s: ", ".join(s.head(3))) if len(pending) else {}
    )
    sheets = {
        "Unmatched": (
            ["Date", "Amount", "Payer", "Memo", "Status", "Candidates", "Repeats LineID"],
            [
                [
                    r.Date,
                    r.Amount,
                    r.Payer,
                    r.Memo,
                    r.Status,
                    candidates.get(r.LineID, ""),
                    r.DuplicateOf,
                ]
                for r in unmatched.itertuples()
            ],
        ),
        "Review": (
            ["MatchID", "LineID", "InvoiceNo", "CustomerID", "Amount", "Score", "Reason"],
            [
                [r.MatchID, r.LineID, r.InvoiceNo, r.CustomerID, r.Amount, r.Score, r.Reason]
                for r in pending.itertuples()
            ],
        ),
        "OverLimit": (
            ["CustomerID", "Name", "CreditLimit", "Exposure", "Available", "Action"],
            [
                [r.CustomerID, r.Name, r.CreditLimit, r.Exposure, r.Available, r.Action]
                for r in credit.itertuples()
                if not pd.isna(r.Available) and r.Available < 0
            ],
        ),
    }
    money_columns = {"Amount", "CreditLimit", "Exposure", "Available"}
    for name, (headers, rows) in sheets.items():
        sheet = book.add_worksheet(name)
        for j, header in enumerate(headers):
            sheet.set_column(j, j, 40 if header in ("Memo", "Reason") else 16)
        sheet.add_table(
            0,
            0,
            max(1, len(rows)),
            len(headers) - 1,
            {"name": name, "columns": [{"header": h} for h in headers], "style": "Table Style Medium 2"},
        )
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                header = headers[j]
                if (
                    value is None
                    or (isinstance(value, str) and not value)
                    or value is pd.NA
                    or (isinstance(value, float) and pd.isna(value))
                    or value is pd.NaT
                ):
                    continue
                if header in money_columns:
                    sheet.write_number(i, j, int(value) / 100, money)
                elif isinstance(value, (pd.Timestamp, dt.date)):
                    sheet.write_datetime(i, j, pd.Timestamp(value).to_pydatetime(), date)
                elif isinstance(value, (int, float)):
                    sheet.write_number(i, j, value)
                else:
                    sheet.write_string(i, j, str(value))
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def send_report(
    book: Book, *, as_of: dt.date, results: Mapping[str, Summary], transport: mailer.Transport
) -> Summary:
    """Build the report from the workbook, keep a copy in reports/ beside it, mail it to report_recipients."""
    settings = book.settings()
    data = ReportData(
        as_of=as_of,
        bank_lines=book.read("BankLines"),
        matches=book.read("Matches"),
        allocations=book.read("Allocations"),
        statements=book.read("BankStatements"),
        invoices=book.read("Invoices"),
        customers=book.read("Customers"),
        credit=book.read("Credit"),
        forecast=book.read("Forecast"),
        mail_log=book.read("MailLog"),
        settings=settings,
        results=results,
    )
    report = build_report(data)
    summary = Summary("report", figures=dict(report.figures))
    folder = save_report(report, book.path.parent / "reports", as_of)
    summary.notes.append(f"report saved in {folder.resolve()}")
    recipients = settings.report_recipients
    if not recipients:
        summary.notes.append("report_recipients is empty in Settings: the report was not mailed")
        book.commit("report", f"saved in {folder.name}")
        return summary
    message = mailer.Outgoing(
        key=mailer.message_key("report", "", None, "", (), as_of),
        kind="report",
        level=None,
        customer_id="",
        customer_name=settings.company_name,
        to=recipients,
        cc=(),
        subject=report.subject,
        html=report.html,
        text=report.text,
        attachments=(report.attachment,),
        amount=0,
        invoice_nos=(),
        as_of=as_of,
        inline_images=tuple(report.images.items()),
    )
    journal = mailer.Journal(mailer.journal_path(book.path))
    delivery, rows = mailer.send_and_fold(
        [message],
        transport,
        journal,
        book.read("MailLog"),
        sender=mail_sender(settings),
        reply_to=reply_to(settings),
    )
    outcome = "sent" if transport.status == "sent" else "written to outbox"
    summary.figures["report"] = (
        outcome if delivery.delivered else "already done" if delivery.already_sent else "failed"
    )
    summary.notes += [f"report not mailed: {why}" for _cid, _key, why in delivery.failed]
    summary.ok = not delivery.failed
    book.append("MailLog", rows)
    book.commit("report", f"mailed to {len(recipients)} recipient(s)")
    return summary


def save_report(report: Report, folder: Path, as_of: dt.date) -> Path:
    """The report as files a person can open: HTML (with its charts beside it), text and the .xlsx."""
    target = folder / f"month-end-{as_of.isoformat()}"
    target.mkdir(parents=True, exist_ok=True)
    html_text = report.html
    for cid, png in report.images.items():
        (target / f"{cid}.png").write_bytes(png)
        html_text = html_text.replace(f'src="cid:{cid}"', f'src="{cid}.png"')
    (target / "report.html").write_text(html_text, encoding="utf-8")
    (target / "report.txt").write_text(report.text, encoding="utf-8")
    name, data = report.attachment
    (target / name).write_bytes(data)
    return target
