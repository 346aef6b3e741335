"""The workbook IO benchmark builds its inputs from the table contract, so it keeps running as the contract grows
(its figures are read by people, not asserted; a full run takes minutes: `python -m bench.workbook_io`)."""

from __future__ import annotations

from bench.workbook_io import BANK_KINDS, bank_frame
from workbook.contract import table


def test_the_bank_lines_it_writes_have_every_column_of_the_contract() -> None:
    frame = bank_frame(3)
    assert list(frame.columns) == table("BankLines").column_names
    assert len(BANK_KINDS) == len(frame.columns)
    assert (
        frame[["ApplyTo", "Reverse"]].eq("").all().all()
    )  # the clerk's columns, blank as an import leaves them
