"""The month-end report's delivery: a copy in reports/ beside the workbook, and a mail to report_recipients.

The last step of the month-end. It reads the workbook as the batch left it, lays the report
out (`render`), keeps the files a person can open, and mails it through the same batch as
statements and notices (journal, MailLog), so a rerun does not send it twice. A dry run
writes no folder: the report goes to the outbox only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import mailer
from receivables import Ledger
from workbook.book import Book

from ..mail import MailBatch
from ..operation import Summary
from .figures import ReportData
from .render import Report, build_report

__all__ = ["save_report", "send_report"]


def send_report(
    book: Book, *, ledger: Ledger, results: Mapping[str, Summary], transport: mailer.Transport
) -> Summary:
    """Build the report from the workbook, keep a copy in reports/ beside it, mail it to report_recipients."""
    batch = MailBatch(book, transport)
    settings = book.settings()
    as_of = ledger.as_of
    data = ReportData(
        ledger=ledger,
        bank_lines=book.read("BankLines"),
        matches=book.read("Matches"),
        statements=book.read("BankStatements"),
        credit=book.read("Credit"),
        forecast=book.read("Forecast"),
        mail_log=book.read("MailLog"),
        settings=settings,
        results=results,
    )
    report = build_report(data)
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
    delivery = batch.send([message])
    outcome = "sent" if transport.status == "sent" else "written to outbox"
    summary.figures["report"] = (
        outcome if delivery.delivered else "already done" if delivery.already_sent else "failed"
    )
    summary.notes += [f"report not mailed: {why}" for _cid, _key, why in delivery.failed]
    summary.ok = not delivery.failed
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
