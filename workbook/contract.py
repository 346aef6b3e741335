"""The workbook contract, declared once, as data (docs/contract.md is generated from it and explains it).

The reader, the validator, the template builder and the README's table of tables all derive
from these declarations; change a table here and every one of them follows.

Types inside arbook (what `Book.read` returns per column kind):
  text, id, choice  -> Python str, "" when empty (IDs are text: 100999 never becomes 100999.0)
  currency          -> Python str, an ISO 4217 code in upper case ("EUR"), "" when empty
  money             -> pandas Int64, integer minor units of the row's currency (<NA> when empty
                       and not required): cents of EUR, whole JPY, thousandths of KWD. The row's
                       currency is its own currency column (`Column.currency`, "Currency"), else
                       its customer's (Customers.Currency), else the base_currency setting.
  date, datetime    -> pandas datetime64[ns] (dates normalised to midnight), NaT when empty
  bool              -> bool (empty is False)
  int               -> pandas Int64
  number            -> float64 (scores, rates, percentages: never compared for equality)
The DataFrame index is the Excel row number of each row, so any later check can name it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

from common.values import MAX_AMOUNT_CENTS, MAX_EXACT, MAX_TOTAL_CENTS

__all__ = [
    "SETTINGS",
    "TABLES",
    "Column",
    "Kind",
    "Owner",
    "Setting",
    "SettingKind",
    "Settings",
    "Table",
    "normalise_header",
    "table",
]

Kind = Literal["text", "id", "choice", "currency", "money", "date", "datetime", "bool", "int", "number"]


class Owner(StrEnum):
    """Who may write a table: the user, arbook, or nobody but by appending (a log)."""

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
    most: int | None = None  # int columns: the largest value accepted either way (default: MAX_EXACT)
    currency: str = "Currency"  # money columns: the column of the same row naming its currency

    @property
    def largest(self) -> int:
        """The largest whole number this (int) column takes either way."""
        return MAX_EXACT if self.most is None else self.most


@dataclass(frozen=True)
class Table:
    name: str
    owner: Owner
    columns: tuple[Column, ...]
    key: str | None = None
    optional: bool = False  # may be absent without a problem (Orders, Mapping)
    defaulted: bool = False  # a user table that may be absent: built-in defaults stand in for it
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

    @property
    def largest_amount(self) -> int:
        """Minor units a money cell may hold either way: an amount, or in arbook's own tables a sum of amounts."""
        return MAX_TOTAL_CENTS if self.owner is Owner.ARBOOK else MAX_AMOUNT_CENTS


def normalise_header(name: object) -> str:
    """Column names match case-insensitively, ignoring spaces and underscores."""
    return "".join(str(name).split()).replace("_", "").casefold()


def _c(name: str, kind: Kind = "text", **kw: object) -> Column:
    return Column(name, kind, **kw)  # type: ignore[arg-type]


