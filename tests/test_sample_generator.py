"""The sample company: deterministic, every situation of a right match (docs/contract.md) present,
and a truth that is exactly right.

The matcher's quality benchmark trusts `truth`, so these tests re-derive every promise it
makes from the frames themselves: cash sums to the line, no invoice is settled beyond its
amount (history included), noise pays nothing, each situation looks like what it claims.
"""

from __future__ import annotations

import random
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sample_data import DEFAULT_AS_OF, SITUATIONS, generate, load_small
from sample_data.memos import spell_reference
from sample_data.names import swift_text
from sample_data.receipts import FEE_TOLERANCE
from workbook.contract import SETTINGS, table

FRAMES = ("customers", "invoices", "orders", "allocations", "bank_lines", "truth")
CONTRACT = {
    "customers": "Customers",
    "invoices": "Invoices",
    "orders": "Orders",
    "allocations": "Allocations",
    "bank_lines": "BankLines",
}
NO_REFERENCE = {s for s in SITUATIONS if s.startswith("payer_")} | {
    "no_reference",
    "multi_no_refs",
    "customer_reference",
}
NOT_RECEIPTS = {"duplicate", "debit", "noise_refund", "noise_interest", "noise_tax", "noise_own_transfer"}


@pytest.fixture(scope="module")
def small():
    return load_small()


@pytest.fixture(scope="module")
def medium():
    return generate(7, customers=300, invoices=4000, bank_lines=2000)


def test_same_seed_gives_identical_frames_and_another_seed_differs():
    a = generate(5, customers=40, invoices=500, bank_lines=150)
    b = generate(5, customers=40, invoices=500, bank_lines=150)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.settings == b.settings
    c = generate(6, customers=40, invoices=500, bank_lines=150)
    assert not a.bank_lines["LineID"].equals(c.bank_lines["LineID"])
    assert not a.customers["Name"].equals(c.customers["Name"])


def test_sizes_columns_and_types_follow_the_contract(small):
    assert len(small.customers) == 60
    assert len(small.invoices) == 600
    assert len(small.bank_lines) == 150
    for attr, name in CONTRACT.items():
        frame = getattr(small, attr)
        assert list(frame.columns) == table(name).column_names
        for col in table(name).columns:
            dtype = frame[col.name].dtype
            if col.kind in ("money", "int"):
                assert dtype == "Int64", (name, col.name)
            elif col.kind in ("date", "datetime"):
                assert dtype == "datetime64[ns]", (name, col.name)
            elif col.kind == "bool":
                assert dtype is np.dtype(bool), (name, col.name)
            else:
                assert dtype is np.dtype(object) and frame[col.name].map(type).eq(str).all(), (name, col.name)
    assert small.truth["Amount"].dtype == "Int64"
    assert set(small.settings) == {s.key for s in SETTINGS}


def test_every_situation_of_spec_4_is_present_in_the_small_set(small):
    assert set(small.truth["Situation"]) == set(SITUATIONS)


def test_realistic_master_data(small):
    cust, inv = small.customers, small.invoices
    assert set(cust["Language"]) == {"en", "de", "fr", "zh"}
    chinese = cust[cust["Language"] == "zh"]
    assert chinese["Name"].str.contains(r"[\u4e00-\u9fff].*有限公司$").all()
    assert chinese["Address"].str.startswith("中国").all()
    assert set(cust["PaymentTermsDays"].dropna().astype(int)) <= {14, 30, 45, 60}
    assert (cust["Email"] == "").any() and cust["DunningBlocked"].any() and (cust["Aliases"] != "").any()
    assert (cust["Aliases"] == "").mean() > 0.8
    assert cust["CustomerID"].is_unique and inv["InvoiceNo"].is_unique
    credit = inv["Amount"] < 0
    assert inv.loc[credit, "InvoiceNo"].str.fullmatch(r"CN-\d{4}-\d{4}").all()
    assert inv.loc[~credit, "InvoiceNo"].str.fullmatch(r"INV-\d{4}-\d{5}").all()
    assert credit.any() and inv["Disputed"].any() and inv["PromiseDate"].notna().any()
    assert (inv.loc[inv["Disputed"], "DisputeNote"] != "").any()
    assert set(small.orders["Status"]) == {"Open", "Invoiced", "Cancelled"}
    assert inv["OpenAmount"].isna().all() and (inv["Status"] == "").all()


