"""receivables: what customers owe and how they pay, computed from ledger frames.

ledger    the open-amount rule, open items, invoice balances, payment history and behaviour,
          and `Ledger`, one snapshot of them as of a date shared by a whole run
aging     buckets of days overdue and the Aging table
credit    the scorecard, the credit policy and whether an order fits
forecast  when the open invoices will most likely be paid
kpi       DSO, CEI and the other KPIs, declared once (`KPIS`) for the table and the Dashboard
money     totals across currencies: added per currency, each converted once through the Rates
receipts  the receipts report: money received, applied and unapplied by customer and month

Pure: DataFrames in, DataFrames out; it knows nothing of the workbook, the matcher or mail
and imports nothing of arbook's but `common`.
"""

from .aging import aged_items, aging_table, bucket_labels
from .credit import (
    CreditCheck,
    CreditPolicy,
    UnknownCustomerError,
    check_order,
    credit_table,
    live_orders,
    orders_over_credit,
)
from .forecast import FORECAST_COLUMNS, expected_receipts, forecast_periods, forecast_table
from .kpi import (
    KPI_COLUMNS,
    KPIS,
    Kpi,
    average_days_delinquent,
    best_possible_dso,
    collection_effectiveness,
    dso_count_back,
    dso_simple,
    kpi_table,
    monthly_sales,
    sales_between,
)
from .ledger import (
    INPUT_COLUMNS,
    LATEST,
    OPEN_ITEM_COLUMNS,
    SETTLING_KINDS,
    Ledger,
    invoice_balances,
    no_rates,
    open_items,
    payment_behaviour,
    payment_history,
    weighted,
    with_columns,
)
from .money import by_currency, converted, in_currencies, per_currency_text, sum_in, totals_text
from .receipts import RECEIPT_COLUMNS, receipts

__all__ = [
    "FORECAST_COLUMNS",
    "INPUT_COLUMNS",
    "KPIS",
    "KPI_COLUMNS",
    "LATEST",
    "OPEN_ITEM_COLUMNS",
    "RECEIPT_COLUMNS",
    "SETTLING_KINDS",
    "CreditCheck",
    "CreditPolicy",
    "Kpi",
    "Ledger",
    "UnknownCustomerError",
    "aged_items",
    "aging_table",
    "average_days_delinquent",
    "best_possible_dso",
    "bucket_labels",
    "by_currency",
    "check_order",
    "collection_effectiveness",
    "converted",
    "credit_table",
    "dso_count_back",
    "dso_simple",
    "expected_receipts",
    "forecast_periods",
    "forecast_table",
    "in_currencies",
    "invoice_balances",
    "kpi_table",
    "live_orders",
    "monthly_sales",
    "no_rates",
    "open_items",
    "orders_over_credit",
    "payment_behaviour",
    "payment_history",
    "per_currency_text",
    "receipts",
    "sales_between",
    "sum_in",
    "totals_text",
    "weighted",
    "with_columns",
]
