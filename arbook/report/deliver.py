"""The month-end report's delivery: a copy in reports/ beside the workbook, and a mail to report_recipients.

The last step of the month-end, run once statements and notices are complete. It reads the
workbook as the month's runs left it and the mail record (MailLog and the journal), lays the
report out (`render`), keeps the files a person can open, and mails it through the same
batch as statements and notices (journal, MailLog), so a rerun does not send it twice. When
a rerun imported bank input the month lacked, the month is done again and the report is a
new, revised message ("(revised)" in its subject, its own Message-ID). A dry run writes no
folder: the report goes to the outbox only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import mailer
from receivables import Ledger
from workbook.book import Book

from ..mail import MailBatch, report_undelivered
from ..monthend import MonthState
from ..operation import Summary
from .figures import ReportData
from .render import Report, build_report

__all__ = ["save_report", "send_report"]


def send_report(book: Book, *, ledger: Ledger, transport: mailer.Transport) -> Summary:
    """Build the report from the workbook, keep a copy in reports/ beside it, mail it to report_recipients."""
    batch = MailBatch(book, transport)
    settings = book.settings()
    as_of = ledger.as_of
    revision = MonthState.read(book, as_of, outbox=True).imports
    data = ReportData(
        ledger=ledger,
        bank_lines=book.read("BankLines"),
        matches=book.read("Matches"),
        statements=book.read("BankStatements"),
        credit=book.read("Credit"),
        forecast=book.read("Forecast"),
        mail_log=batch.history(),
        audit=book.read("Audit"),
        settings=settings,
        delivered=mailer.DELIVERED if transport.status == "outbox" else ("sent",),
    )
    earlier = mailer.message_outcomes(data.mail_log, as_of=as_of, delivered=data.delivered)
    report = build_report(
        data, revised=bool(((earlier["Kind"] == "report") & (earlier["Outcome"] == "delivered")).any())
    )
    summary = Summary("report", figures=dict(report.figures))
    if book.dry_run:
        summary.notes.append("dry run: the report was not saved in reports/")
    else:
        folder = save_report(report, book.path.parent / "reports", as_of)
        summary.notes.append(f"report saved in {folder.resolve()}")
    recipients = settings.report_recipients
    if not recipients:
        summary.notes.append("report_recipients is empty in Settings: the report was not mailed")
        return summary
    key = mailer.message_key("report", "", None, "", (), as_of)
    message = mailer.Outgoing(
        key=key if revision <= 1 else f"{key}-r{revision}",
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
    delivery = batch.send([message], mailer.Scope(("report",), frozenset({""}), as_of))
    outcome = "sent" if transport.status == "sent" else "written to outbox"
    summary.figures["report"] = (
        outcome
        if delivery.delivered
        else "already done"
        if delivery.already_sent
        else "refused"
        if delivery.refused
        else "not sent yet"
    )
    report_undelivered(summary, delivery)
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
