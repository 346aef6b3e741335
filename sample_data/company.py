"""The sample company itself: its settings and its bank accounts.

Nordwerk Industrietechnik GmbH, a Stuttgart machine-parts maker selling in Europe, the US
and China. It keeps four accounts: the main EUR account and a USD and a GBP account at one
bank (MT940 statements), and a second EUR account at a savings bank whose online banking
exports CSV.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workbook.contract import SETTINGS

__all__ = ["ACCOUNTS", "COMPANY_NAME", "Account", "account_for", "company_settings", "source_file"]

COMPANY_NAME = "Nordwerk Industrietechnik GmbH"


@dataclass(frozen=True)
class Account:
    key: str
    iban: str
    currency: str
    bank: str
    bic: str
    format: str  # "mt940" or "csv"
    opening_balance: int  # cents, on the first day of the month


ACCOUNTS: tuple[Account, ...] = (
    Account("main", "DE89370400440532013000", "EUR", "Commerzbank AG", "COBADEFFXXX", "mt940", 48_731_250),
    Account("usd", "DE27370400440532013001", "USD", "Commerzbank AG", "COBADEFFXXX", "mt940", 12_904_410),
    Account("gbp", "DE70370400440532013002", "GBP", "Commerzbank AG", "COBADEFFXXX", "mt940", 3_377_125),
    Account(
        "savings",
        "DE12600501010002345678",
        "EUR",
        "Landesbank Baden-Wuerttemberg",
        "SOLADEST600",
        "csv",
        9_815_060,
    ),
)
_BY_KEY = {a.key: a for a in ACCOUNTS}


def account_for(key: str) -> Account:
    return _BY_KEY[key]


def source_file(key: str, as_of: dt.date, *, copy: bool = False) -> str:
    """The statement file a line of account `key` arrives in (see bankfiles.write_bank_files).

    `copy`: the main account's CSV export that repeats some transfers (the duplicates).
    """
    period = f"{as_of:%Y-%m}"
    if copy:
        return f"umsaetze_{key}_{period}_export.csv"
    account = account_for(key)
    return f"{key}_{period}.sta" if account.format == "mt940" else f"umsaetze_{key}_{period}.csv"


def company_settings() -> dict[str, object]:
    """Every contract setting as `Book.settings` types it (money in cents, lists as tuples).

    The company's own values where a real company would set them; contract defaults for
    the rest, so a setting added to the contract appears here too.
    """
    own = {
        "company_name": COMPANY_NAME,
        "company_address": "Industriestraße 12, 70565 Stuttgart, Deutschland",
        "company_email": "forderungen@nordwerk-industrietechnik.de",
        "remit_to": (
            "Commerzbank AG Stuttgart · IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX "
            "(USD: IBAN DE27 3704 0044 0532 0130 01; GBP: IBAN DE70 3704 0044 0532 0130 02)"
        ),
        "base_currency": "EUR",
        "locale": "de",
        "date_order": "dmy",
        "late_interest": False,
        "late_interest_rate": 11.27,
        "aging_buckets": (30, 60, 90, 120),
        "aging_basis": "due",
        "match_auto_threshold": 90.0,
        "match_suggest_threshold": 60.0,
        "amount_tolerance": 0,
        "fee_tolerance": 1500,
        "smtp_host": "smtp.office365.com",
        "smtp_port": 587,
        "smtp_user": "forderungen@nordwerk-industrietechnik.de",
        "smtp_starttls": True,
        "mail_from": "Nordwerk Forderungsmanagement <forderungen@nordwerk-industrietechnik.de>",
        "mail_reply_to": "buchhaltung@nordwerk-industrietechnik.de",
        "report_recipients": ("cfo@nordwerk-industrietechnik.de", "buchhaltung@nordwerk-industrietechnik.de"),
        "mail_rate_per_minute": 30,
        "statement_min_balance": 1,
    }
    return {s.key: own.get(s.key, s.default) for s in SETTINGS}
