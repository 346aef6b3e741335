"""A CAMT.053 batch of 50 payments: 50 bank lines, each with its own amount, payer and reference."""

from __future__ import annotations

import pytest

from matching.importers import parse_bank_bytes
from tests.bank_fixtures import camt053


@pytest.mark.parametrize("version", ["02", "04", "08"])
def test_batch_of_fifty_becomes_fifty_lines(version: str) -> None:
    bank = parse_bank_bytes(camt053(50, version=version), "batch.xml", date_order="dmy")
    lines = bank.lines
    assert len(lines) == 50 and lines["LineID"].is_unique
    assert lines["Amount"].tolist() == list(range(101, 151))
    assert lines.iloc[6][["Payer", "Memo", "BankRef", "Note", "Status"]].tolist() == [
        "Customer 07 GmbH",
        "Invoice INV-1007 RF18INV1007 E2E-0007",
        "TX0007",
        "batch BATCH-1: 7/50",
        "Unmatched",
    ]
    assert lines["Date"].dt.strftime("%Y-%m-%d").unique().tolist() == ["2026-11-12"]
    assert lines["Account"].unique().tolist() == ["DE02120300000000202051"]
    statement = bank.statements.iloc[0]
    assert statement[["OpeningBalance", "ClosingBalance", "Lines", "Currency"]].tolist() == [
        100000,
        106275,
        50,
        "EUR",
    ]
    assert statement["FromDate"].strftime("%Y-%m-%d") == "2026-11-01" and bank.notes == []


def test_same_batch_in_another_version_gives_the_same_line_ids() -> None:
    old = parse_bank_bytes(camt053(5, version="02"), "a.xml", date_order="dmy").lines
    new = parse_bank_bytes(camt053(5, version="08"), "b.xml", date_order="dmy").lines
    assert old["LineID"].tolist() == new["LineID"].tolist()
