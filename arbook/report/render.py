"""The month-end report laid out: an HTML mail with inline charts, its text copy, the exceptions workbook.

The HTML uses inline styles only (mail clients drop style sheets and scripts); charts are
inline PNGs drawn with matplotlib's object API (no GUI backend, no global state); the
exception lists travel as an .xlsx of formatted Excel tables, written by the workbook's cell
codec like every other writer.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass

import pandas as pd
import xlsxwriter
from matplotlib.figure import Figure
from matplotlib.text import Text

from common.currency import Rate, currency_digits, row_currencies
from workbook.cells import XlsxFormats, encode_column, write_xlsx_column
from workbook.contract import table
from workbook.units import digits_of

from .figures import UNDELIVERED, Figures, Overtaken, ReportData, plain, report_figures
from .words import Words, report_words

__all__ = ["Report", "build_report", "exceptions_workbook"]


@dataclass
class Report:
    subject: str
    html: str
    text: str
    images: dict[str, bytes]  # content-id -> PNG
    attachment: tuple[str, bytes]  # (file name, .xlsx bytes)
    figures: dict[str, object]


def build_report(data: ReportData, *, revised: bool = False) -> Report:
    """Compute every figure, draw the charts, and lay out the HTML, text and attachment.

    `revised`: a report of this month went out before, and the month was done again since
    (a bank file imported late): the subject says so."""
    f = report_figures(data)
    words = report_words(data.settings.locale, data.settings.pdf_font)
    company = data.settings.company_name or "arbook"
    headline = f.headline
    subject = (
        f"{company}: {words('month-end')} {data.as_of.isoformat()}{' ' + words('(revised)') if revised else ''} — "
        + words(
            "{matched} matched, {review} to review, {unmatched} unmatched",
            matched=words.value(headline["Matched automatically"], data.ledger.base),
            review=words.value(headline["Waiting for review"], data.ledger.base),
            unmatched=words.value(headline["Unmatched"], data.ledger.base),
        )
    )
    images = {cid: _png(fig) for cid, fig in charts(f, data, words).items()}
    attachment = (
        f"month-end-{data.as_of.isoformat()}-exceptions.xlsx",
        exceptions_workbook(f.credits, f.pending, data.credit, data.ledger.base, words),
    )
    text = _text(f, data.as_of, words, data.ledger.base)
    return Report(
        subject,
        _html(data, f, company, words, _chart_titles(data, words)),
        text,
        images,
        attachment,
        plain(headline | f.runs, data.ledger.base),
    )


def _png(fig: Figure) -> bytes:
    """PNG bytes of a figure (the object API needs no GUI backend and keeps no global state)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return buffer.getvalue()


def _axes(height: float):
    fig = Figure(figsize=(6.4, height))
    return fig, fig.add_subplot()


def charts(f: Figures, data: ReportData, words: Words) -> dict[str, Figure]:
    """The report's three charts (content-id -> figure), every word on them in the report's
    language, set in a font that has its letters (`words.font`: a CJK one for Chinese)."""
    titles = _chart_titles(data, words)
    base = data.ledger.base
    drawn = {
        "aging": _aging_chart(f.aging.now, f.aging.before, base, words, titles["aging"]),
        "receipts": _receipts_chart(f.credits, base, words, titles["receipts"]),
        "forecast": _forecast_chart(data.forecast, words, titles["forecast"]),
    }
    texts = [text for fig in drawn.values() for text in fig.findobj(Text)]
    font = words.font("".join(text.get_text() for text in texts))
    if font is not None:
        for text in texts:
            sized = font.copy()
            sized.set_size(text.get_fontsize())
            text.set_fontproperties(sized)
    return drawn


def _chart_titles(data: ReportData, words: Words) -> dict[str, str]:
    """Each chart's title (content-id -> title), also its picture's alternative text in the HTML."""
    base = data.ledger.base
    weeks = data.forecast.head(13)
    if not len(weeks):
        forecast = words("Cash-in forecast, 13 weeks")
    elif weeks["Basis"].iloc[0] == "converted":
        forecast = words(
            "Cash-in forecast, 13 weeks, in {currency} (all currencies converted)",
            currency=weeks["Currency"].iloc[0],
        )
    else:
        forecast = words("Cash-in forecast, 13 weeks, in {currency}", currency=weeks["Currency"].iloc[0])
    return {
        "aging": words("Aging by bucket, in {base} (other currencies converted)", base=base),
        "receipts": words("Receipts per week, {base} lines", base=base),
        "forecast": forecast,
    }


