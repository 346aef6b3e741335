"""The workbook contract of SPEC §2, declared once, as data.

The reader, the validator, the template builder and the README's table of tables all derive
from these declarations; change a table here and every one of them follows.

Types inside arbook (what `Book.read` returns per column kind):
  text, id, choice  -> Python str, "" when empty (IDs are text: 100999 never becomes 100999.0)
  money             -> pandas Int64, integer cents (<NA> when empty and not required)
  date, datetime    -> pandas datetime64[ns] (dates normalised to midnight), NaT when empty
  bool              -> bool (empty is False)
  int               -> pandas Int64
  number            -> float64 (scores, rates, percentages: never compared for equality)
The DataFrame index is the Excel row number of each row, so any later check can name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

__all__ = [
    "SETTINGS",
    "TABLES",
    "Column",
    "Kind",
    "Owner",
    "Setting",
    "Table",
    "normalise_header",
    "table",
]

Kind = Literal["text", "id", "choice", "money", "date", "datetime", "bool", "int", "number"]


class Owner(StrEnum):
    """Who may write a table (SPEC §2)."""

    USER = "user"  # arbook writes only computed (c) columns, and appends rows where allowed
    ARBOOK = "arbook"  # arbook rewrites it; (u) columns are the user's input and survive
    LOG = "log"  # append-only


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"
    required: bool = False
    computed: bool = False  # (c): arbook writes it, even in a user table
    user_input: bool = False  # (u): user input inside an arbook-owned table
    choices: tuple[str, ...] = ()
    width: int = 14  # template column width, in characters
    variable: bool = False  # present or not as a setting says (aging buckets): never added when absent
    description: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    owner: Owner
    columns: tuple[Column, ...]
    key: str | None = None
    optional: bool = False  # may be absent without a problem (Orders, Mapping)
    appendable: bool = False  # arbook may append rows (BankLines, logs)
    description: str = ""

    def column(self, name: str) -> Column:
        wanted = normalise_header(name)
        for col in self.columns:
            if normalise_header(col.name) == wanted:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def computed(self) -> list[str]:
        return [c.name for c in self.columns if c.computed]


def normalise_header(name: object) -> str:
    """Column names match case-insensitively, ignoring spaces and underscores (SPEC §2)."""
    return "".join(str(name).split()).replace("_", "").casefold()


def _c(name: str, kind: Kind = "text", **kw: object) -> Column:
    return Column(name, kind, **kw)  # type: ignore[arg-type]


YES_NO = ("Y", "N")
ALLOCATION_KINDS = ("payment", "fee", "discount", "writeoff", "unapplied")
LANGUAGES = ("en", "de", "fr", "zh")

TABLES: tuple[Table, ...] = (
    Table(
        "Settings",
        Owner.USER,
        (
            _c("Key", "id", required=True, width=26),
            _c("Value", "text", width=40, description="empty: the default applies"),
            _c("Description", width=60),
        ),
        key="Key",
        description="Company details and tuning; missing keys take their defaults.",
    ),
    Table(
        "Customers",
        Owner.USER,
        (
            _c("CustomerID", "id", required=True),
            _c("Name", required=True, width=32),
            _c("Email", width=28),
            _c("CC", width=24),
            _c("Language", "choice", choices=LANGUAGES, width=10),
            _c("Currency", width=10),
            _c("PaymentTermsDays", "int"),
            _c("CreditLimit", "money"),
            _c("Aliases", computed=True, width=32, description="learned payer names, ;-separated"),
            _c("DunningBlocked", "bool"),
            _c("Segment"),
            _c("Address", width=40),
            _c("ContactName", width=22),
            _c(
                "Group",
                width=20,
                description="the group's id or name, the same for its members (parent, shared-service centre)",
            ),
            _c(
                "DiscountTerms",
                width=18,
                description="early-payment discount: 2/10 net 30, 2 % 10 Tage, 10天内2%",
            ),
        ),
        key="CustomerID",
    ),
    Table(
        "Invoices",
        Owner.USER,
        (
            _c("InvoiceNo", "id", required=True),
            _c("CustomerID", "id", required=True),
            _c("InvoiceDate", "date", required=True),
            _c("DueDate", "date", description="default InvoiceDate + PaymentTermsDays"),
            _c("Currency", width=10),
            _c("Amount", "money", required=True, description="negative = credit note"),
            _c("Reference", width=20),
            _c("Disputed", "bool", width=10),
            _c("DisputeNote", width=24),
            _c("PromiseDate", "date"),
            _c("DiscountTerms", width=18, description="this invoice's own terms (else the customer's)"),
            _c("OpenAmount", "money", computed=True),
            _c("Status", "choice", computed=True, choices=("Open", "Partial", "Paid", "Credit")),
            _c("LastPaymentDate", "date", computed=True),
        ),
        key="InvoiceNo",
    ),
    Table(
        "Orders",
        Owner.USER,
        (
            _c("OrderNo", "id", required=True),
            _c("CustomerID", "id", required=True),
            _c("OrderDate", "date"),
            _c("Amount", "money", required=True),
            _c("Status", "choice", choices=("Open", "Invoiced", "Cancelled")),
        ),
        key="OrderNo",
        optional=True,
    ),
    Table(
        "BankLines",
        Owner.USER,
        (
            _c(
                "LineID",
                "id",
                computed=True,
                width=18,
                description="stable hash of account+date+amount+bank ref+memo",
            ),
            _c("Date", "date", required=True),
            _c("Amount", "money", required=True, description="money in > 0"),
            _c("Currency", width=10),
            _c("Payer", width=28),
            _c("Memo", width=48),
            _c("BankRef", width=20),
            _c("Account", width=24),
            _c("SourceFile", width=24),
            _c("ImportedAt", "datetime", width=18),
            _c(
                "Status",
                "choice",
                computed=True,
                choices=("Unmatched", "Suggested", "Matched", "Partial", "Ignored"),
            ),
            _c("Note", width=30),
        ),
        key="LineID",
        appendable=True,
    ),
    Table(
        "Matches",
        Owner.ARBOOK,
        (
            _c("MatchID", "id"),
            _c("LineID", "id", width=18),
            _c("InvoiceNo", "id"),
            _c("CustomerID", "id"),
            _c("Amount", "money"),
            _c("Kind", "choice", choices=ALLOCATION_KINDS, description="what this row of the proposal posts"),
            _c("Score", "number", width=8),
            _c("Decision", "choice", choices=("auto", "suggested"), width=10),
            _c("Reason", width=60),
            _c("Approve", "choice", user_input=True, choices=YES_NO, width=9),
            _c("Status", "choice", choices=("pending", "posted", "rejected"), width=10),
        ),
    ),
    Table(
        "Allocations",
        Owner.LOG,
        (
            _c("AllocationID", "id"),
            _c("LineID", "id", width=18),
            _c("InvoiceNo", "id"),
            _c("CustomerID", "id"),
            _c("Amount", "money"),
            _c("PaymentDate", "date"),
            _c("Kind", "choice", choices=ALLOCATION_KINDS),
            _c("Method", "choice", choices=("auto", "approved", "manual")),
            _c("PostedAt", "datetime", width=18),
        ),
        appendable=True,
    ),
    Table(
        "Aging",
        Owner.ARBOOK,
        (
            _c("CustomerID", "id"),
            _c("Name", width=32),
            _c("Current", "money"),
            *(_c(b, "money", variable=True) for b in ("1-30", "31-60", "61-90", "91-120", "120+")),
            _c("Total", "money"),
            _c("Overdue", "money"),
            _c("AvgDaysLate", "number"),
            _c("OldestDueDate", "date"),
        ),
        description="bucket columns follow the aging_buckets setting",
    ),
    Table(
        "Credit",
        Owner.ARBOOK,
        (
            _c("CustomerID", "id"),
            _c("Name", width=32),
            _c("CreditLimit", "money"),
            _c("OpenAR", "money"),
            _c("OpenOrders", "money"),
            _c("Exposure", "money"),
            _c("Available", "money"),
            _c("Utilization", "number"),
            _c("AvgDaysLate", "number"),
            _c("OnTimeRate", "number"),
            _c("Score", "number", width=8),
            _c("Grade", "choice", choices=("A", "B", "C", "D"), width=8),
            _c("RecommendedLimit", "money"),
            _c("Action", "choice", choices=("OK", "Review", "Hold"), width=9),
        ),
    ),
    Table(
        "Forecast",
        Owner.ARBOOK,
        (
            _c("Period", width=22),
            _c("Expected", "money"),
            _c("Low", "money"),
            _c("High", "money"),
            _c("Invoices", "int"),
        ),
    ),
    Table(
        "KPIs",
        Owner.ARBOOK,
        (
            _c("Metric", "id", width=28),
            _c("Value", "number"),
            _c("Unit", width=10),
            _c("AsOf", "date"),
            _c("Description", width=60),
        ),
        description="figures the Dashboard's formulas look up by Metric",
    ),
    Table(
        "DunningLevels",
        Owner.USER,
        (
            _c("Level", "int", required=True, width=8),
            _c("DaysOverdue", "int", required=True),
            _c("Template", required=True, width=20),
            _c("MinAmount", "money"),
            _c("Fee", "money"),
        ),
        key="Level",
    ),
    Table(
        "Templates",
        Owner.USER,
        (
            _c("Name", required=True, width=20),
            _c("Language", "choice", required=True, choices=LANGUAGES, width=10),
            _c("Subject", required=True, width=40),
            _c("Body", required=True, width=80),
        ),
    ),
    Table(
        "MailLog",
        Owner.LOG,
        (
            _c("MessageID", "id", width=30),
            _c("At", "datetime", width=18),
            _c("Kind", "choice", choices=("statement", "reminder", "notice", "report")),
            _c("Level", "int", width=8),
            _c("CustomerID", "id"),
            _c("To", width=28),
            _c("Subject", width=40),
            _c("Amount", "money"),
            _c("InvoiceNos", width=30),
            _c("AsOf", "date"),
            _c("Status", "choice", choices=("sent", "outbox", "failed")),
            _c("Detail", width=40),
        ),
        appendable=True,
    ),
    Table(
        "Audit",
        Owner.LOG,
        (
            _c("At", "datetime", width=18),
            _c("User"),
            _c("Command", width=30),
            _c("Summary", width=60),
            _c("SHA256Before", width=20),
            _c("SHA256After", width=20),
        ),
        appendable=True,
    ),
    Table(
        "BankStatements",
        Owner.LOG,
        (
            _c("StatementID", "id", width=30),
            _c("Account", width=24),
            _c("Currency", width=10),
            _c("FromDate", "date"),
            _c("ToDate", "date"),
            _c("OpeningBalance", "money"),
            _c("ClosingBalance", "money"),
            _c("Lines", "int", width=8),
            _c("SourceFile", width=24),
            _c("ImportedAt", "datetime", width=18),
        ),
        appendable=True,
        description="statement balances kept for the month-end bank reconciliation",
    ),
    Table(
        "Mapping",
        Owner.USER,
        (
            _c("Table", required=True),
            _c("Column", required=True),
            _c("Source", required=True, width=20),
            _c("SourceColumn", required=True, width=20),
        ),
        optional=True,
    ),
)

_BY_NAME = {normalise_header(t.name): t for t in TABLES}


def table(name: str) -> Table:
    """The declaration of a contract table, by name (case and spaces ignored)."""
    try:
        return _BY_NAME[normalise_header(name)]
    except KeyError:
        raise KeyError(f"no contract table named {name!r}") from None


@dataclass(frozen=True)
class Setting:
    key: str
    kind: Kind | Literal["buckets", "list"]
    default: object
    description: str = ""
    choices: tuple[str, ...] = field(default=())


SETTINGS: tuple[Setting, ...] = (
    Setting("company_name", "text", "", "Your company's name, printed on statements"),
    Setting("company_address", "text", "", "Postal address for statement headers"),
    Setting("company_email", "text", "", "Where customers can reply"),
    Setting("remit_to", "text", "", "Bank details printed on statements"),
    Setting("base_currency", "text", "EUR", "Currency of the books"),
    Setting("locale", "text", "en", "Default language for customers without one"),
    Setting("date_order", "choice", "dmy", "Order of ambiguous text dates: dmy or mdy", ("dmy", "mdy")),
    Setting("late_interest", "bool", False, "Add statutory interest to notices"),
    Setting("late_interest_rate", "number", 0.0, "Yearly rate in percent for late interest"),
    Setting("aging_buckets", "buckets", (30, 60, 90, 120), "Upper limits of the aging buckets, in days"),
    Setting("aging_basis", "choice", "due", "Age from due date or invoice date", ("due", "invoice")),
    Setting("match_auto_threshold", "number", 90.0, "Score at or above which a match posts itself"),
    Setting("match_suggest_threshold", "number", 60.0, "Score at or above which a match is suggested"),
    Setting("amount_tolerance", "money", 0, "Difference still treated as an equal amount"),
    Setting("fee_tolerance", "money", 1500, "Largest bank fee or discount booked automatically"),
    Setting("smtp_host", "text", "", "Outgoing mail server"),
    Setting("smtp_port", "int", 587, "Its port"),
    Setting("smtp_user", "text", "", "Login name (the password is never stored here)"),
    Setting("smtp_starttls", "bool", True, "STARTTLS on the plain port (no: SSL on 465)"),
    Setting("mail_from", "text", "", "Sender address"),
    Setting("mail_reply_to", "text", "", "Reply-To address"),
    Setting("report_recipients", "list", (), "Who gets the month-end report, ;-separated"),
    Setting("mail_rate_per_minute", "int", 30, "Most messages sent per minute"),
    Setting("statement_min_balance", "money", 1, "Smallest balance that earns a statement"),
    Setting("dso_period_days", "int", 90, "Days of credit sales behind the simple DSO"),
    Setting(
        "credit_review_utilization",
        "number",
        80.0,
        "Utilisation in percent above which a customer is reviewed",
    ),
    Setting("credit_hold_days", "int", 90, "Days overdue at which a customer is put on Hold"),
    Setting("credit_limit_step", "money", 100000, "Recommended limits are rounded up to this step"),
    Setting(
        "forecast_min_payments",
        "int",
        3,
        "Payments a customer needs before its own history drives the forecast",
    ),
    Setting("forecast_months", "int", 12, "Months of forecast after the first 13 weeks"),
    Setting(
        "dunning_min_interval_days", "int", 7, "Fewest days between two notice levels for the same invoice"
    ),
    Setting("pdf_font", "text", "", "Font file for statement PDFs (empty: found on the system)"),
    Setting(
        "smtp_security",
        "choice",
        "",
        "starttls, ssl, or none for a relay on your own network (blank: smtp_starttls decides)",
        ("starttls", "ssl", "none"),
    ),
    Setting(
        "smtp_ca_file",
        "text",
        "",
        "Your company's certificate authority (PEM file), if it signed the server's",
    ),
    Setting(
        "smtp_auth",
        "choice",
        "password",
        "password, microsoft or google (OAuth2: run arbook mail-login once)",
        ("password", "microsoft", "google"),
    ),
    Setting("smtp_oauth_client_id", "text", "", "OAuth2: application (client) ID registered for arbook"),
    Setting("smtp_oauth_tenant", "text", "", "Microsoft 365: directory (tenant) ID or domain"),
    Setting(
        "match_non_receipt_words",
        "list",
        (),
        "Your own words for money that is no customer payment (Mieteinnahme; licence fee), ;-separated",
    ),
)
