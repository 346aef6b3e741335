"""The score: more evidence never lowers it, competing proposals share it, reasons say why."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from matching.matcher.clues import Proposal
from matching.matcher.references import Level
from matching.matcher.score import FEATURE_COLUMNS, Facts, log_odds, reason, shares

BASE = {
    "ref_level": -1,
    "cust_refs": 0,
    "referenced": 0,
    "items": 1,
    "ref_other": False,
    "similarity": 0.0,
    "other": 0.0,
    "custno": False,
    "fit": "exact",
    "ambiguous": False,
    "unique": False,
    "payer_named": True,
    "period": False,
    "off_period": False,
    "oldest": False,
}


def z(**change: object) -> float:
    row = {**BASE, **change}
    return float(log_odds({c: [row[c]] for c in FEATURE_COLUMNS})[0])


def test_each_piece_of_evidence_adds():
    assert z() < z(similarity=85.0) < z(similarity=100.0)
    assert (
        z()
        < z(ref_level=int(Level.CORE), cust_refs=1, referenced=1)
        < z(ref_level=int(Level.FULL), cust_refs=1, referenced=1)
    )
    assert z(ref_level=int(Level.FULL), cust_refs=1, referenced=1) < z(
        ref_level=int(Level.STRUCTURED), cust_refs=1, referenced=1
    )
    assert z() < z(custno=True) and z() < z(unique=True)
    assert z(fit="partial") < z(fit="fee") < z(fit="exact")


def test_leaving_out_a_named_invoice_costs_more_than_adding_an_unnamed_one():
    named = z(ref_level=int(Level.FULL), cust_refs=1, referenced=1, items=2)  # completes with another item
    missed = z(ref_level=-1, cust_refs=1, referenced=0, items=1)  # pays something else
    assert named - missed > 6


def test_a_named_payer_that_is_nobody_we_know_counts_against_an_amount_only_guess():
    assert z(payer_named=True) < z(payer_named=False)
    assert z(payer_named=True, ref_level=int(Level.FULL), cust_refs=1, referenced=1) == z(
        payer_named=False, ref_level=int(Level.FULL), cust_refs=1, referenced=1
    )


@given(st.lists(st.floats(-20, 20), min_size=1, max_size=6))
def test_shares_of_competing_proposals(values):
    out = shares(values)
    assert sum(out) <= 100.0 + 0.05 * len(values)
    assert all(0.0 <= s <= 100.0 for s in out)
    order = sorted(range(len(values)), key=lambda i: values[i])
    assert all(out[a] <= out[b] for a, b in itertools.pairwise(order))


def test_two_equal_proposals_can_never_both_look_certain():
    assert shares([10.0, 10.0]).tolist() == [50.0, 50.0]
    assert shares([10.0]).tolist() == [100.0]
    assert shares([0.0]).tolist() == [50.0]


def test_reason_in_plain_words():
    proposal = Proposal(
        line=0,
        customer=0,
        rows=((0, 100000, "payment"),),
        **{
            **BASE,
            "ref_level": int(Level.FULL),
            "cust_refs": 1,
            "referenced": 1,
            "similarity": 100.0,
        },
        via="name",
        ref_nos="INV-2026-00412",
        ref_text="INV-2026-00412",
    )
    facts = Facts(
        payer="ACME GMBH",
        customer_name="Acme GmbH",
        amount=100000,
        invoiced=100000,
        diff=0,
        nos="INV-2026-00412",
        currency="EUR",
    )
    text = reason(proposal, facts)
    assert (
        text == "invoice number INV-2026-00412 in memo; amount equal; payer 'ACME GMBH' = customer Acme GmbH"
    )
    fee = reason(replace(proposal, fit="fee"), replace(facts, amount=98750, diff=1250))
    assert "amount is 12.50 short of 1000.00 open: bank fee" in fee
    yen = reason(replace(proposal, fit="fee"), replace(facts, amount=98750, diff=1250, currency="JPY"))
    assert "amount is 1250 short of 100000 open: bank fee" in yen  # yen have no decimals
