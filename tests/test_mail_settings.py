"""What the mailer is told is made from the typed Settings in one place each (arbook.mail)."""

from __future__ import annotations

import pytest

import mailer
from arbook.mail import company, smtp_settings
from common.errors import InputError
from workbook.contract import Settings


def test_settings_without_host_or_sender_are_refused():
    with pytest.raises(InputError) as err:
        smtp_settings(Settings(smtp_host="", mail_from="not an address"))
    text = str(err.value)
    assert "smtp_host" in text and "mail_from" in text and "Settings" in text
    ok = smtp_settings(
        Settings(
            smtp_host="mail.example", mail_from="AR Team <ar@x.example>", smtp_starttls=False, smtp_port=465
        )
    )
    assert (ok.host, ok.port, ok.starttls, ok.rate_per_minute) == ("mail.example", 465, False, 30)
    assert ok.sender == "ar@x.example"  # the envelope sender is the bare address


def test_the_company_block_comes_from_the_company_settings():
    settings = Settings(
        company_name="Muster AG",
        company_address="Hauptstr. 1",
        company_email="ar@x.example",
        remit_to="IBAN DE89",
    )
    assert company(settings) == mailer.Company("Muster AG", "Hauptstr. 1", "ar@x.example", "IBAN DE89")
