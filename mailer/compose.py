"""From statement and notice data to finished messages: views, wording, PDF, recipients.

A "view" is the data of one message formatted for its reader (amounts and dates as text
in their locale). The same view feeds the HTML block, the team's template and the PDF,
so the three never disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import pandas as pd
from markupsafe import Markup

from common.addresses import parse_addresses
from common.currency import currency_digits

from .blocks import OVERDUE_BLOCK, STATEMENT_BLOCK
from .dunning import NOTICE_KINDS, NoticeDue
from .formats import Formatter, formatter_for
from .interest import late_interest, round_cents
from .message import Covered, Outgoing, message_key
from .pdf import fonts_for, helvetica_for, statement_pdf
from .statement import StatementData
from .templates import TemplateBook, html_to_text, render_block

__all__ = [
    "Company",
    "Composed",
    "Unreachable",
    "compose_notices",
    "compose_statements",
    "statement_pdfs",
    "statement_texts",
    "statement_view",
]

PDFS_PER_WORKER = 64  # below this many per core, starting processes costs more than it saves


@dataclass(frozen=True)
class Company:
    """Who the mail is from, as the statement header and the templates show it."""

    name: str
    address: str
    email: str
    remit_to: str

    def view(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address": self.address,
            "email": self.email,
            "remit_to": self.remit_to,
            "address_lines": _lines(self.address),
            "remit_lines": _lines(self.remit_to),
        }


@dataclass(frozen=True)
class Unreachable:
    """A customer owed a message of `kind` who has no usable address."""

    kind: str  # statement, reminder, notice
    customer_id: str
    why: str  # "C007 Name: Customers row 9: no Email"

    def __str__(self) -> str:
        return self.why


@dataclass
class Composed:
    messages: list[Outgoing] = field(default_factory=list)
    unreachable: list[Unreachable] = field(default_factory=list)


def _lines(text: str) -> list[str]:
    """A multi-line cell (or one with `;` / `|` separators) as lines, each on one line."""
    parts = str(text or "").replace("\r", "\n").replace("|", "\n").split("\n")
    return [" ".join(p.split()) for p in parts if p.strip()]


class _Customers:
    """Customers by CustomerID: each one's first row, found without scanning the table each time."""

    def __init__(self, customers: pd.DataFrame) -> None:
        self._frame = customers
        self._position: dict[str, int] = {}
        for position, customer_id in enumerate(customers["CustomerID"]):
            self._position.setdefault(customer_id, position)

    def row(self, customer_id: str) -> pd.Series:
        """The customer's first row in Customers; its name is the Excel row, for messages."""
        return self._frame.iloc[self._position[customer_id]]


def _customer_view(row: pd.Series) -> dict[str, Any]:
    get = lambda col: str(row.get(col) or "")  # noqa: E731
    return {
        "id": get("CustomerID"),
        "name": get("Name"),
        "contact": get("ContactName"),
        "address": get("Address"),
        "address_lines": _lines(get("Address")),
        "email": get("Email"),
    }


def _recipients(row: pd.Series) -> tuple[list[str], list[str]]:
    """(To, CC) of a customer; ValueError naming the Customers row and column when unusable."""
    excel_row = row.name
    to_cc = []
    for column in ("Email", "CC"):
        try:
            to_cc.append(parse_addresses(str(row.get(column) or "")))
        except ValueError as exc:
            raise ValueError(f"Customers row {excel_row} column {column}: {exc}") from None
    if not to_cc[0]:
        raise ValueError(f"Customers row {excel_row}: no Email")
    return to_cc[0], to_cc[1]


def _reader(
    customers: _Customers, customer_id: str, default_locale: str, composed: Composed, kind: str
) -> tuple[pd.Series, list[str], list[str], Formatter] | None:
    """Who a message of `kind` goes to and how it is written for them; None (and a note) when nobody can get it."""
    row = customers.row(customer_id)
    try:
        to, cc = _recipients(row)
    except ValueError as exc:
        composed.unreachable.append(Unreachable(kind, customer_id, f"{customer_id} {row['Name']}: {exc}"))
        return None
    return row, to, cc, formatter_for(str(row.get("Language") or ""), default_locale)


