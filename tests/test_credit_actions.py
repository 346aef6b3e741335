"""Credit's Action and ActionReason on the demo company, by the rules the README documents.

The expectation is derived here from the rules as the README states them, applied to the
demo's figures (the Credit table's Exposure, CreditLimit, Grade, RecommendedLimit,
Utilization, and the open invoices with their due dates, disputes and promises), not copied
from the code's output; the counts and the holds below are what those rules give.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from arbook.runner import run
from tests.conftest import copy_demo
from workbook.filebook import FileBook

REPO = Path(__file__).resolve().parents[1]

# What the README's rules give on the demo as of 2026-10-31 (hold after 90 days, review above 80 %).
COUNTS = {"Hold": 21, "Review": 16, "OK": 23}
HOLDS = {
    "10010": ["overdue"],
    "10013": ["over limit"],
    "10016": ["over limit"],
    "10017": ["over limit"],
    "10023": ["over limit"],
    "10026": ["overdue"],
    "10039": ["overdue"],
    "10042": ["over limit", "overdue"],
    "10044": ["over limit"],
    "10054": ["overdue"],
    "10061": ["over limit"],
    "10068": ["over limit"],
    "10070": ["over limit"],
    "10076": ["overdue"],
    "10079": ["over limit"],
    "10095": ["over limit"],
    "10097": ["over limit", "overdue"],
    "10099": ["overdue"],
    "10104": ["overdue"],
    "10105": ["overdue"],
    "10110": ["overdue"],
}
# how each rule reads in ActionReason
WORDING = {
    "over limit": "over the limit",
    "overdue": "days overdue (Hold from 90)",
    "grade D": "grade D (score",
    "above recommended": "above the recommended limit",
    "utilisation": "of the limit used (Review above 80%)",
    "excused": "days overdue, disputed or promised to be paid",
}


@pytest.fixture(scope="module")
def recomputed(demo_template, tmp_path_factory: pytest.TempPathFactory):
    workbook, files, as_of = copy_demo(demo_template, tmp_path_factory.mktemp("credit") / "demo")
    with FileBook(workbook) as book:
        run(book, "import-bank", files=tuple(files))
        for name in ("match", "aging", "credit"):
            run(book, name, as_of=as_of)
        return book.read("Credit"), book.read("Invoices"), book.settings(), as_of


def rules(row, invoices: pd.DataFrame, hold_days: int, review_share: float, as_of: dt.date):
    """The README's rules for one Credit row: (Hold rules met, Review rules met)."""
    stamp = pd.Timestamp(as_of)
    hold, review = [], []
    if not pd.isna(row.CreditLimit) and row.Exposure > row.CreditLimit:
        hold.append("over limit")
    open_invoices = invoices[
        (invoices["CustomerID"] == row.CustomerID) & (invoices["OpenAmount"] > 0) & (invoices["Amount"] > 0)
    ]
    days = (stamp - open_invoices["DueDate"]).dt.days
    excused = open_invoices["Disputed"] | (open_invoices["PromiseDate"] > stamp)
    if (days[~excused] >= hold_days).any():
        hold.append("overdue")
    if row.Exposure > 0 and row.Grade == "D":
        review.append("grade D")
    if row.Exposure > 0 and row.Exposure > row.RecommendedLimit:
        review.append("above recommended")
    if not pd.isna(row.Utilization) and row.Utilization > review_share:
        review.append("utilisation")
    if (days[excused] >= hold_days).any():
        review.append("excused")
    return hold, review


def test_actions_follow_the_documented_rules_on_the_demo(recomputed) -> None:
    credit, invoices, settings, as_of = recomputed
    assert (settings.credit_hold_days, settings.credit_review_utilization) == (90, 80.0)
    assert not invoices.loc[invoices["OpenAmount"] > 0, "DueDate"].isna().any()  # every rule can be judged
    holds = {}
    for row in credit.itertuples():
        hold, review = rules(row, invoices, 90, 0.80, as_of)
        want = "Hold" if hold else "Review" if review else "OK"
        assert row.Action == want, (row.CustomerID, hold, review, row.ActionReason)
        reasons = row.ActionReason.split("; ") if row.ActionReason else []
        assert len(reasons) == len(hold) + len(review), (row.CustomerID, row.ActionReason)
        for rule, reason in zip(hold + review, reasons, strict=True):
            assert WORDING[rule] in reason, (row.CustomerID, rule, reason)
        if hold:
            holds[row.CustomerID] = hold
    assert credit["Action"].value_counts().to_dict() == COUNTS
    assert holds == HOLDS


def test_no_action_contradicts_the_scorecard(recomputed) -> None:
    credit = recomputed[0]
    owing = credit[credit["Exposure"] > 0]
    # the customer: grade D, score 17.6, never on time, exposure over the recommended limit
    row = credit.set_index("CustomerID").loc["10004"]
    assert (row["Grade"], round(row["Score"], 1), row["OnTimeRate"]) == ("D", 17.6, 0.0)
    assert row["Action"] == "Review"
    assert row["ActionReason"] == "grade D (score 17.6); exposure 7751.94 above the recommended limit 3000.00"
    assert not ((owing["Grade"] == "D") & (owing["Action"] == "OK")).any()
    assert not ((owing["Exposure"] > owing["RecommendedLimit"]) & (owing["Action"] == "OK")).any()
    assert (credit["ActionReason"] == "").tolist() == (credit["Action"] == "OK").tolist()


def test_the_readme_states_the_rules_the_tests_apply() -> None:
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").replace("**", "").split())
    for words in (
        "Hold when Exposure is over the CreditLimit",
        "or an invoice is `credit_hold_days` or more days overdue",
        "neither disputed nor promised to be paid on a date not yet passed",
        "Review when the grade is D",
        "Exposure is above the RecommendedLimit",
        "Utilization is over `credit_review_utilization`",
        "a disputed or promised invoice is `credit_hold_days` or more days overdue",
        "the grade fell since the last run",
        "ActionReason lists every rule that applies",
    ):
        assert words in readme, words
