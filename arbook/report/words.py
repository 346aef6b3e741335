"""The report's words and numbers in the workbook's language: the Settings locale.

As statements and notices do (`mailer.formats`): fixed labels per language, and numbers and
money through Babel in the locale's own way, thousands separated ("1.234,56 EUR" for de,
"1,234.56 EUR" for en). The figures keep their English names (they are also the month-end's
summary and its --json); a label is looked up here when the report is laid out, and a
language without a translation of a label shows the English one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_skeleton
from babel.numbers import format_currency, format_decimal
from matplotlib.font_manager import FontProperties

from common.currency import Rate, currency_digits
from common.values import cents_to_decimal
from mailer.formats import Formatter, formatter_for
from mailer.pdf import PdfFont

__all__ = ["REPORT_LABELS", "Words", "report_words"]

REPORT_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "month-end": "Monatsabschluss",
        "(revised)": "(überarbeitet)",
        "{matched} matched, {review} to review, {unmatched} unmatched": (
            "{matched} zugeordnet, {review} zu prüfen, {unmatched} nicht zugeordnet"
        ),
        "Bank lines and matching": "Bankzeilen und Zuordnung",
        "Bank lines in the month": "Bankzeilen im Monat",
        "Receipts (credits)": "Zahlungseingänge (Gutschriften)",
        "Matched automatically": "Automatisch zugeordnet",
        "Matched by hand": "Von Hand zugeordnet",
        "Partly matched": "Teilweise zugeordnet",
        "Waiting for review": "Zur Prüfung",
        "Unmatched": "Nicht zugeordnet",
        "Of those, repeats of a transfer from another file": (
            "Davon Wiederholungen einer Überweisung aus einer anderen Datei"
        ),
        "Money applied (auto)": "Zugeordnet (automatisch)",
        "Money applied (approved)": "Zugeordnet (freigegeben)",
        "Fees and discounts": "Gebühren und Skonti",
        "Exchange differences (fx)": "Kursdifferenzen (fx)",
        "Unapplied cash": "Nicht zugeordnete Zahlungen",
        "What the month-end runs of {date} did": "Was die Monatsabschlussläufe zum {date} getan haben",
        "Bank lines imported by the month's runs": "Von den Läufen des Monats importierte Bankzeilen",
        "Of those, dated outside the month": "Davon außerhalb des Monats datiert",
        "Lines posted automatically by the month's runs": (
            "Von den Läufen des Monats automatisch gebuchte Zeilen"
        ),
        "Money they took (auto-posted)": "Ihr gebuchter Betrag (automatisch)",
        "Lines waiting for review": "Zeilen zur Prüfung",
        "Lines left open (BankLines.Note says why)": "Offene Zeilen (BankLines.Note sagt, warum)",
        "Bank reconciliation": "Bankabstimmung",
        "Account": "Konto",
        "From": "Von",
        "To": "Bis",
        "Opening": "Anfangssaldo",
        "Lines": "Zeilen",
        "Duplicates (not counted)": "Duplikate (nicht gezählt)",
        "Closing": "Endsaldo",
        "Difference": "Differenz",
        "balanced": "ausgeglichen",
        "A difference means the bank lines of that account disagree with the bank's own balances: "
        "usually a line imported twice (from a second export) or a missing statement.": (
            "Eine Differenz heißt: Die Bankzeilen dieses Kontos stimmen nicht mit den Salden der Bank "
            "überein, meist wegen einer doppelt importierten Zeile (aus einem zweiten Export) oder "
            "eines fehlenden Auszugs."
        ),
        "No imported statement carried balances.": "Kein importierter Auszug enthielt Salden.",
        "Account {account}: opening {opening} + lines {lines} = closing {closing}": (
            "Konto {account}: Anfangssaldo {opening} + Zeilen {lines} = Endsaldo {closing}"
        ),
        ", difference {amount}": ", Differenz {amount}",
        " ({amount} in repeated transfers not counted)": " ({amount} in wiederholten Überweisungen nicht gezählt)",
        "Currency": "Währung",
        "Open, as booked": "Offen, wie gebucht",
        "Rate (1 {base} =)": "Kurs (1 {base} =)",
        "Rate of": "Kurs vom",
        "In {base}": "In {base}",
        "All currencies": "Alle Währungen",
        "Open receivables by currency, as the Aging sheet's Total column adds up: each currency's "
        "total converted once at its rate (1 {base} = rate), rounded half away from zero to the "
        "{base} minor unit; the converted lines add up to the total. (Each bucket above is "
        "converted on its own, so the buckets may differ from the total by a rounding.)": (
            "Offene Forderungen nach Währung, wie die Spalte Total der Altersstruktur sie addiert: die "
            "Summe jeder Währung einmal zu ihrem Kurs umgerechnet (1 {base} = Kurs), kaufmännisch auf "
            "die kleinste Einheit von {base} gerundet; die umgerechneten Zeilen ergeben die Summe. (Jedes "
            "Band oben wird für sich umgerechnet, daher können die Bänder um eine Rundung von der Summe "
            "abweichen.)"
        ),
        "Open {booked}": "Offen {booked}",
        " at {rate} of {day} = {converted}": " zu {rate} vom {day} = {converted}",
        "Open receivables, all currencies in {base}: {amount}": (
            "Offene Forderungen, alle Währungen in {base}: {amount}"
        ),
        "Aging": "Altersstruktur",
        "Bucket": "Band",
        "This month": "Dieser Monat",
        "Last month": "Letzter Monat",
        "Change": "Veränderung",
        "Total": "Summe",
        "Customers on Hold": "Gesperrte Kunden (Hold)",
        "Customer": "Kunde",
        "Name": "Name",
        "Exposure": "Obligo",
        "Limit": "Limit",
        "Why": "Grund",
        "Notices sent": "Versandte Mahnungen",
        "Level": "Stufe",
        "Messages": "Nachrichten",
        "Forecast": "Prognose",
        "Not mailed: no usable e-mail address (send by post or call)": (
            "Nicht versandt: keine brauchbare E-Mail-Adresse (per Post senden oder anrufen)"
        ),
        "Not mailed (no usable e-mail address):": "Nicht versandt (keine brauchbare E-Mail-Adresse):",
        "Failures": "Fehler",
        "Failures:": "Fehler:",
        "No failures.": "Keine Fehler.",
        "Mail sent before later payments were applied": "Versandt, bevor spätere Zahlungen zugeordnet wurden",
        "Mail sent before later payments were applied:": "Versandt, bevor spätere Zahlungen zugeordnet wurden:",
        "None.": "Keine.",
        "The attached workbook lists unmatched lines, suggestions to review and customers over their limit.": (
            "Die angehängte Arbeitsmappe listet nicht zugeordnete Zeilen, zu prüfende Vorschläge und "
            "Kunden über ihrem Limit."
        ),
        "Receipts by customer": "Zahlungseingänge nach Kunde",
        "Received": "Eingegangen",
        "Applied": "Zugeordnet",
        "Unapplied": "Noch offen (Guthaben)",
        "Receipts": "Zahlungen",
        "Avg days to pay": "Ø Tage bis Zahlung",
        "Received from {customer} ({period}): {received}, applied {applied}, unapplied {unapplied}": (
            "Eingegangen von {customer} ({period}): {received}, zugeordnet {applied}, nicht zugeordnet {unapplied}"
        ),
        "Reversals and postings by hand": "Stornos und Buchungen von Hand",
        "Reversals and postings by hand:": "Stornos und Buchungen von Hand:",
        "When": "Wann",
        "Who": "Wer",
        "What": "Was",
        "Source": "Herkunft",
        "Invoices": "Rechnungen",
        "Amount": "Betrag",
        "reversal": "Storno",
        "applied by hand": "von Hand zugeordnet",
        "netting by hand": "von Hand verrechnet",
        "netting approved": "Verrechnung bestätigt",
        "write-off by hand": "Abschreibung von Hand",
        "Aging by bucket, in {base} (other currencies converted)": (
            "Altersstruktur nach Bändern, in {base} (andere Währungen umgerechnet)"
        ),
        "Receipts per week, {base} lines": "Zahlungseingänge je Woche, Bankzeilen in {base}",
        "Cash-in forecast, 13 weeks": "Prognose der Zahlungseingänge, 13 Wochen",
        "Cash-in forecast, 13 weeks, in {currency}": "Prognose der Zahlungseingänge, 13 Wochen, in {currency}",
        "Cash-in forecast, 13 weeks, in {currency} (all currencies converted)": (
            "Prognose der Zahlungseingänge, 13 Wochen, in {currency} (alle Währungen umgerechnet)"
        ),
        "low-high": "Spanne (niedrig–hoch)",
        "expected": "erwartet",
        "Review": "Vorschläge zur Prüfung",
        "OverLimit": "Über Limit",
        "Candidates": "Mögliche Rechnungen",
        "Repeats LineID": "Wiederholt LineID",
        "Current": "Nicht fällig",
        "In {base}, each currency converted at the rate of {date}: {rates}": (
            "In {base}, jede Währung zum Kurs vom {date} umgerechnet: {rates}"
        ),
        "1 {base} = {rate} {currency} ({day})": "1 {base} = {rate} {currency} (Kurstabelle vom {day})",
        "statement": "Kontoauszug",
        "reminder": "Zahlungserinnerung",
        "notice": "Mahnung",
        "report": "Monatsbericht",
        "statements": "Kontoauszüge",
        "notices": "Mahnungen",
        "not sent yet": "noch nicht versandt",
        "refused": "abgelehnt",
        "previewed, not sent": "nur Vorschau, nicht versandt",
        "{what} to {customer} ({to}): {outcome}: {detail}": "{what} an {customer} ({to}): {outcome}: {detail}",
        "level {level} {kind}": "{kind} Stufe {level}",
        "{what} to {customer}, sent {at}: {paid} paid by them was applied after it went out": (
            "{what} an {customer}, versandt {at}: Zahlungen von {paid} erst nach dem Versand zugeordnet"
        ),
    },
    "zh": {
        "month-end": "月末结账",
        "(revised)": "（修订）",
        "{matched} matched, {review} to review, {unmatched} unmatched": (
            "已匹配 {matched}，待审核 {review}，未匹配 {unmatched}"
        ),
        "Bank lines and matching": "银行流水与匹配",
        "Bank lines in the month": "本月银行流水",
        "Receipts (credits)": "收款（贷记）",
        "Matched automatically": "自动匹配",
        "Matched by hand": "手工匹配",
        "Partly matched": "部分匹配",
        "Waiting for review": "待审核",
        "Unmatched": "未匹配",
        "Of those, repeats of a transfer from another file": "其中，其他文件中重复的转账",
        "Money applied (auto)": "已核销金额（自动）",
        "Money applied (approved)": "已核销金额（已批准）",
        "Fees and discounts": "手续费和折扣",
        "Exchange differences (fx)": "汇兑差额 (fx)",
        "Unapplied cash": "未核销款项",
        "What the month-end runs of {date} did": "{date} 月末结账运行的结果",
        "Bank lines imported by the month's runs": "本月运行导入的银行流水",
        "Of those, dated outside the month": "其中，日期不在本月",
        "Lines posted automatically by the month's runs": "本月运行自动过账的流水",
        "Money they took (auto-posted)": "其自动过账金额",
        "Lines waiting for review": "待审核的流水",
        "Lines left open (BankLines.Note says why)": "未结流水（原因见 BankLines.Note）",
        "Bank reconciliation": "银行对账",
        "Account": "账户",
        "From": "自",
        "To": "至",
        "Opening": "期初余额",
        "Lines": "流水",
        "Duplicates (not counted)": "重复（不计）",
        "Closing": "期末余额",
        "Difference": "差额",
        "balanced": "平衡",
        "A difference means the bank lines of that account disagree with the bank's own balances: "
        "usually a line imported twice (from a second export) or a missing statement.": (
            "差额表示该账户的银行流水与银行自己的余额不一致：通常是某条流水被导入了两次（来自第二次导出），或缺少一份对账单。"
        ),
        "No imported statement carried balances.": "导入的对账单均不含余额。",
        "Account {account}: opening {opening} + lines {lines} = closing {closing}": (
            "账户 {account}：期初余额 {opening} + 流水 {lines} = 期末余额 {closing}"
        ),
        ", difference {amount}": "，差额 {amount}",
        " ({amount} in repeated transfers not counted)": "（重复转账 {amount} 未计入）",
        "Currency": "币种",
        "Open, as booked": "未结（按记账币种）",
        "Rate (1 {base} =)": "汇率（1 {base} =）",
        "Rate of": "汇率日期",
        "In {base}": "折合 {base}",
        "All currencies": "所有币种",
        "Open {booked}": "未结 {booked}",
        " at {rate} of {day} = {converted}": "，按 {day} 汇率 {rate} = {converted}",
        "Open receivables, all currencies in {base}: {amount}": "未结应收，所有币种折合 {base}：{amount}",
        "Aging": "账龄",
        "Bucket": "账龄段",
        "This month": "本月",
        "Last month": "上月",
        "Change": "变动",
        "Total": "合计",
        "Customers on Hold": "暂停信用的客户 (Hold)",
        "Customer": "客户",
        "Name": "名称",
        "Exposure": "敞口",
        "Limit": "额度",
        "Why": "原因",
        "Notices sent": "已发送的催款通知",
        "Level": "级别",
        "Messages": "邮件数",
        "Forecast": "预测",
        "Not mailed: no usable e-mail address (send by post or call)": "未发送：没有可用的电子邮件地址（请邮寄或致电）",
        "Not mailed (no usable e-mail address):": "未发送（没有可用的电子邮件地址）：",
        "Failures": "失败",
        "Failures:": "失败：",
        "No failures.": "无失败。",
        "Mail sent before later payments were applied": "在后续付款核销前已发送的邮件",
        "Mail sent before later payments were applied:": "在后续付款核销前已发送的邮件：",
        "None.": "无。",
        "The attached workbook lists unmatched lines, suggestions to review and customers over their limit.": (
            "附件工作簿列出未匹配的流水、待审核的建议和超出额度的客户。"
        ),
        "Receipts by customer": "按客户收款",
        "Received": "收款",
        "Applied": "已核销",
        "Unapplied": "未核销",
        "Receipts": "笔数",
        "Avg days to pay": "平均回款天数",
        "Received from {customer} ({period}): {received}, applied {applied}, unapplied {unapplied}": (
            "{customer}（{period}）收款 {received}，已核销 {applied}，未核销 {unapplied}"
        ),
        "Reversals and postings by hand": "冲销与手工核销",
        "Reversals and postings by hand:": "冲销与手工核销：",
        "When": "时间",
        "Who": "操作人",
        "What": "类型",
        "Source": "来源",
        "Invoices": "发票",
        "Amount": "金额",
        "reversal": "冲销",
        "applied by hand": "手工核销",
        "netting by hand": "手工抵扣",
        "netting approved": "抵扣已批准",
        "write-off by hand": "手工坏账核销",
        "Aging by bucket, in {base} (other currencies converted)": "账龄分布（{base}，其他币种已折算）",
        "Receipts per week, {base} lines": "每周收款（{base} 流水）",
        "Cash-in forecast, 13 weeks": "回款预测（13 周）",
        "Cash-in forecast, 13 weeks, in {currency}": "回款预测（13 周，{currency}）",
        "Cash-in forecast, 13 weeks, in {currency} (all currencies converted)": (
            "回款预测（13 周，{currency}，所有币种已折算）"
        ),
        "low-high": "区间（低–高）",
        "expected": "预期",
        "Review": "待审核的建议",
        "OverLimit": "超出额度",
        "Candidates": "候选发票",
        "Repeats LineID": "重复的 LineID",
        "Current": "未到期",
        "In {base}, each currency converted at the rate of {date}: {rates}": "折合 {base}，各币种按 {date} 汇率折算：{rates}",
        "1 {base} = {rate} {currency} ({day})": "1 {base} = {rate} {currency}（{day} 汇率）",
        "statement": "对账单",
        "reminder": "付款提醒",
        "notice": "催款通知",
        "report": "月末报告",
        "statements": "对账单",
        "notices": "催款通知",
        "not sent yet": "尚未发送",
        "refused": "被拒绝",
        "previewed, not sent": "仅预览，未发送",
        "{what} to {customer} ({to}): {outcome}: {detail}": "{what}（{customer}，{to}）：{outcome}：{detail}",
        "{step}: {detail}": "{step}：{detail}",
        "level {level} {kind}": "{level} 级{kind}",
        "{what} to {customer}, sent {at}: {paid} paid by them was applied after it went out": (
            "{what}（{customer}，发送于 {at}）：其付款 {paid} 在发送后才核销"
        ),
    },
}


@dataclass(frozen=True)
class Words:
    """The report's labels and number formats for one language and locale."""

    formatter: Formatter
    pdf_font: str  # the Settings pdf_font: a font file for letters the charts' default font lacks ("" none)

    def __call__(self, text: str, **values: object) -> str:
        """`text` in the report's language (English where it has no translation), `values` filled in."""
        said = REPORT_LABELS.get(self.formatter.language, {}).get(text, text)
        return said.format(**values) if values else said

    def number(self, value: int) -> str:
        return self.formatter.number(value)

    def decimal(self, value: Decimal | float, places: int | None = None) -> str:
        """A number in the locale's way, with all its decimals (a rate: 0.87058 en, 0,87058 de) or
        rounded to `places` (12.5 days, 12,5 Tage)."""
        if places is None:
            return format_decimal(value, locale=self.formatter.locale, decimal_quantization=False)
        return format_decimal(value, format="#,##0." + "0" * places, locale=self.formatter.locale)

    def day_month(self, day: dt.date) -> str:
        """A day of a chart's axis: "Oct 5" (en), "5. Okt." (de), "10月5日" (zh)."""
        return format_skeleton("MMMd", day, locale=self.formatter.locale)

    def rate(self, rate: Rate) -> str:
        """ "1 EUR = 1.1684 USD (2026-10-30)": the rate and the date of its Rates row."""
        return self(
            "1 {base} = {rate} {currency} ({day})",
            base=rate.base,
            rate=self.decimal(rate.value),
            currency=rate.currency,
            day=rate.day.isoformat(),
        )

    def font(self, text: str) -> FontProperties | None:
        """The font for a chart showing `text`: None (matplotlib's own, DejaVu Sans) for text it
        covers, else the first font file with every letter (Settings pdf_font, else the system's
        CJK fonts), as statements choose theirs; InputError naming pdf_font when none has them."""
        if all(ord(ch) < _EAST_ASIAN for ch in text):
            return None
        found = PdfFont.for_texts({"the month-end report's charts": text}, self.pdf_font)
        return FontProperties(fname=found.source)

    def money(self, minor: int, currency: str) -> str:
        """ "1.234,56 EUR" (de), "1,234.56 EUR" (en): the code, not a sign, as the report adds no
        currencies and "$" would not say which dollar; in the currency's decimals (1,234 JPY)."""
        amount = cents_to_decimal(int(minor), currency_digits(currency))
        return format_currency(
            amount, currency, format="#,##0.00 ¤¤", currency_digits=True, locale=self.formatter.locale
        )

    def amounts(self, totals: dict[str, int], base: str) -> str:
        """Money per currency, never added across ("1.200,00 EUR; 350,00 USD"); none: zero of `base`."""
        return "; ".join(self.money(v, c) for c, v in totals.items()) or self.money(0, base)

    def value(self, value: object, base: str) -> str:
        """A figure as the report shows it: a count with thousands separated, money per currency."""
        if isinstance(value, dict):
            return self.amounts(value, base)
        if isinstance(value, int):
            return self.number(value)
        return str(value)


_EAST_ASIAN = 0x2E80
"""The first code point of the CJK blocks: below it DejaVu Sans, matplotlib's font, has the letters a report uses."""


def report_words(locale: str, pdf_font: str) -> Words:
    """The words of a report for a workbook whose Settings locale is `locale` ("de", "de_CH", "en")
    and pdf_font `pdf_font`."""
    return Words(formatter_for("", locale), pdf_font)