def statement_view(
    data: StatementData, customer: pd.Series, company: Company, fmt: Formatter, balance_forward: bool
) -> dict[str, Any]:
    labels = fmt.labels
    money = lambda cents: fmt.money(cents, data.currency)  # noqa: E731
    activity = [
        {
            "date": fmt.date(a.date),
            "kind": labels[a.kind],
            "document": a.document,
            "description": a.description,
            "reference": f"{a.document} {a.description}".strip(),
            "debit": money(a.amount) if a.amount > 0 else "",
            "credit": money(-a.amount) if a.amount < 0 else "",
            "balance": money(a.balance),
        }
        for a in data.activity
    ]
    open_items = [
        {
            "number": o.number or labels["unapplied"],
            "kind": o.kind,
            "date": fmt.date(o.invoice_date),
            "due": fmt.date(o.due_date),
            "amount": money(o.amount),
            "open": money(o.open),
            "days_overdue": str(o.days_overdue) if o.days_overdue and o.open > 0 else "",
        }
        for o in data.open_items
    ]
    aging = [  # the first bucket is the current one, its label in the customer's language
        {"label": labels["current"] if i == 0 else label, "amount": money(cents)}
        for i, (label, cents) in enumerate(data.aging)
    ]
    view: dict[str, Any] = {
        "language": fmt.language,
        "labels": labels,
        "company": company.view(),
        "customer": _customer_view(customer),
        "currency": data.currency,
        "as_of": fmt.date(data.as_of),
        "period_start": fmt.date(data.period_start),
        "period_end": fmt.date(data.as_of),
        "opening_balance": money(data.opening),
        "closing_balance": money(data.closing),
        "total_open": money(sum(c for _, c in data.aging)),
        "overdue_total": money(data.overdue_total),
        "balance_forward": balance_forward,
        "activity": activity,
        "open_items": open_items,
        "aging": aging,
    }
    view["confirm"] = labels["confirm"].format(amount=view["closing_balance"], date=view["as_of"])
    return view


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def compose_statements(
    statements: Sequence[StatementData],
    customers: pd.DataFrame,
    templates: TemplateBook,
    *,
    company: Company,
    default_locale: str,
    pdf_font: str,
    balance_forward: bool = False,
    template: str = "statement",
    progress: Callable[[str, int, int], None] | None = None,
) -> Composed:
    """Render every statement: HTML body, text alternative and the PDF attachment."""
    composed = Composed()
    ready: list[tuple[StatementData, pd.Series, dict[str, Any], list[str], list[str]]] = []
    by_id = _Customers(customers)
    for data in statements:
        reader = _reader(by_id, data.customer_id, default_locale, composed, "statement")
        if reader is None:
            continue
        row, to, cc, fmt = reader
        ready.append((data, row, statement_view(data, row, company, fmt, balance_forward), to, cc))
    if not ready:
        return composed
    pdfs = statement_pdfs([view for _, _, view, _, _ in ready], pdf_font)
    for number, ((data, row, view, to, cc), pdf) in enumerate(zip(ready, pdfs, strict=True), start=1):
        if progress is not None:
            progress("render", number, len(ready))
        view["statement"] = render_block(STATEMENT_BLOCK, view)
        rendered = templates.render(template, view["language"], view)
        pdf_name = f"statement_{data.customer_id}_{data.currency}_{data.as_of.isoformat()}.pdf"
        items = tuple(data.item_numbers)
        composed.messages.append(
            Outgoing(
                key=message_key("statement", data.customer_id, None, data.currency, items, data.as_of),
                kind="statement",
                level=None,
                customer_id=data.customer_id,
                customer_name=str(row["Name"]),
                to=tuple(to),
                cc=tuple(cc),
                subject=rendered.subject,
                html=rendered.html,
                text=rendered.text,
                attachments=((pdf_name, pdf),),
                amount=data.closing,
                invoice_nos=items,
                as_of=data.as_of,
            )
        )
    return composed


