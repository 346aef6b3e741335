"""Runs after runs: nothing posted twice, the clerk's Approve entries kept, approvals posted
and learned from, rejections remembered."""

from __future__ import annotations

import pandas as pd

from tests.test_match_situations import NO_ALLOCATIONS, bank, book, match, post, posted, run

AT = pd.Timestamp("2026-11-02 08:00")


def again(lines, result, *, previous=None, allocations=None):
    """The next run, on the book as the first run left it."""
    customers, invoices = book()
    status = result.statuses.set_index("LineID")["Status"]
    lines = lines.assign(Status=lines["LineID"].map(status).fillna(lines["Status"]))
    allocs = pd.concat(
        [NO_ALLOCATIONS if allocations is None else allocations, result.allocations], ignore_index=True
    )
    return match(
        lines, invoices, customers, allocs, result.matches if previous is None else previous, {}, posted_at=AT
    )


def test_rerun_posts_nothing_twice():
    lines = bank(("L1", 100000, "ACME GMBH", "INV-2026-00412"), ("L2", 50000, "Acme", "Zahlung"))
    first = run(lines)
    assert posted(first) == {
        ("L1", "INV-2026-00412", "C001", 100000, "payment"),
        ("L2", "INV-2026-00413", "C001", 50000, "payment"),
    }
    second = again(lines, first)
    assert second.allocations.empty
    assert second.matches.empty
    assert second.statuses.empty  # both lines stay Matched


def test_allocations_of_earlier_runs_reduce_the_open_amount():
    earlier = pd.DataFrame(
        [("A-1", "L0", "INV-2026-00412", "C001", 60000, pd.Timestamp("2026-10-01"), "payment", "manual", AT)],
        columns=NO_ALLOCATIONS.columns[:9],  # the matcher's columns; the clerk's stay empty
    )
    earlier["Amount"] = earlier["Amount"].astype("Int64")
    # 400.00 left on INV-412: a payment of 400.00 quoting it settles it exactly.
    result = run(bank(("L1", 40000, "ACME GMBH", "Restzahlung INV-2026-00412")), allocations=earlier)
    assert posted(result) == {("L1", "INV-2026-00412", "C001", 40000, "payment")}
    # ...and 1,000.00 quoting it is no longer a payment of 1,000.00 to it.
    result = run(bank(("L1", 100000, "ACME GMBH", "INV-2026-00412")), allocations=earlier)
    assert ("L1", "INV-2026-00412", "C001", 100000, "payment") not in posted(result)
    assert (
        int(result.allocations.loc[result.allocations["InvoiceNo"] == "INV-2026-00412", "Amount"].sum())
        <= 40000
    )


def test_approve_y_survives_a_rerun_and_its_money_stays_reserved():
    lines = bank(("L1", 50000, "", "Zahlung"))  # 500.00 equals INV-413 and INV-414; no reference, no payer
    extra = [("INV-2026-00414", "C001", "2026-09-30", 50000)]
    customers, invoices = book(extra)
    first = match(lines, invoices, customers, NO_ALLOCATIONS, None, {}, posted_at=AT)
    assert first.allocations.empty
    matches = first.matches.copy()
    chosen = matches["MatchID"].iloc[0]
    matches.loc[matches["MatchID"] == chosen, "Approve"] = True
    # A second line pays 500.00 quoting INV-413, the invoice the clerk approved for L1.
    lines2 = pd.concat([lines, bank(("L2", 50000, "Acme GmbH", "INV-2026-00413"))])
    second = match(lines2, invoices, customers, NO_ALLOCATIONS, matches, {}, posted_at=AT)
    kept = second.matches[second.matches["MatchID"] == chosen]
    assert kept["Approve"].tolist() == [True] and kept["Status"].tolist() == ["pending"]
    assert not any(
        r[0] == "L2" and r[1] == matches.loc[matches["MatchID"] == chosen, "InvoiceNo"].iloc[0]
        for r in posted(second)
    )


