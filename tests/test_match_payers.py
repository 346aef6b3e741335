"""Payer names against customer names and learned aliases."""

from __future__ import annotations

import pandas as pd
import pytest

from matching.matcher.names import english_variant, is_abbreviation, name_keys
from matching.matcher.payers import customer_names, match_payers

CUSTOMERS = pd.DataFrame(
    {
        "CustomerID": ["C1", "C2", "C3", "C4", "C5", "C6", "C7"],
        "Name": [
            "Müller Maschinenbau GmbH & Co. KG",
            "Acme International Trading Solutions GmbH",
            "北京华为科技有限公司",
            "Société Générale de Transport S.A.",
            "Smith & Sons Ltd",
            "Fischer Maschinenbau GmbH",
            "广州鑫达电子股份有限公司",
        ],
        "Aliases": ["", "", "", "", "JOHN SMITH PRIVATE; Smith Holding plc", "", ""],
    }
)
NAMES = customer_names(CUSTOMERS)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Müller Maschinenbau GmbH & Co. KG", "MUELLER MASCHINENBAU GMBH + CO KG"),
        ("Müller Maschinenbau GmbH", "Muller Maschinenbau"),
        ("Maschinenbau Müller", "MUELLER MASCHINENBAU"),
        ("Acme S.A.", "ACME SA"),
        ("Société Générale", "SOCIETE GENERALE"),
        ("The Smith Company Ltd.", "smith"),
    ],
)
def test_same_company_same_key(a, b):
    keys = name_keys(pd.Series([a, b]))
    assert keys["key"].iloc[0] == keys["key"].iloc[1]


def test_chinese_names_compare_on_their_pinyin():
    keys = name_keys(pd.Series(["北京华为科技有限公司", "BEIJING HUAWEI KEJI YOUXIAN GONGSI"]))
    assert keys["compact"].tolist() == ["BEIJINGHUAWEIKEJI", "BEIJINGHUAWEIKEJI"]
    assert english_variant("广州鑫达电子股份有限公司").split() == ["广州鑫达", "ELECTRONICS"]


@pytest.mark.parametrize(
    "short, word, expected",
    [
        ("MASCHB", "MASCHINENBAU", True),
        ("MFG", "MANUFACTURING", True),
        ("LOG", "LOGISTIEK", True),
        ("MFG", "MACHINERY", False),
        ("BAU", "MASCHINENBAU", False),
        ("M", "MULLER", False),
    ],
)
def test_abbreviations(short, word, expected):
    assert is_abbreviation(short, word) is expected


@pytest.mark.parametrize(
    "payer, customer, exact",
    [
        ("MUELLER MASCHINENBAU GMBH + CO", "C1", True),
        ("ACME INTERNATIONAL TRADING SOLUTIO", "C2", False),  # cut at 35 characters
        ("BEIJING HUAWEI KEJI", "C3", True),
        ("SOCIETE GENERALE DE TRANSPORT SA", "C4", True),
        ("Smith Holding PLC", "C5", True),  # a learned alias
        ("Fischer Maschb. GmbH", "C6", False),  # abbreviated
        ("GUANGZHOU XINDA ELECTRONICS CO., LTD", "C7", True),  # the English trade name
        ("Mueller Maschinenbu", "C1", False),  # a typo
    ],
)
def test_payer_finds_its_customer(payer, customer, exact):
    found = match_payers(pd.Series([payer]), NAMES)
    best = found.sort_values("similarity", ascending=False).iloc[0]
    assert CUSTOMERS["CustomerID"].iloc[best["customer"]] == customer
    assert bool(best["similarity"] == 100.0) is exact
    assert best["similarity"] >= 85


def test_unrelated_and_empty_payers_find_nobody():
    found = match_payers(pd.Series(["Totally Different Corp", "", None], index=[5, 6, 7]), NAMES)
    assert found.empty


def test_result_is_per_line_and_repeated_payers_are_scored_once():
    payers = pd.Series(
        ["ACME INTERNATIONAL TRADING SOLUTIO"] * 3 + ["Smith Holding PLC"], index=[10, 11, 12, 13]
    )
    found = match_payers(payers, NAMES)
    assert sorted(found["line"].unique().tolist()) == [10, 11, 12, 13]
    assert found.groupby("line")["customer"].first().tolist() == [1, 1, 1, 4]


def test_alias_hits_say_so():
    found = match_payers(pd.Series(["JOHN SMITH PRIVATE"]), NAMES)
    assert found[["customer", "similarity", "via"]].values.tolist() == [[4, 100.0, "alias"]]
