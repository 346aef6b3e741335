"""Invoice numbers in memo text: the scheme learned from the table, spellings, masks, check digits."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.matcher.references import (
    Level,
    build_reference_index,
    find_references,
    qr_reference_valid,
    rf_reference_valid,
    typo_words,
)

INVOICES = pd.DataFrame(
    {
        "InvoiceNo": ["INV-2026-00412", "INV-2025-00412", "INV-2026-01234", "CN-2026-0012", "RE2026/0777"],
        "InvoiceDate": pd.to_datetime(["2026-10-01", "2025-05-01", "2026-10-03", "2026-10-05", "2026-09-09"]),
        "Reference": ["", "", "PO-77/AB", "", ""],
    }
)
CUSTOMERS = pd.DataFrame({"CustomerID": ["K10023", "10024", "7"]})
INDEX = build_reference_index(INVOICES, CUSTOMERS)


def found(memo: str) -> set[tuple[str, int]]:
    refs = find_references(pd.Series([memo]), INDEX).invoices
    return {(INVOICES["InvoiceNo"].iloc[r.invoice], r.level) for r in refs.itertuples()}


@pytest.mark.parametrize(
    "memo, expected",
    [
        ("Rechnung INV-2026-00412", {("INV-2026-00412", Level.FULL)}),
        ("inv 2026 412", {("INV-2026-00412", Level.FULL)}),
        ("INV/2026/00412", {("INV-2026-00412", Level.FULL)}),
        ("INV202600412", {("INV-2026-00412", Level.FULL)}),
        ("RE-Nr. 2026-00412", {("INV-2026-00412", Level.NOPREFIX)}),
        ("zahlung 2026412", {("INV-2026-00412", Level.NOPREFIX)}),
        ("INV-00412", {("INV-2026-00412", Level.NOYEAR), ("INV-2025-00412", Level.NOYEAR)}),
        (
            "INV-2026-01234 und INV-2026-00412",
            {("INV-2026-01234", Level.FULL), ("INV-2026-00412", Level.FULL)},
        ),
        ("Gutschrift cn-2026-12", {("CN-2026-0012", Level.FULL)}),
        ("re 2026 777", {("RE2026/0777", Level.FULL)}),
        ("Rechnung 2026 777", {("RE2026/0777", Level.NOPREFIX)}),
        ("your order PO-77/AB", {("INV-2026-01234", Level.STRUCTURED)}),
    ],
)
def test_spellings_of_an_invoice_number(memo, expected):
    assert found(memo) == expected


@pytest.mark.parametrize(
    "memo",
    [
        "Zahlung vom 20.10.2026",  # a date is not invoice 2026-...
        "vom 04.12.",  # nor is a day and month
        "IBAN DE89 3704 0044 0532 0130 00",
        "Betrag 412,00 EUR",  # an amount with decimals
        "Bestellung 12",  # too short to say anything
        "",
    ],
)
def test_numbers_that_only_look_like_references_are_not_taken(memo):
    assert found(memo) == set()


def test_the_longest_spelling_wins_so_another_years_number_is_not_also_hit():
    # "INV 2026 412" is one FULL hit; the 412 inside it must not also hit INV-2025-00412.
    assert found("INV 2026 412") == {("INV-2026-00412", Level.FULL)}


def test_customer_numbers_are_found_as_customer_evidence():
    refs = find_references(pd.Series(["Kd-Nr. K10023 Rechnung"]), INDEX)
    assert refs.customers[["line", "customer"]].values.tolist() == [[0, 0]]
    assert refs.invoices.empty


def test_number_like_words_are_kept_for_the_one_typo_search():
    refs = find_references(pd.Series(["Invoice INV-2026-00421 vom 03.10.2026"]), INDEX)
    words = typo_words(refs.masked["text"].iloc[0])
    assert "INV2026421" in words and "2026421" in words
    assert not any("2026103" in w or "3102026" in w for w in words)  # the date was masked


def _rf(payload: str) -> str:
    """Build a valid ISO 11649 reference for `payload` (check digits = 98 - mod 97)."""
    digits = "".join(str(int(c, 36)) for c in payload + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{payload}"


def test_rf_creditor_reference_naming_an_invoice():
    ref = _rf("INV202600412")
    assert rf_reference_valid(ref)
    spaced = " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))
    assert found(f"Payment {spaced} thanks") == {("INV-2026-00412", Level.STRUCTURED)}


def test_rf_reference_with_bad_check_digits_is_ignored_as_structured():
    ref = _rf("INV202600412")
    bad = ref[:2] + f"{(int(ref[2:4]) + 1) % 100:02d}" + ref[4:]
    assert not rf_reference_valid(bad)
    assert ("INV-2026-00412", Level.STRUCTURED) not in found(bad)


def test_known_references_from_the_standards():
    assert rf_reference_valid("RF18539007547034")  # ISO 11649 example
    assert not rf_reference_valid("RF19539007547034")
    assert qr_reference_valid("210000000003139471430009017")  # Swiss QR-bill example
    assert not qr_reference_valid("210000000003139471430009018")


def _qr(payload26: str) -> str:
    table = (0, 9, 4, 6, 8, 2, 7, 1, 3, 5)
    carry = 0
    for d in payload26:
        carry = table[(carry + int(d)) % 10]
    return payload26 + str((10 - carry) % 10)


def test_swiss_qr_reference_naming_an_invoice():
    qrr = _qr("000000000000000000202600412".lstrip("0").zfill(26))
    assert qr_reference_valid(qrr)
    assert found(f"QRR {qrr}") == {("INV-2026-00412", Level.STRUCTURED)}


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@given(st.text(alphabet=ALNUM, min_size=1, max_size=21), st.data())
def test_rf_check_digits_catch_any_one_changed_digit(payload, data):
    ref = _rf(payload)
    assert rf_reference_valid(ref)
    digits = [k for k, c in enumerate(payload) if c.isdigit()]
    if digits:
        k = data.draw(st.sampled_from(digits))
        other = data.draw(st.sampled_from([d for d in "0123456789" if d != payload[k]]))
        assert not rf_reference_valid(ref[:4] + payload[:k] + other + payload[k + 1 :])


@given(
    number=st.integers(1, 99999),
    year=st.integers(2020, 2029),
    sep=st.sampled_from(["-", "/", " ", "", "."]),
    zeros=st.booleans(),
    lower=st.booleans(),
)
def test_any_separator_case_and_zero_padding_is_found(number, year, sep, zeros, lower):
    invoices = pd.DataFrame(
        {
            "InvoiceNo": [f"INV-{year}-{number:05d}"],
            "InvoiceDate": [pd.Timestamp(f"{year}-06-01")],
            "Reference": [""],
        }
    )
    index = build_reference_index(invoices, pd.DataFrame({"CustomerID": []}))
    digits = f"{number:05d}" if zeros else str(number)
    written = f"INV{sep}{year}{sep}{digits}"
    memo = f"Zahlung {written.lower() if lower else written} danke"
    refs = find_references(pd.Series([memo]), index).invoices
    assert refs[["invoice", "level"]].values.tolist() == [[0, Level.FULL]]


def test_an_order_number_is_not_a_shortened_invoice_number():
    # SO-2026-00412 is the customer's order; only a complete invoice number counts after "SO".
    assert found("Bestellung SO-2026-00412") == set()
    assert found("PO INV-2026-00412") == {("INV-2026-00412", Level.FULL)}


DIGITS = pd.DataFrame(
    {
        "InvoiceNo": ["202603074", "202603075", "26442000000377913461", "INV-231394"],
        "InvoiceDate": pd.to_datetime(["2026-03-02", "2026-03-02", "2026-03-05", "2026-03-06"]),
        "Reference": ["", "", "", ""],
    }
)
DIGIT_INDEX = build_reference_index(DIGITS, pd.DataFrame({"CustomerID": []}))


def found_digits(memo: str) -> set[tuple[str, int]]:
    refs = find_references(pd.Series([memo]), DIGIT_INDEX).invoices
    return {(DIGITS["InvoiceNo"].iloc[r.invoice], r.level) for r in refs.itertuples()}


@pytest.mark.parametrize(
    "memo, expected",
    [
        ("RE 202603074", {("202603074", Level.FULL)}),
        ("Rechnung 2026-3074", {("202603074", Level.NOPREFIX)}),
        ("Auftrag AB-2026-3074", set()),  # an order confirmation written like it
        ("Rechnung 2026/03074", {("202603074", Level.FULL)}),
        ("RE-Nr. 3074/2026", {("202603074", Level.NOPREFIX)}),
        ("Re 3074/26 vom 02.03.", {("202603074", Level.NOPREFIX)}),
        ("Re 03074-2026", {("202603074", Level.NOPREFIX)}),
        ("Zahlung Rechnung 3074", {("202603074", Level.NOYEAR)}),
        ("发票号26442000000377913461", {("26442000000377913461", Level.FULL)}),
        ("票号77913461", {("26442000000377913461", Level.NOYEAR)}),
        ("支付货款 发票7913461", {("26442000000377913461", Level.NOYEAR)}),
        ("发票 913461", {("26442000000377913461", Level.NOYEAR)}),
    ],
)
def test_the_year_inside_all_digit_numbers_and_the_tail_of_long_ones(memo, expected):
    assert found_digits(memo) == expected


def test_invoice_like_words_found_nowhere_are_kept_as_unresolved():
    refs = find_references(
        pd.Series(["RE 202603074, 202603099", "INV-231394 INV-231999 TRN:9802624985"]), DIGIT_INDEX
    )
    assert refs.unresolved == {0: ["202603099"], 1: ["INV-231999"]}


def test_an_exact_number_is_masked_for_the_one_typo_search():
    refs = find_references(pd.Series(["Rechnung 202603074"]), DIGIT_INDEX)
    assert typo_words(refs.masked["text"].iloc[0]) == []


def test_numbers_that_happen_to_pass_a_qr_check_digit_are_still_invoice_numbers():
    # Three 9-digit invoice numbers whose 27 digits pass the QR check: still three invoice numbers
    # (a QR reference is written unspaced or in groups of five).
    third = next(
        f"20260307{d}" for d in "0123456789" if qr_reference_valid(f"202603074202603075{'20260307' + d}")
    )
    numbers = ["202603074", "202603075", third]
    invoices = pd.DataFrame(
        {"InvoiceNo": numbers, "InvoiceDate": pd.to_datetime(["2026-03-02"] * 3), "Reference": [""] * 3}
    )
    index = build_reference_index(invoices, pd.DataFrame({"CustomerID": []}))
    refs = find_references(pd.Series([f"Rhein-Main: {' '.join(numbers)}"]), index).invoices
    assert sorted(invoices["InvoiceNo"].iloc[refs["invoice"]]) == sorted(numbers)