YES_NO = ("Y", "N")
MAX_DAYS = 3650
"""Payment terms and dunning delays are at most ten years: beyond that a number is a typo, and
a date that far ahead (1e12 days) is no date pandas or Excel can hold."""
ALLOCATION_KINDS = ("payment", "fee", "discount", "writeoff", "fx", "unapplied")
METHODS = ("auto", "approved", "manual", "reversal")
LANGUAGES = ("en", "de", "fr", "zh")
MAIL_KINDS = ("statement", "reminder", "notice", "report")
ORDER_CHECKS = ("OK", "approval needed", "approved", "refused")

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
        defaulted=True,
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
            _c("Currency", "currency", width=10, description="blank: the base currency"),
            _c("PaymentTermsDays", "int", most=MAX_DAYS),
            _c("CreditLimit", "money", description="in the customer's Currency"),
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
            _c("Currency", "currency", width=10, description="blank: the customer's"),
            _c("Amount", "money", required=True, description="negative = credit note"),
            _c("Reference", width=20),
            _c("Disputed", "bool", width=10),
            _c("DisputeNote", width=24),
            _c("PromiseDate", "date"),
            _c("DiscountTerms", width=18, description="this invoice's own terms (else the customer's)"),
            _c("OpenAmount", "money", computed=True),
            _c("Status", "choice", computed=True, choices=("Open", "Partial", "Paid", "Credit")),
            _c("LastPaymentDate", "date", computed=True),
            _c(
                "ApplyTo",
                width=24,
                description="on a credit note: the invoices it settles, e.g. INV-7 200.00; INV-9 (arbook post)",
            ),
            _c("WriteOff", width=24, description="why: write off what is open of it (arbook post)"),
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
            _c("Currency", "currency", width=10, description="blank: the customer's"),
            _c("Amount", "money", required=True),
            _c("Status", "choice", choices=("Open", "Invoiced", "Cancelled")),
            _c(
                "Approve",
                "choice",
                choices=YES_NO,
                width=9,
                description="your decision on an order over the credit: Y or N (arbook credit records it)",
            ),
            _c(
                "CreditCheck",
                "choice",
                computed=True,
                choices=ORDER_CHECKS,
                width=16,
                description="OK, approval needed (over the available credit), approved or refused",
            ),
            _c(
                "OverBy",
                "money",
                computed=True,
                description="how much of the order is over the available credit",
            ),
            _c("CreditReason", computed=True, width=60, description="the figures behind CreditCheck"),
            _c("DecidedBy", computed=True, description="who wrote Approve, as arbook recorded it"),
            _c("DecidedAt", "datetime", computed=True, width=18),
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
            _c("Currency", "currency", width=10, description="blank: the base currency"),
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
            _c(
                "Note",
                computed=True,
                width=30,
                description="why a credit is not matched, after 'arbook: '; your text before it is kept",
            ),
            _c(
                "ApplyTo",
                width=30,
                description="invoices this line pays, by hand: INV-1 600.00; INV-2 "
                "(C002: INV-3 for another customer's) (arbook post)",
            ),
            _c("Reverse", width=24, description="why: undo what was posted from this line (arbook post)"),
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
            _c("Currency", "currency", width=10, description="of Amount: the bank line's"),
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
            _c("Amount", "money", description="in Currency, the invoice's"),
            _c("PaymentDate", "date"),
            _c("Kind", "choice", choices=ALLOCATION_KINDS, description="fx: realised exchange difference"),
            _c("Method", "choice", choices=METHODS),
            _c("PostedAt", "datetime", width=18),
            _c("Posting", "id", description="rows posted together share it"),
            _c("Reverses", "id", description="the AllocationID this row cancels"),
            _c("Reason", width=30, description="why it was posted by hand or reversed"),
            _c(
                "Reverse",
                user_input=True,
                width=20,
                description="why: undo this row (arbook post appends the reversing rows)",
            ),
            _c("Currency", "currency", width=10, description="of Amount; blank: the customer's"),
            _c(
                "LineAmount",
                "money",
                currency="LineCurrency",
                description="taken from a bank line in another currency, in that currency",
            ),
            _c("LineCurrency", "currency", width=10),
        ),
        appendable=True,
    ),
    Table(
        "Aging",
        Owner.ARBOOK,
        (
            _c("CustomerID", "id"),
            _c("Name", width=32),
            _c("Currency", "currency", width=10),
            _c("Current", "money"),
            *(_c(b, "money", variable=True) for b in ("1-30", "31-60", "61-90", "91-120", "120+")),
            _c("Total", "money"),
            _c("Overdue", "money"),
            _c("AvgDaysLate", "number"),
            _c("OldestDueDate", "date"),
        ),
        description="one row per customer and currency, amounts as booked; bucket columns follow the aging_buckets setting",
    ),
    Table(
        "Credit",
        Owner.ARBOOK,
        (
            _c("CustomerID", "id"),
            _c("Name", width=32),
            _c(
                "Currency",
                "currency",
                width=10,
                description="the customer's: every amount of the row is in it",
            ),
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
            _c("ActionReason", width=60, description="every rule behind Action; empty when OK"),
        ),
    ),
    Table(
        "Forecast",
        Owner.ARBOOK,
        (
            _c("Period", width=22),
            _c("Currency", "currency", width=10),
            _c(
                "Basis",
                "choice",
                choices=("converted", "booked"),
                width=11,
                description="booked: as invoiced in Currency; converted: every currency in the base at the as-of rates",
            ),
            _c("Expected", "money"),
            _c("Low", "money"),
            _c("High", "money"),
            _c("Invoices", "int"),
        ),
        description="one block of periods per currency as booked, after the converted block when there are several",
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
            _c("DaysOverdue", "int", required=True, most=MAX_DAYS),
            _c("Template", required=True, width=20),
            _c("MinAmount", "money"),
            _c("Fee", "money"),
        ),
        key="Level",
        defaulted=True,
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
        defaulted=True,
    ),
    Table(
        "MailLog",
        Owner.LOG,
        (
            _c("MessageID", "id", width=30),
            _c("At", "datetime", width=18),
            _c(
                "Kind",
                "choice",
                choices=MAIL_KINDS + tuple(f"{kind} re-send" for kind in MAIL_KINDS[:3]),
                width=18,
                description="'statement re-send': sent again on purpose (--resend), as a new message",
            ),
            _c("Level", "int", width=8),
            _c("CustomerID", "id"),
            _c("To", width=28),
            _c("Subject", width=40),
            _c("Amount", "money"),
            _c("InvoiceNos", width=30),
            _c("AsOf", "date"),
            _c(
                "Status",
                "choice",
                choices=("sent", "outbox", "failed", "refused", "given up", "not mailed", "superseded"),
            ),
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
        "CreditLimitLog",
        Owner.LOG,
        (
            _c("At", "datetime", width=18, description="when arbook credit found the change"),
            _c("CustomerID", "id"),
            _c("Currency", "currency", width=10, description="the customer's"),
            _c("OldLimit", "money", description="empty: none logged before (or no limit)"),
            _c("NewLimit", "money", description="empty: the limit was removed"),
            _c("Note", width=30),
        ),
        appendable=True,
        description="every change of a Customers CreditLimit, found by comparing with the last logged value",
    ),
    Table(
        "BankStatements",
        Owner.LOG,
        (
            _c("StatementID", "id", width=30),
            _c("Account", width=24),
            _c("Currency", "currency", width=10),
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
        "Rates",
        Owner.USER,
        (
            _c("Date", "date", required=True),
            _c("Currency", "currency", required=True, width=10),
            _c(
                "Rate",
                "number",
                required=True,
                description="units of Currency for one unit of the base currency (1 EUR = 1.0550 USD)",
            ),
            _c("Source", width=30),
        ),
        optional=True,
        appendable=True,
        description="exchange rates: the latest on or before a day, at most rate_max_age_days old, applies",
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


SettingKind = Literal["text", "choice", "bool", "money", "int", "number", "buckets", "list"]


@dataclass(frozen=True)
class Setting:
    """One key of the Settings table: its kind, default, meaning, and what makes sense for it.

    `low`/`high` bound a number (money in cents) inclusively; `one_line` refuses a line break
    (the value goes into a mail header or a single printed line); `currency` asks for an ISO
    4217 code; `not_below` names another setting this one may not be smaller than.
    """

    key: str
    kind: SettingKind
    default: object
    description: str = ""
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    one_line: bool = False
    currency: bool = False
    not_below: str = ""


def _setting(kind: SettingKind, default: object, description: str, **constraints: object) -> Any:
    """A field of `Settings` carrying its declaration; the field's default is the setting's."""
    return field(default=default, metadata={"setting": (kind, description, constraints)})


@dataclass(frozen=True)
class Settings:
    """Every setting of the Settings table, typed: the one declaration of each key.

    Money is in cents, day limits and lists are tuples; `workbook.settings` builds it from
    the table (refusing values that make no sense) and `Book.settings()` returns it, so
    nothing else parses a setting or knows its default. Keys the user added that are not
    declared here stay available, as typed, in `other`.
    """

    company_name: str = _setting("text", "", "Your company's name, printed on statements", one_line=True)
    company_address: str = _setting("text", "", "Postal address for statement headers")
    company_email: str = _setting("text", "", "Where customers can reply", one_line=True)
    remit_to: str = _setting("text", "", "Bank details printed on statements")
    base_currency: str = _setting("text", "EUR", "Currency of the books", currency=True)
    locale: str = _setting("text", "en", "Default language for customers without one")
    date_order: str = _setting(
        "choice", "dmy", "Order of ambiguous text dates: dmy or mdy", choices=("dmy", "mdy")
    )
    late_interest: bool = _setting("bool", False, "Add statutory interest to notices")
    late_interest_rate: float = _setting(
        "number", 0.0, "Yearly rate in percent for late interest", low=0, high=100
    )
    aging_buckets: tuple[int, ...] = _setting(
        "buckets", (30, 60, 90, 120), "Upper limits of the aging buckets, in days", high=3660
    )
    aging_basis: str = _setting(
        "choice", "due", "Age from due date or invoice date", choices=("due", "invoice")
    )
    match_auto_threshold: float = _setting(
        "number",
        90.0,
        "Score at or above which a match posts itself",
        low=0,
        high=100,
        not_below="match_suggest_threshold",
    )
    match_suggest_threshold: float = _setting(
        "number", 60.0, "Score at or above which a match is suggested", low=0, high=100
    )
    amount_tolerance: int = _setting(
        "money", 0, "Difference still treated as an equal amount", low=0, high=10_000_000_00
    )
    fee_tolerance: int = _setting(
        "money", 1500, "Largest bank fee or discount booked automatically", low=0, high=10_000_000_00
    )
    writeoff_limit: int = _setting(
        "money",
        0,
        "Largest remainder a posting leaves on an invoice that is written off by itself (0: none)",
        low=0,
        high=10_000_000_00,
    )
    smtp_host: str = _setting("text", "", "Outgoing mail server", one_line=True)
    smtp_port: int = _setting("int", 587, "Its port", low=1, high=65535)
    smtp_user: str = _setting("text", "", "Login name (the password is never stored here)", one_line=True)
    smtp_starttls: bool = _setting("bool", True, "STARTTLS on the plain port (no: SSL on 465)")
    mail_from: str = _setting("text", "", "Sender address", one_line=True)
    mail_reply_to: str = _setting("text", "", "Reply-To address", one_line=True)
    report_recipients: tuple[str, ...] = _setting("list", (), "Who gets the month-end report, ;-separated")
    mail_rate_per_minute: int = _setting("int", 30, "Most messages sent per minute", low=1, high=10_000)
    statement_min_balance: int = _setting(
        "money", 1, "Smallest balance that earns a statement", low=0, high=10_000_000_00
    )
    dso_period_days: int = _setting("int", 90, "Days of credit sales behind the simple DSO", low=1, high=3660)
    credit_review_utilization: float = _setting(
        "number", 80.0, "Utilisation in percent above which a customer is reviewed", low=0, high=100
    )
    credit_hold_days: int = _setting(
        "int", 90, "Days overdue at which a customer is put on Hold", low=1, high=3660
    )
    credit_limit_step: int = _setting(
        "money", 100000, "Recommended limits are rounded up to this step", low=1, high=10_000_000_00
    )
    forecast_min_payments: int = _setting(
        "int", 3, "Payments a customer needs before its own history drives the forecast", low=0, high=1000
    )
    forecast_months: int = _setting("int", 12, "Months of forecast after the first 13 weeks", low=0, high=120)
    dunning_min_interval_days: int = _setting(
        "int", 7, "Fewest days between two notice levels for the same invoice", low=0, high=365
    )
    pdf_font: str = _setting(
        "text", "", "Font file for statement PDFs (empty: found on the system)", one_line=True
    )
    smtp_security: str = _setting(
        "choice",
        "",
        "starttls, ssl, or none for a relay on your own network (blank: smtp_starttls decides)",
        choices=("starttls", "ssl", "none"),
    )
    smtp_ca_file: str = _setting(
        "text",
        "",
        "Your company's certificate authority (PEM file), if it signed the server's",
        one_line=True,
    )
    smtp_auth: str = _setting(
        "choice",
        "password",
        "password, microsoft or google (OAuth2: run arbook mail-login once)",
        choices=("password", "microsoft", "google"),
    )
    smtp_oauth_client_id: str = _setting(
        "text", "", "OAuth2: application (client) ID registered for arbook", one_line=True
    )
    smtp_oauth_tenant: str = _setting(
        "text", "", "Microsoft 365: directory (tenant) ID or domain", one_line=True
    )
    rate_max_age_days: int = _setting(
        "int",
        7,
        "Days a Rates row stays valid after its date (the latest on or before a day applies)",
        low=0,
        high=366,
    )
    fx_rate_tolerance_percent: float = _setting(
        "number",
        1.0,
        "Largest gap in percent between the rate a payment in another currency implies and the "
        "Rates table's at which it still posts itself",
        low=0,
        high=100,
    )
    match_non_receipt_words: tuple[str, ...] = _setting(
        "list",
        (),
        "Your own words for money that is no customer payment (Mieteinnahme; licence fee), ;-separated",
    )
    other: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.metadata["setting"][0], f.default, f.metadata["setting"][1], **f.metadata["setting"][2])
    for f in fields(Settings)
    if "setting" in f.metadata
)
"""The declarations of `Settings`, in the order the Settings table lists them."""
