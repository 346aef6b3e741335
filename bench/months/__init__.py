"""A second month builder, independent of sample_data: company-months in national styles with ground truth.

Three styles (bench.months.china, .usa, .germany) each bring their names, numbering, memo
habits and bank file layout; bench.months.situations plans what every credit pays, in shares
a B2B receivables account shows, traps included (rebates, interest, loans, refunds, card
payouts, advances, groups, near-twins, typed references, discounts, other currencies).
`build_month` makes one month in memory and `write_month` puts it on disk as arbook meets
it: a workbook made by `arbook new`, the bank statement file(s), and truth.csv.

Truth, per credit (BankRef names the line): parts of Kind payment (an invoice and the amount
paid on it; a credit note netted is a negative payment), fee and discount (what settled the
invoice without arriving), unapplied (the customer's money that pays no invoice yet), or one
part of Kind none (money that is no customer receipt). On every line the parts of Kind
payment, unapplied and none add up to the line's amount; amounts are in the line's currency.
"""

from .build import STYLES, Month, MonthFiles, build_month, write_month
from .situations import NOT_INVOICE, SITUATIONS

__all__ = ["NOT_INVOICE", "SITUATIONS", "STYLES", "Month", "MonthFiles", "build_month", "write_month"]