def _check_truth(company):
    lines, truth, inv = company.bank_lines, company.truth, company.invoices
    as_of = pd.Timestamp(DEFAULT_AS_OF)
    month_start = as_of.replace(day=1)
    assert lines["LineID"].is_unique
    assert set(truth["LineID"]) == set(lines["LineID"])
    assert lines["Date"].between(month_start, as_of).all()
    assert (truth.groupby("LineID")["Situation"].nunique() == 1).all()
    merged = truth.merge(lines, on="LineID", suffixes=("", "_line"))
    situation = merged.groupby("LineID")["Situation"].first()
    line_amount = lines.set_index("LineID")["Amount"]

    # lines that pay nothing: one row, Kind none, nothing allocated
    none = merged[merged["Kind"] == "none"]
    assert set(none["Situation"]) <= NOT_RECEIPTS
    assert (none["Amount"] == 0).all() and (none["InvoiceNo"] == "").all()
    assert none.groupby("LineID").size().eq(1).all()
    assert (merged.loc[merged["Situation"] == "debit", "Amount_line"] < 0).all()
    assert (merged.loc[merged["Situation"] != "debit", "Amount_line"] > 0).all()

    # receipts: cash (payment + unapplied) is exactly the line's amount
    receipts = merged[merged["Kind"] != "none"]
    assert set(receipts["Situation"]).isdisjoint(NOT_RECEIPTS)
    cash = receipts[receipts["Kind"].isin(["payment", "unapplied"])].groupby("LineID")["Amount"].sum()
    assert cash.equals(line_amount.loc[cash.index].rename("Amount").astype("Int64"))
    assert ((receipts["Kind"] == "unapplied") == (receipts["InvoiceNo"] == "")).all()

    # no invoice settled beyond its amount, history included; sign follows the item
    settling = pd.concat(
        [
            company.allocations.loc[
                company.allocations["Kind"].isin(["payment", "fee", "discount"]), ["InvoiceNo", "Amount"]
            ],
            receipts.loc[receipts["InvoiceNo"] != "", ["InvoiceNo", "Amount"]],
        ]
    )
    per_invoice = settling.groupby("InvoiceNo")["Amount"].agg(["sum", "min", "max"])
    amount = inv.set_index("InvoiceNo")["Amount"].loc[per_invoice.index]
    positive = amount > 0
    assert (per_invoice.loc[positive, "sum"] <= amount[positive]).all()
    assert (per_invoice.loc[positive, "min"] > 0).all()
    assert (per_invoice.loc[~positive, "sum"] >= amount[~positive]).all()
    assert (per_invoice.loc[~positive, "max"] < 0).all()

    # the truth's customer, currency and dates agree with the invoices
    paid = receipts[receipts["InvoiceNo"] != ""].merge(inv, on="InvoiceNo", suffixes=("", "_inv"))
    assert (paid["CustomerID"] == paid["CustomerID_inv"]).all()
    assert (paid["Currency"] == paid["Currency_inv"]).all()
    assert (paid["Date"] > paid["InvoiceDate"]).all()
    assert (company.allocations["PaymentDate"] < month_start).all()

    # fees and discounts: the right size on the right side of fee_tolerance
    fee = receipts[receipts["Kind"] == "fee"]
    assert (fee.loc[fee["Situation"] == "fee", "Amount"] <= FEE_TOLERANCE).all()
    assert (fee.loc[fee["Situation"] == "fee_over_tolerance", "Amount"] > FEE_TOLERANCE).all()
    disc = paid[paid["Kind"] == "discount"]
    assert (disc["Amount"] == (disc["Amount_inv"] * 2 + 50) // 100).all()
    assert (disc.loc[disc["Situation"] == "discount", "Amount"] <= FEE_TOLERANCE).all()
    assert (disc.loc[disc["Situation"] == "discount_over_tolerance", "Amount"] > FEE_TOLERANCE).all()
    assert set(receipts.loc[receipts["Kind"] == "fee", "Situation"]) <= {"fee", "fee_over_tolerance"}

    # what the memo shows matches the situation's claim
    numbers = paid.groupby("LineID")["InvoiceNo"].agg(list)
    memo = lines.set_index("LineID")["Memo"]
    for line_id, invoice_numbers in numbers.items():
        s = situation[line_id]
        written = [n in memo[line_id] for n in invoice_numbers]
        if s in ("exact", "fee", "overpayment"):
            assert all(written), (s, memo[line_id], invoice_numbers)
        if s in NO_REFERENCE or s.startswith("ref_"):
            assert not any(written), (s, memo[line_id], invoice_numbers)
    amount_of = inv.set_index("InvoiceNo")["Amount"]
    for row in paid[paid["Situation"].isin(["ref_typo", "ref_transposed"])].itertuples():
        for written in re.findall(r"INV-\d{4}-\d+", memo[row.LineID]):
            assert amount_of.get(written, -1) != row.Amount_inv, (written, row.InvoiceNo)  # never a coin toss
    single = paid[paid["Situation"].isin(NO_REFERENCE - {"multi_no_refs", "customer_reference"})]
    same_amount = inv.groupby(["CustomerID", "Amount"]).size()
    assert (same_amount.loc[list(zip(single["CustomerID"], single["Amount_inv"], strict=True))] == 1).all()

    # duplicates: an earlier line of the same transfer from another file, which really pays
    dups = lines[lines["LineID"].isin(truth.loc[truth["Situation"] == "duplicate", "LineID"])]
    key = ["Account", "Date", "Amount", "BankRef"]
    twins = dups.merge(lines, on=key, suffixes=("", "_orig"))
    twins = twins[twins["LineID"] != twins["LineID_orig"]]
    assert len(twins) == len(dups)
    assert (twins["SourceFile"] != twins["SourceFile_orig"]).all()
    assert twins["LineID_orig"].map(situation).isin(SITUATIONS.keys() - NOT_RECEIPTS).all()
    return situation


def test_truth_is_consistent_in_the_small_set(small):
    _check_truth(small)


def test_truth_is_consistent_at_a_larger_size(medium):
    situation = _check_truth(medium)
    share = situation.value_counts(normalize=True)
    assert 0.25 < share["exact"] < 0.5
    assert 0.1 < share["debit"] < 0.2
    assert set(share.index) == set(SITUATIONS)


def test_noise_sometimes_has_the_amount_of_an_open_invoice(medium):
    noise = medium.truth[medium.truth["Situation"].str.startswith("noise_")]
    amounts = medium.bank_lines.set_index("LineID").loc[noise["LineID"], "Amount"]
    assert amounts.isin(set(medium.invoices["Amount"].dropna())).mean() > 0.2


def test_memos_carry_the_realistic_traps(medium):
    memo = medium.bank_lines["Memo"]
    assert memo.str.contains(r"货款").any()
    assert memo.str.contains(r"\b\d{2}\.\d{2}\.\d{4}\b").any()  # dates
    assert memo.str.contains(r"IBAN DE").any()
    assert memo.str.contains(r"\bKD \d{5}\b").any()  # our customer numbers
    lines = medium.truth.merge(medium.bank_lines, on="LineID").merge(
        medium.customers, on="CustomerID", suffixes=("", "_customer")
    )
    translit = lines[lines["Situation"] == "payer_translit"]
    assert len(translit) and not translit["Name"].map(str.isascii).any()
    assert translit["Payer"].map(str.isascii).all()
    assert (translit["Payer"].map(swift_text) == translit["Name"].map(swift_text)).all()
    assert translit["Name"].str.contains("ü").any() and translit["Payer"].str.contains("ue").any()
    pinyin = lines[lines["Situation"] == "payer_pinyin"]
    assert len(pinyin) and pinyin["Payer"].str.contains("YOUXIAN GONGSI").all()
    assert pinyin["Name"].str.endswith("有限公司").all()


def test_scale_smoke_20000_invoices():
    company = generate(2, customers=2000, invoices=20000, bank_lines=8000)
    assert len(company.invoices) == 20000 and len(company.bank_lines) == 8000
    assert company.invoices["InvoiceNo"].is_unique
    _check_truth(company)


@given(
    seq=st.integers(1, 99999),
    year=st.integers(2020, 2030),
    spelling=st.sampled_from(
        [
            "ref_separators",
            "ref_case",
            "ref_no_prefix",
            "ref_no_year",
            "ref_no_zeros",
            "ref_typo",
            "ref_transposed",
        ]
    ),
    seed=st.integers(0, 2**32),
)
def test_every_spelling_differs_from_the_number_and_keeps_its_digits(seq, year, spelling, seed):
    number = f"INV-{year}-{seq:05d}"
    spelled = spell_reference(number, spelling, random.Random(seed))
    digits = re.sub(r"\D", "", spelled)
    significant = str(seq)
    if spelling == "ref_typo":
        assert spelled != number and len(spelled) == len(number)
        assert sum(a != b for a, b in zip(spelled, number, strict=True)) == 1
    elif spelling == "ref_transposed":
        if len(set(f"{seq:05d}")) > 1:
            assert spelled != number and sorted(spelled) == sorted(number)
    else:
        assert spelled != number or (spelling == "ref_no_zeros" and seq >= 10000)  # no zero to drop
        assert significant in digits


@given(st.text(max_size=80))
def test_swift_text_keeps_to_the_mt940_character_set_and_is_stable(text):
    out = swift_text(text)
    assert re.fullmatch(r"[A-Za-z0-9/\-().,'+ ]*", out)
    assert swift_text(out) == out
    assert out == out.strip() and "  " not in out