def statement_texts(views: Sequence[dict[str, Any]]) -> dict[str, str]:
    """What each statement's PDF prints, all its strings in one (label naming the customer and
    currency -> text), in the order of `views`: what the fonts are chosen by."""
    return {_pdf_label(v): " ".join(_strings(v)) for v in views}


def _pdf_label(view: dict[str, Any]) -> str:
    return f"customer {view['customer']['id']} ({view['currency']})"


def statement_pdfs(
    views: Sequence[dict[str, Any]], pdf_font: str, *, processes: int | None = None
) -> list[bytes]:
    """Every statement's PDF, in the fonts `fonts_for` chooses once for the run; on all cores (or
    `processes`) when there are many, each document being independent. There, the Helvetica
    statements are set while this process cuts the embedded fonts the others need."""
    texts, labels = statement_texts(views), [_pdf_label(v) for v in views]
    fonts = helvetica_for(texts, pdf_font)
    embedded = {label: text for label, text in texts.items() if label not in fonts}
    workers = min(processes or os.cpu_count() or 1, len(views) // PDFS_PER_WORKER)
    if workers < 2:
        fonts |= fonts_for(embedded, pdf_font)
        return [statement_pdf(view, fonts[label]) for view, label in zip(views, labels, strict=True)]
    plain = [i for i, label in enumerate(labels) if label in fonts]
    rest = [i for i, label in enumerate(labels) if label not in fonts]
    pdfs = [b""] * len(views)
    with ProcessPoolExecutor(max_workers=workers) as pool:

        def render(indexes: list[int]) -> Iterator[bytes]:
            chosen = [fonts[labels[i]] for i in indexes]
            return pool.map(
                statement_pdf, [views[i] for i in indexes], chosen, chunksize=PDFS_PER_WORKER // 4
            )

        first = render(plain)  # submitted at once: the workers start on these
        fonts |= fonts_for(embedded, pdf_font)
        then = render(rest)
        for i, pdf in zip([*plain, *rest], [*first, *then], strict=True):
            pdfs[i] = pdf
    return pdfs


def notice_view(
    notice: NoticeDue,
    customer: pd.Series,
    company: Company,
    fmt: Formatter,
    *,
    as_of: dt.date,
    late_interest_on: bool,
    rate: Decimal,
) -> tuple[dict[str, Any], int]:
    """The view of one reminder or notice, and its total due in cents (open + fee + interest)."""
    money = lambda cents: fmt.money(cents, notice.currency)  # noqa: E731
    digits = currency_digits(notice.currency)
    charge_interest = late_interest_on and notice.level.kind == "notice"
    invoices, interest_sum = [], Decimal(0)
    for it in notice.items.itertuples():
        days = int(it.DaysOverdue)
        interest = late_interest(int(it.OpenAmount), rate, days, digits) if charge_interest else Decimal(0)
        interest_sum += interest
        invoices.append(
            {
                "number": it.InvoiceNo,
                "date": fmt.date(it.InvoiceDate),
                "due": fmt.date(it.DueDate),
                "amount": money(it.Amount),
                "open": money(it.OpenAmount),
                "days_overdue": str(days) if days > 0 else "",
                "interest": fmt.decimal_money(interest.quantize(Decimal(1).scaleb(-digits)), notice.currency),
            }
        )
    interest_cents = round_cents(interest_sum, digits)
    total_due = notice.total + notice.level.fee + interest_cents
    view: dict[str, Any] = {
        "language": fmt.language,
        "labels": fmt.labels,
        "company": company.view(),
        "customer": _customer_view(customer),
        "currency": notice.currency,
        "as_of": fmt.date(as_of),
        "level": notice.level.level,
        "invoices": invoices,
        "overdue_total": money(notice.total),
        "fee": money(notice.level.fee),
        "fee_cents": notice.level.fee,
        "interest": money(interest_cents),
        "interest_rate": fmt.number(rate),
        "late_interest": charge_interest,
        "total_due": money(total_due),
    }
    view["overdue_table"] = render_block(OVERDUE_BLOCK, view)
    return view, total_due


REMINDER = NOTICE_KINDS[0]
UPCOMING = "upcoming"
"""The template of the invoices due soon, put inside an overdue notice of the same day."""


def compose_notices(
    notices: Sequence[NoticeDue],
    customers: pd.DataFrame,
    templates: TemplateBook,
    *,
    company: Company,
    as_of: dt.date,
    default_locale: str,
    late_interest_on: bool,
    late_interest_rate: Decimal,
) -> Composed:
    """Render every reminder and notice from its level's template (HTML and text, no PDF).

    A customer due a reminder and an overdue notice in the same currency gets one message: the
    (highest) notice, with the reminder's invoices after its overdue table in the `upcoming`
    template's words; the message meets both, and MailLog gets a row for each.
    """
    composed = Composed()
    by_id = _Customers(customers)
    inside = _reminders_inside_notices(notices)
    for notice in notices:
        if notice.level.kind == REMINDER and (notice.customer_id, notice.currency) in inside:
            continue  # it goes inside the notice
        host, upcoming = inside.get((notice.customer_id, notice.currency), (None, None))
        if host is not notice:
            upcoming = None
        reader = _reader(by_id, notice.customer_id, default_locale, composed, notice.level.kind)
        if reader is None:
            if upcoming is not None:
                composed.unreachable.append(replace(composed.unreachable[-1], kind=upcoming.level.kind))
            continue
        row, to, cc, fmt = reader

        view_of = functools.partial(
            notice_view,
            customer=row,
            company=company,
            fmt=fmt,
            as_of=as_of,
            late_interest_on=late_interest_on,
            rate=late_interest_rate,
        )
        view, total_due = view_of(notice)
        covers: tuple[Covered, ...] = ()
        section = ""
        if upcoming is not None:
            upcoming_view, upcoming_due = view_of(upcoming)
            section = templates.render(UPCOMING, fmt.language, upcoming_view).html
            view["overdue_table"] = Markup(view["overdue_table"] + Markup(section))
            covers = (
                Covered(
                    _notice_key(upcoming, as_of),
                    upcoming.level.kind,
                    upcoming.level.level,
                    upcoming_due,
                    tuple(upcoming.invoice_nos),
                ),
            )
        rendered = templates.render(notice.level.template, fmt.language, view)
        html, text = rendered.html, rendered.text
        if section and section not in html:  # a team's template without {{ overdue_table }}
            html += section
            text = html_to_text(html)
        composed.messages.append(
            Outgoing(
                key=_notice_key(notice, as_of),
                kind=notice.level.kind,
                level=notice.level.level,
                customer_id=notice.customer_id,
                customer_name=str(row["Name"]),
                to=tuple(to),
                cc=tuple(cc),
                subject=rendered.subject,
                html=html,
                text=text,
                attachments=(),
                amount=total_due,
                invoice_nos=tuple(notice.invoice_nos),
                as_of=as_of,
                covers=covers,
            )
        )
    return composed


def _notice_key(notice: NoticeDue, as_of: dt.date) -> str:
    return message_key(
        notice.level.kind, notice.customer_id, notice.level.level, notice.currency, notice.invoice_nos, as_of
    )


def _reminders_inside_notices(
    notices: Sequence[NoticeDue],
) -> dict[tuple[str, str], tuple[NoticeDue, NoticeDue]]:
    """(customer, currency) -> (the highest notice, the reminder that goes inside it), where both are due."""
    reminders = {(n.customer_id, n.currency): n for n in notices if n.level.kind == REMINDER}
    strongest: dict[tuple[str, str], NoticeDue] = {}
    for n in notices:
        pair = (n.customer_id, n.currency)
        if n.level.kind != REMINDER and (
            pair not in strongest or n.level.level > strongest[pair].level.level
        ):
            strongest[pair] = n
    return {pair: (notice, reminders[pair]) for pair, notice in strongest.items() if pair in reminders}