def _units(minor: pd.Series, currency: str) -> pd.Series:
    """Minor units as units of `currency` for a chart's axis (cents / 100, yen / 1, fils / 1000)."""
    return minor.astype("float64") / 10 ** currency_digits(currency)


def _aging_chart(now: pd.Series, before: pd.Series, base: str, words: Words, title: str) -> Figure:
    fig, ax = _axes(2.8)
    x = range(len(now))
    ax.bar([i - 0.2 for i in x], _units(before, base), width=0.4, label=words("Last month"), color="#9bb7d4")
    ax.bar([i + 0.2 for i in x], _units(now, base), width=0.4, label=words("This month"), color="#1f4e79")
    ax.set_xticks(list(x), [words(b) for b in now.index])
    ax.set_title(title)
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _receipts_chart(credits: pd.DataFrame, base: str, words: Words, title: str) -> Figure:
    """Receipts of the base currency's lines per week (lines in other currencies are not added in)."""
    fig, ax = _axes(2.4)
    credits = credits[row_currencies(credits, base) == base]
    weekly = (
        _units(credits.set_index("Date")["Amount"], base).resample("W-MON", label="left", closed="left").sum()
        if len(credits)
        else pd.Series(dtype="float64")
    )
    ax.bar([words.day_month(d) for d in weekly.index], weekly.to_numpy(), color="#2e75b6")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _forecast_chart(forecast: pd.DataFrame, words: Words, title: str) -> Figure:
    fig, ax = _axes(2.6)
    weeks = forecast.head(13)
    if len(weeks):
        labels = [str(p) for p in weeks["Period"]]
        currency = str(weeks["Currency"].iloc[0])  # one currency per forecast (converted or the base's)
        ax.fill_between(
            labels,
            _units(weeks["Low"], currency),
            _units(weeks["High"], currency),
            color="#c5d9ef",
            label=words("low-high"),
        )
        ax.plot(
            labels, _units(weeks["Expected"], currency), color="#1f4e79", marker="o", label=words("expected")
        )
        ax.tick_params(axis="x", labelrotation=60, labelsize=7)
        ax.legend(frameon=False)
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


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