def test_post_approved_posts_learns_the_payer_and_the_next_month_matches_by_itself():
    # 234.50 is open on Acme's INV-420 and on another customer's invoice; the payer is only
    # partly Acme's name: a suggestion, not an auto-post.
    customers, invoices = book([("INV-2026-00499", "C004", "2026-09-30", 23450)])
    lines = bank(("L1", 23450, "Acme Handels KG", "Sammelzahlung"))
    first = match(lines, invoices, customers, NO_ALLOCATIONS, None, {}, posted_at=AT)
    assert first.allocations.empty
    suggestion = first.matches.iloc[0]
    assert (suggestion["InvoiceNo"], suggestion["Decision"]) == ("INV-2026-00420", "suggested")
    first.matches.loc[first.matches["MatchID"] == suggestion["MatchID"], "Approve"] = True
    done = post(lines, invoices, customers, NO_ALLOCATIONS, first.matches, posted_at=AT)
    rows = {(r.LineID, r.InvoiceNo, int(r.Amount), r.Kind, r.Method) for r in done.allocations.itertuples()}
    assert rows == {("L1", "INV-2026-00420", 23450, "payment", "approved")}
    assert done.matches.loc[done.matches["MatchID"] == suggestion["MatchID"], "Status"].tolist() == ["posted"]
    assert done.statuses.to_dict("records") == [{"LineID": "L1", "Status": "Matched"}]
    assert done.aliases.to_dict("records") == [{"CustomerID": "C001", "Aliases": "Acme Handels KG"}]
    # Posting the same approvals again posts nothing.
    twice = post(lines, invoices, customers, done.allocations, done.matches, posted_at=AT)
    assert twice.allocations.empty

    # Next month the same payer pays another invoice without any reference: auto.
    customers["Aliases"] = (
        customers["CustomerID"].map(done.aliases.set_index("CustomerID")["Aliases"]).fillna("")
    )
    nxt = bank(("L9", 50000, "ACME HANDELS KG", "Zahlung"))
    later = match(nxt, invoices, customers, done.allocations, done.matches, {}, posted_at=AT)
    assert posted(later) == {("L9", "INV-2026-00413", "C001", 50000, "payment")}
    assert "learned alias" in later.matches["Reason"].iloc[0]


def test_rejected_suggestion_is_not_proposed_again_for_that_line():
    customers, invoices = book()
    lines = bank(("L1", 64321, "", ""))  # amount alone: suggested INV-460
    first = match(lines, invoices, customers, NO_ALLOCATIONS, None, {}, posted_at=AT)
    assert first.matches["InvoiceNo"].tolist() == ["INV-2026-00460"]
    first.matches["Approve"] = False
    second = match(lines, invoices, customers, NO_ALLOCATIONS, first.matches, {}, posted_at=AT)
    assert second.matches[["InvoiceNo", "Status"]].values.tolist() == [["INV-2026-00460", "rejected"]]
    assert second.statuses.to_dict("records") == [{"LineID": "L1", "Status": "Unmatched"}]
    done = post(lines, invoices, customers, NO_ALLOCATIONS, first.matches, posted_at=AT)
    assert done.allocations.empty and done.matches["Status"].tolist() == ["rejected"]


def test_post_refuses_an_approval_whose_invoice_was_paid_meanwhile():
    customers, invoices = book()
    lines = bank(("L1", 64321, "", ""))
    first = match(lines, invoices, customers, NO_ALLOCATIONS, None, {}, posted_at=AT)
    first.matches["Approve"] = True
    paid = pd.DataFrame(
        [("A-9", "L7", "INV-2026-00460", "C005", 64321, pd.Timestamp("2026-10-20"), "payment", "manual", AT)],
        columns=NO_ALLOCATIONS.columns[:9],  # the matcher's columns; the clerk's stay empty
    )
    done = post(lines, invoices, customers, paid, first.matches, posted_at=AT)
    assert done.allocations.empty
    assert done.matches["Status"].tolist() == ["pending"]
    assert done.notes == [
        "Matches M-2151295a83 (line L1) not posted: invoice INV-2026-00460 has 0.00 EUR open, "
        "the proposal allocates 643.21 EUR"
    ]


def test_no_post_proposes_autos_without_allocations():
    customers, invoices = book()
    lines = bank(("L1", 100000, "ACME GMBH", "INV-2026-00412"))
    result = match(lines, invoices, customers, NO_ALLOCATIONS, None, {}, posted_at=AT, post=False)
    assert result.allocations.empty
    assert result.matches[["Decision", "Status"]].values.tolist() == [["auto", "pending"]]
    assert result.statuses.to_dict("records") == [{"LineID": "L1", "Status": "Suggested"}]


def test_thresholds_come_from_settings():
    customers, invoices = book()
    lines = bank(("L1", 100000, "ACME GMBH", "INV-2026-00412"))
    strict = match(
        lines, invoices, customers, NO_ALLOCATIONS, None, {"match_auto_threshold": 100.5}, posted_at=AT
    )
    assert strict.allocations.empty and strict.matches["Decision"].tolist() == ["suggested"]


def test_empty_books_are_fine():
    customers, invoices = book()
    empty_lines = bank(("L1", 100, "", ""))
    empty_lines = empty_lines.iloc[:0]
    result = match(empty_lines, invoices, customers, NO_ALLOCATIONS, None, {}, posted_at=AT)
    assert result.matches.empty and result.allocations.empty and result.statuses.empty
    result = match(
        bank(("L1", 100, "ACME", "INV-1")),
        invoices.iloc[:0],
        customers.iloc[:0],
        NO_ALLOCATIONS,
        None,
        {},
        posted_at=AT,
    )
    assert result.matches.empty and result.statuses.to_dict("records") == [
        {"LineID": "L1", "Status": "Unmatched"}
    ]
