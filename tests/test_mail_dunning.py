"""Who gets which reminder or notice: the ladder, its waits, and everyone it must leave out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

import mailer
from tests.mail_support import customers_frame, open_items_frame

AS_OF = dt.date(2026, 11, 30)
LEVELS = mailer.levels_from_frame(pd.DataFrame(list(mailer.DEFAULT_DUNNING_LEVELS)))


def _inv(number, customer, due, amount, **kw):
    return {
        "InvoiceNo": number,
        "CustomerID": customer,
        "InvoiceDate": "2026-09-01",
        "DueDate": due,
        "Amount": amount,
        **kw,
    }


CUSTOMERS = customers_frame(
    [
        {"CustomerID": "C001", "Name": "Acme Ltd", "Email": "ap@acme.example", "Language": "en"},
        {"CustomerID": "C002", "Name": "Blocked Ltd", "Email": "b@blocked.example", "DunningBlocked": True},
        {"CustomerID": "C003", "Name": "Small Ltd", "Email": "s@small.example"},
        {"CustomerID": "C004", "Name": "No Mail Ltd", "Email": ""},
    ]
)
ITEMS = open_items_frame(
    [
        _inv("N-1", "C001", "2026-11-27", 10000),  # 3 days late: level 1 needs 7
        _inv("N-2", "C001", "2026-11-20", 60000),  # 10 days late, never dunned: level 1
        _inv("N-3", "C001", "2026-12-02", 30000),  # due in 2 days: reminder
        _inv("N-4", "C001", "2026-12-10", 30000),  # due in 10 days: nothing yet
        _inv("N-5", "C001", "2026-11-01", 20000),  # 29 days, level 1 sent 10 days ago: level 2
        _inv("N-6", "C001", "2026-11-01", 20000),  # 29 days, level 1 sent 5 days ago: wait
        _inv("N-7", "C001", "2026-10-01", 20000, Disputed=True),
        _inv("N-8", "C001", "2026-10-01", 20000, PromiseDate="2026-12-05"),
        _inv(
            "N-9", "C001", "2026-10-20", 40000, PromiseDate="2026-11-15"
        ),  # promise broken, 41 days: level 1
        _inv("L-3", "C001", "2026-09-01", 20000),  # level 3 already sent: nothing left
        _inv("B-1", "C002", "2026-10-01", 90000),
        _inv("M-1", "C003", "2026-11-10", 500),  # under the 10.00 minimum of level 1
        _inv("X-1", "C001", "2026-10-01", -5000, Kind="credit"),
        _inv("Q-1", "C004", "2026-11-10", 70000),
    ]
)
LOG = pd.DataFrame(
    {
        "MessageID": ["m1", "m2", "m3", "m4"],
        "At": pd.to_datetime(
            ["2026-11-20 09:00", "2026-11-25 09:00", "2026-10-30 09:00", "2026-11-26 09:00"]
        ),
        "Kind": ["notice", "notice", "notice", "notice"],
        "Level": pd.array([1, 1, 3, 2], dtype="Int64"),
        "InvoiceNos": ["N-5", "N-6;L-3", "L-3", "N-7"],
        "Status": ["sent", "sent", "sent", "failed"],
    }
)


def select(history=None, **kw):
    history = mailer.dunning_history(LOG) if history is None else history
    settings = {"min_interval_days": 7, "base_currency": "EUR", **kw}
    return mailer.select_notices(ITEMS, CUSTOMERS, LEVELS, history, as_of=AS_OF, **settings)


def test_history_keeps_the_highest_level_sent_per_invoice():
    assert mailer.dunning_history(LOG) == {
        "N-5": (1, dt.date(2026, 11, 20)),
        "N-6": (1, dt.date(2026, 11, 25)),
        "L-3": (3, dt.date(2026, 10, 30)),
    }  # failed rows do not count


def test_waits_are_counted_from_the_as_of_day_of_the_earlier_run():
    log = LOG.assign(AsOf=pd.to_datetime(["2026-11-28", None, None, None]))
    assert mailer.dunning_history(log)["N-5"] == (1, dt.date(2026, 11, 28))


def test_the_ladder_one_step_at_a_time():
    got = {(n.customer_id, n.level.level): n.invoice_nos for n in select().due}
    assert got == {
        ("C001", 0): ["N-3"],
        ("C001", 1): ["N-2", "N-9"],
        ("C001", 2): ["N-5"],
        ("C004", 1): ["Q-1"],
    }


def test_everyone_left_out_is_counted_with_the_reason():
    assert dict(select().skipped) == {
        "previous level sent too recently": 1,
        "invoice disputed": 1,
        "promise to pay not yet passed": 1,
        "customer DunningBlocked": 1,
        "total under the level's MinAmount": 1,
    }


def test_a_customer_whose_credits_cover_what_it_owes_is_not_dunned():
    # C005 owes 473.25 overdue but holds a 650.00 credit note: its account is in credit.
    # C006's smaller credit leaves 100.00 owed, so it is still reminded of the invoice.
    customers = pd.concat(
        [
            CUSTOMERS,
            customers_frame(
                [
                    {"CustomerID": "C005", "Name": "Credit Ltd", "Email": "c@credit.example"},
                    {"CustomerID": "C006", "Name": "Part Ltd", "Email": "p@part.example"},
                ]
            ),
        ],
        ignore_index=True,
    )
    items = pd.concat(
        [
            ITEMS,
            open_items_frame(
                [
                    _inv("K-1", "C005", "2026-11-10", 47325),
                    _inv("K-2", "C005", "2026-11-15", -65000, Kind="credit"),
                    _inv("P-1", "C006", "2026-11-10", 30000),
                    _inv("P-2", "C006", "2026-11-15", -20000, Kind="credit"),
                ]
            ),
        ],
        ignore_index=True,
    )
    got = mailer.select_notices(
        items,
        customers,
        LEVELS,
        mailer.dunning_history(LOG),
        as_of=AS_OF,
        min_interval_days=7,
        base_currency="EUR",
    )
    assert {n.customer_id: n.invoice_nos for n in got.due if n.customer_id in ("C005", "C006")} == {
        "C006": ["P-1"]
    }
    assert got.skipped["customer's account in credit (open credits cover what is overdue)"] == 1


def test_a_customer_and_invoice_without_currency_are_in_the_base_currency():
    # the in-credit check once keyed the balance by "" and the notice by EUR: nothing was sent
    customers = customers_frame(
        [{"CustomerID": "C9", "Name": "Plain Ltd", "Email": "p@plain.example", "Currency": ""}]
    )
    items = open_items_frame([_inv("E-1", "C9", "2026-10-01", 50000, Currency="")])
    got = mailer.select_notices(
        items, customers, LEVELS, {}, as_of=AS_OF, min_interval_days=7, base_currency="EUR"
    )
    assert [(n.customer_id, n.currency, n.invoice_nos) for n in got.due] == [("C9", "EUR", ["E-1"])]


def test_an_invoice_a_payment_waiting_for_review_may_settle_waits():
    got = select(awaiting_review=frozenset({"N-2", "Q-1"}))
    assert {(n.customer_id, n.level.level): n.invoice_nos for n in got.due} == {
        ("C001", 0): ["N-3"],
        ("C001", 1): ["N-9"],
        ("C001", 2): ["N-5"],
    }
    assert got.skipped["a payment proposed for it waits for review"] == 2


def test_the_wait_between_levels_is_a_setting():
    got = {n.level.level: n.invoice_nos for n in select(min_interval_days=3).due if n.customer_id == "C001"}
    assert got[2] == ["N-5", "N-6"]
    got = {n.level.level: n.invoice_nos for n in select(min_interval_days=11).due if n.customer_id == "C001"}
    assert 2 not in got


def test_a_level_is_never_sent_twice_for_the_same_invoices():
    first = select()
    sent_today = pd.DataFrame(
        {
            "At": pd.Timestamp(AS_OF),
            "Kind": [n.level.kind for n in first.due],
            "Level": [n.level.level for n in first.due],
            "InvoiceNos": [";".join(n.invoice_nos) for n in first.due],
            "Status": "sent",
        }
    )
    again = select(mailer.dunning_history(pd.concat([LOG, sent_today], ignore_index=True)))
    assert again.due == []


def test_notice_text_totals_fee_and_statutory_interest():
    notice = next(n for n in select().due if n.level.level == 1 and n.customer_id == "C001")
    templates = mailer.TemplateBook()
    composed = mailer.compose_notices(
        [notice],
        CUSTOMERS,
        templates,
        company=mailer.Company("Beispiel AG", "", "", ""),
        as_of=AS_OF,
        default_locale="en",
        late_interest_on=True,
        late_interest_rate=Decimal("12.25"),
    )
    (msg,) = composed.messages
    interest = (
        Decimal(600) * Decimal("12.25") / 100 * 10 / 365 + Decimal(400) * Decimal("12.25") / 100 * 41 / 365
    )
    assert mailer.round_cents(interest) == 752
    assert msg.amount == 60000 + 40000 + 0 + 752
    assert "€1,007.52" in msg.text and "Interest (12.25 %)" in msg.text and "€7.52" in msg.text
    assert (msg.kind, msg.level, msg.invoice_nos, msg.to) == (
        "notice",
        1,
        ("N-2", "N-9"),
        ("ap@acme.example",),
    )
    assert msg.subject == "Payment reminder – Beispiel AG"


def test_reminder_has_no_interest_and_level_fee_is_added():
    due = {n.level.level: n for n in select().due if n.customer_id == "C001"}

    def compose(notices):
        return mailer.compose_notices(
            notices,
            CUSTOMERS,
            mailer.TemplateBook(),
            company=mailer.Company("Beispiel AG", "", "", ""),
            as_of=AS_OF,
            default_locale="en",
            late_interest_on=True,
            late_interest_rate=Decimal("12.25"),
        ).messages

    (reminder,), (second,) = compose([due[0]]), compose([due[2]])
    assert (reminder.kind, reminder.amount) == ("reminder", 30000)
    assert "Interest" not in reminder.text
    assert second.amount == 20000 + 500 + mailer.round_cents(
        mailer.late_interest(20000, Decimal("12.25"), 29)
    )
    assert "Fee  |  €5.00" in second.text
    # due the same day, the reminder goes inside the notice: one message meeting both
    (both,) = compose([due[0], due[2]])
    assert (both.key, both.amount, both.text.count("Fee  |  €5.00")) == (second.key, second.amount, 1)
    assert [(c.key, c.kind, c.amount) for c in both.covers] == [(reminder.key, "reminder", 30000)]


def test_customer_without_email_is_listed_not_skipped_silently():
    q = next(n for n in select().due if n.customer_id == "C004")
    composed = mailer.compose_notices(
        [q],
        CUSTOMERS,
        mailer.TemplateBook(),
        company=mailer.Company("X", "", "", ""),
        as_of=AS_OF,
        default_locale="en",
        late_interest_on=False,
        late_interest_rate=Decimal(0),
    )
    assert composed.messages == []
    assert composed.unreachable == [
        mailer.Unreachable("notice", "C004", "C004 No Mail Ltd: Customers row 5: no Email")
    ]
