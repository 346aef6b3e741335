"""What the mailer is told is made from the typed Settings in one place each (arbook.mail)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    assert (ok.host, ok.port, ok.security, ok.rate_per_minute) == ("mail.example", 465, "ssl", 30)
    assert ok.sender == "ar@x.example"  # the envelope sender is the bare address


def test_the_company_block_comes_from_the_company_settings():
    settings = Settings(
        company_name="Muster AG",
        company_address="Hauptstr. 1",
        company_email="ar@x.example",
        remit_to="IBAN DE89",
    )
    assert company(settings) == mailer.Company("Muster AG", "Hauptstr. 1", "ar@x.example", "IBAN DE89")


def test_importing_the_mailer_makes_no_temporary_folder(tmp_path: Path) -> None:
    """The PDF font subsets get their folder when the first PDF needs one, not at import."""
    code = "import mailer, mailer.pdf, os, tempfile; print(tempfile.gettempdir(), os.listdir(tempfile.gettempdir()))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.stdout.split() == [str(tmp_path), "[]"]  # nothing in it while the mailer is loaded