def _html(data: ReportData, f: Figures, company: str, words: Words, titles: dict[str, str]) -> str:
    """The report in the workbook's language (`words`): labels translated, numbers and money in its
    locale, thousands separated."""
    recon, aging = f.reconciliation, f.aging
    now, before, base = aging.now, aging.before, data.ledger.base

    def in_base(minor: int) -> str:
        return words.money(int(minor), base)

    def figures(values: dict[str, int | dict[str, int]]) -> str:
        return _table(["", ""], [[words(k), words.value(v, base)] for k, v in values.items()], {1})

    def listed(items: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>" if items else none

    def chart(cid: str) -> str:
        return f'<img src="cid:{cid}" alt="{html.escape(titles[cid])}" style="max-width:100%">'

    holds, notices = f.holds, f.notices
    h2 = 'style="font-size:16px;color:#1f4e79;margin:18px 0 4px 0"'
    none = f"<p>{words('None.')}</p>"
    parts = [
        '<div style="font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:720px">',
        f'<h1 style="font-size:20px;color:#1f4e79">{html.escape(company)} — {words("month-end")} '
        f"{data.as_of.isoformat()}</h1>",
        f"<h2 {h2}>{words('Bank lines and matching')}</h2>",
        figures(f.headline),
        f"<h2 {h2}>{html.escape(words('What the month-end runs of {date} did', date=data.as_of.isoformat()))}</h2>",
        figures(f.runs),
        chart("receipts"),
        f"<h2 {h2}>{words('Bank reconciliation')}</h2>",
    ]
    if len(recon):
        parts.append(
            _table(
                [
                    words(h)
                    for h in (
                        "Account",
                        "From",
                        "To",
                        "Opening",
                        "Lines",
                        "Duplicates (not counted)",
                        "Closing",
                        "Difference",
                    )
                ],
                [
                    [
                        r.Account,
                        r.From,
                        r.To,
                        words.money(r.Opening, r.Currency),
                        words.money(r.Lines, r.Currency),
                        words.money(r.Duplicates, r.Currency),
                        words.money(r.Closing, r.Currency),
                        words("balanced") if r.Difference == 0 else words.money(r.Difference, r.Currency),
                    ]
                    for r in recon.itertuples()
                ],
                {3, 4, 5, 6, 7},
            )
        )
        if (recon["Difference"] != 0).any():
            parts.append(
                "<p>"
                + html.escape(
                    words(
                        "A difference means the bank lines of that account disagree with the bank's own "
                        "balances: usually a line imported twice (from a second export) or a missing statement."
                    )
                )
                + "</p>"
            )
    else:
        parts.append(f"<p>{words('No imported statement carried balances.')}</p>")
    parts += [
        f"<h2 {h2}>{words('Aging')}</h2>",
        f"<p>{html.escape(_rates(aging.rates, data.as_of, words, base))}</p>" if aging.rates else "",
        _table(
            [words(h) for h in ("Bucket", "This month", "Last month", "Change")],
            [[words(b), in_base(now[b]), in_base(before[b]), in_base(now[b] - before[b])] for b in now.index]
            + [
                [
                    words("Total"),
                    in_base(aging.total_now),
                    in_base(aging.total_before),
                    in_base(aging.total_now - aging.total_before),
                ]
            ],
            {1, 2, 3},
        ),
        "<p>"
        + html.escape(
            words(
                "Open receivables by currency, as the Aging sheet's Total column adds up: each currency's "
                "total converted once at its rate (1 {base} = rate), rounded half away from zero to the "
                "{base} minor unit; the converted lines add up to the total. (Each bucket above is "
                "converted on its own, so the buckets may differ from the total by a rounding.)",
                base=base,
            )
        )
        + "</p>",
        _table(
            [
                words("Currency"),
                words("Open, as booked"),
                words("Rate (1 {base} =)", base=base),
                words("Rate of"),
                words("In {base}", base=base),
            ],
            [
                [
                    r.Currency,
                    words.money(r.Booked, r.Currency),
                    _rate(r.Rate, words),
                    _day(r.RateDate),
                    in_base(r.Converted),
                ]
                for r in aging.by_currency.itertuples()
            ]
            + [[words("All currencies"), "", "", "", in_base(aging.total_now)]],
            {1, 2, 4},
        ),
        chart("aging"),
        f"<h2 {h2}>{words('Customers on Hold')}</h2>",
        _table(
            [words(h) for h in ("Customer", "Name", "Exposure", "Limit", "Why")],
            [
                [
                    r.CustomerID,
                    r.Name,
                    _money(words, r.Exposure, r.Currency),
                    _money(words, r.CreditLimit, r.Currency),
                    r.ActionReason,
                ]
                for r in holds.itertuples()
            ],
            {2, 3},
        )
        if len(holds)
        else none,
        f"<h2 {h2}>{words('Notices sent')}</h2>",
        _table(
            [words("Level"), words("Messages")],
            [[int(level), words.number(int(n))] for level, n in notices.items()],
            {1},
        )
        if len(notices)
        else none,
        f"<h2 {h2}>{words('Forecast')}</h2>",
        chart("forecast"),
        f"<h2 {h2}>{words('Not mailed: no usable e-mail address (send by post or call)')}</h2>",
        listed(_unmailed(f, words)),
        f"<h2 {h2}>{words('Failures')}</h2>",
        listed(_failures(f, words)),
        f"<h2 {h2}>{words('Mail sent before later payments were applied')}</h2>",
        listed(_overtaken(f.overtaken, words, base)),
        *_handwork_html(f, h2, words),
        '<p style="color:#666;font-size:12px">'
        + words(
            "The attached workbook lists unmatched lines, suggestions to review and customers over their limit."
        )
        + "</p></div>",
    ]
    return "".join(parts)


def _handwork_html(f: Figures, h2: str, words: Words) -> list[str]:
    """The month's receipts by customer, and its reversals and postings by hand with who, when and why."""
    none = f"<p>{words('None.')}</p>"
    receipts = _table(
        [
            words(h)
            for h in ("Customer", "Name", "Received", "Applied", "Unapplied", "Receipts", "Avg days to pay")
        ],
        [
            [
                r.CustomerID,
                r.Name,
                words.money(int(r.Received), r.Currency),
                words.money(int(r.Applied), r.Currency),
                words.money(int(r.Unapplied), r.Currency),
                words.number(int(r.Receipts)),
                "" if pd.isna(r.AvgDaysToPay) else words.decimal(r.AvgDaysToPay, 1),
            ]
            for r in f.receipts.itertuples()
        ],
        {2, 3, 4, 5, 6},
    )
    by_hand = _table(
        [words(h) for h in ("When", "Who", "What", "Source", "Invoices", "Amount", "Why")],
        [
            [
                f"{r.When:%Y-%m-%d %H:%M}",
                r.Who,
                words(r.What),
                r.Source,
                r.Invoices,
                words.money(r.Amount, r.Currency),
                r.Why,
            ]
            for r in f.by_hand.itertuples()
        ],
        {5},
    )
    return [
        f"<h2 {h2}>{words('Receipts by customer')}</h2>",
        receipts if len(f.receipts) else none,
        f"<h2 {h2}>{words('Reversals and postings by hand')}</h2>",
        by_hand if len(f.by_hand) else none,
    ]


def _handwork_text(f: Figures, words: Words) -> list[str]:
    lines = [
        words(
            "Received from {customer} ({period}): {received}, applied {applied}, unapplied {unapplied}",
            customer=r.CustomerID,
            period=r.Period,
            received=words.money(int(r.Received), r.Currency),
            applied=words.money(int(r.Applied), r.Currency),
            unapplied=words.money(int(r.Unapplied), r.Currency),
        )
        for r in f.receipts.itertuples()
    ]
    lines += [words("Reversals and postings by hand:")] if len(f.by_hand) else []
    lines += [
        f"{r.When:%Y-%m-%d %H:%M} {r.Who or '?'}: {words(r.What)} {r.Source} {r.Invoices} "
        f"{words.money(r.Amount, r.Currency)}" + (f" ({r.Why})" if r.Why else "")
        for r in f.by_hand.itertuples()
    ]
    return lines


def _money(words: Words, minor: object, currency: str) -> str:
    """A money cell of the report: empty where the workbook has no value (a customer without a limit)."""
    return "" if pd.isna(minor) else words.money(int(minor), currency)  # type: ignore[call-overload]


def _rate(value: object, words: Words) -> str:
    return "" if value is None or pd.isna(value) else words.decimal(value)  # type: ignore[call-overload, arg-type]


def _rates(rates: tuple[Rate, ...], as_of: dt.date, words: Words, base: str) -> str:
    """The sentence naming the rates the aging is converted at, each with its Rates row's date."""
    return words(
        "In {base}, each currency converted at the rate of {date}: {rates}",
        base=base,
        date=as_of.isoformat(),
        rates="; ".join(words.rate(r) for r in rates),
    )


def _failures(f: Figures, words: Words) -> list[str]:
    """This month's messages that did not go out: what, to whom, why (the mail server's words)."""
    return [
        words(
            "{what} to {customer} ({to}): {outcome}: {detail}",
            what=words(r.Kind),
            customer=r.CustomerID,
            to=r.To,
            outcome=words(UNDELIVERED[r.Outcome]),
            detail=r.Detail,
        )
        for r in f.failures.itertuples()
    ]


def _unmailed(f: Figures, words: Words) -> list[str]:
    """Mail owed to customers without a usable address: the step, then who and why (as MailLog says)."""
    return [words("{step}: {detail}", step=words(r.Step), detail=r.Detail) for r in f.unmailed.itertuples()]


def _overtaken(overtaken: list[Overtaken], words: Words, base: str) -> list[str]:
    return [
        words(
            "{what} to {customer}, sent {at}: {paid} paid by them was applied after it went out",
            what=words(o.kind)
            if o.level is None
            else words("level {level} {kind}", level=o.level, kind=words(o.kind)),
            customer=o.customer_id,
            at=f"{o.sent_at:%Y-%m-%d %H:%M}",
            paid=words.amounts(o.paid, base),
        )
        for o in overtaken
    ]


def _day(value: object) -> str:
    return "" if value is None or pd.isna(value) else value.isoformat()  # type: ignore[union-attr, call-overload]


def _text(f: Figures, as_of: dt.date, words: Words, base: str) -> str:
    """The report's text part, in the workbook's language like the HTML."""
    lines = [f"{words(k)}: {words.value(v, base)}" for k, v in f.headline.items()]
    lines += [
        words("What the month-end runs of {date} did", date=as_of.isoformat()) + ":",
        *(f"{words(k)}: {words.value(v, base)}" for k, v in f.runs.items()),
    ]
    lines += [
        words("Open {booked}", booked=words.money(r.Booked, r.Currency))
        + (
            ""
            if r.Currency == base
            else words(
                " at {rate} of {day} = {converted}",
                rate=_rate(r.Rate, words),
                day=_day(r.RateDate),
                converted=words.money(r.Converted, base),
            )
        )
        for r in f.aging.by_currency.itertuples()
    ]
    lines += [
        words(
            "Open receivables, all currencies in {base}: {amount}",
            base=base,
            amount=words.money(f.aging.total_now, base),
        )
    ]
    lines += [
        words(
            "Account {account}: opening {opening} + lines {lines} = closing {closing}",
            account=r.Account,
            opening=words.money(r.Opening, r.Currency),
            lines=words.money(r.Lines, r.Currency),
            closing=words.money(r.Closing, r.Currency),
        )
        + (
            ""
            if r.Difference == 0
            else words(", difference {amount}", amount=words.money(r.Difference, r.Currency))
        )
        + (
            words(
                " ({amount} in repeated transfers not counted)", amount=words.money(r.Duplicates, r.Currency)
            )
            if r.Duplicates
            else ""
        )
        for r in f.reconciliation.itertuples()
    ]
    if f.aging.rates:
        lines.append(_rates(f.aging.rates, as_of, words, base))
    unmailed, failures = _unmailed(f, words), _failures(f, words)
    lines += [words("Not mailed (no usable e-mail address):"), *unmailed] if unmailed else []
    lines += [words("Failures:"), *failures] if failures else [words("No failures.")]
    if f.overtaken:
        lines += [
            words("Mail sent before later payments were applied:"),
            *_overtaken(f.overtaken, words, base),
        ]
    lines += _handwork_text(f, words)
    return "\n".join(lines) + "\n"


_OWN_HEADINGS = ("Why", "Candidates", "Repeats LineID")
"""The exceptions workbook's columns that are the report's own; the others are the workbook's
columns (BankLines.Payer ...), named as there, so the clerk finds them."""


def exceptions_workbook(
    credits: pd.DataFrame, pending: pd.DataFrame, credit: pd.DataFrame, base: str, words: Words
) -> bytes:
    """Unmatched lines, suggestions to review and over-limit customers as Excel tables, on sheets
    named in the report's language (`words`), as are the report's own columns.

    Each column is written by the workbook's cell codec (`workbook.cells`) with the kind its
    table declares, like every other writer: text stays text (never a formula), money in
    units of its row's Currency (whole yen, dinars to the fils; a line's blank one is `base`),
    dates as dates.
    """
    credits = credits.assign(Currency=row_currencies(credits, base))
    pending = pending.assign(Currency=row_currencies(pending, base))
    unmatched = credits[credits["Status"].isin(["Unmatched", "Suggested", "Partial"])]
    sheets = {
        "Unmatched": (
            table("BankLines"),
            unmatched.assign(**{"Repeats LineID": unmatched["DuplicateOf"]})[
                [
                    "LineID",
                    "Date",
                    "Amount",
                    "Currency",
                    "Payer",
                    "Memo",
                    "Status",
                    "Why",
                    "Candidates",
                    "Repeats LineID",
                ]
            ],
        ),
        "Review": (
            table("Matches"),
            pending[
                ["MatchID", "LineID", "InvoiceNo", "CustomerID", "Amount", "Currency", "Score", "Reason"]
            ],
        ),
        "OverLimit": (
            table("Credit"),
            credit[credit["Available"].fillna(0) < 0][
                ["CustomerID", "Name", "Currency", "CreditLimit", "Exposure", "Available", "Action"]
            ],
        ),
    }
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = XlsxFormats(book)
    for name, (decl, frame) in sheets.items():
        sheet = book.add_worksheet(words(name))
        headers = list(frame.columns)
        shown = [words(h) if h in _OWN_HEADINGS else h for h in headers]
        digits = digits_of(frame["Currency"].astype(str).tolist())
        sheet.add_table(
            0,
            0,
            max(1, len(frame)),
            len(headers) - 1,
            {
                "name": name,
                "columns": [{"header": h} for h in shown],
                "style": "Table Style Medium 2",
            },
        )
        for j, header in enumerate(headers):
            sheet.set_column(j, j, 40 if header in ("Memo", "Reason", "Why", "Candidates") else 16)
            encoded = encode_column(decl, header, frame[header], digits=digits)
            write_xlsx_column(sheet, 1, j, encoded, formats)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
