"""Yes/no cells as clerks type them in English, German, French and Chinese (common.values.parse_bool)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.values import parse_bool

YES = ["Y", "yes", "TRUE", "1", "x", "X", "✓", "✔", "ja", "J", "WAHR", "strittig", "reklamiert"]
YES += [
    "oui",
    "VRAI",
    "litige",
    "en litige",
    "contesté",
    "disputed",
    "是",
    "有",
    "有争议",
    "争议",
    1,
    1.0,
    True,
]
NO = ["N", "no", "FALSE", "0", "-", "", "   ", None, "nein", "FALSCH", "nicht strittig", "unstrittig"]
NO += ["non", "NON", "faux", "pas de litige", "not disputed", "undisputed", "否", "无", "无争议", "没有争议"]
NO += [0, 0.0, False]


@pytest.mark.parametrize("value", YES)
def test_yes(value: object) -> None:
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", NO)
def test_no(value: object) -> None:
    assert parse_bool(value) is False


WORDS = [w for w in YES + NO if isinstance(w, str) and w.strip()]


@given(
    st.sampled_from(WORDS),
    st.sampled_from([str.upper, str.lower, str.title, lambda w: f"  {w} ", lambda w: w + "."]),
)
def test_case_spaces_and_a_full_stop_do_not_change_the_answer(word: str, change) -> None:
    assert parse_bool(change(word)) is parse_bool(word)


@given(st.sampled_from(WORDS))
def test_full_width_forms_read_as_their_ascii_letters(word: str) -> None:
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)
    assert parse_bool(wide) is parse_bool(word)


@pytest.mark.parametrize("value", ["vielleicht", "peut-être", "也许", "2", "yes no", "nicht", 0.5])
def test_a_word_that_is_neither_says_what_was_expected(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_bool(value)
    assert str(caught.value) == (
        "expected yes or no (Y/N, ja/nein, oui/non, 是/否, TRUE/FALSE, WAHR/FALSCH, 1/0, x or ✓ for yes; "
        f"blank is no), got {value!r}"
    )
