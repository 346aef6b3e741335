"""Company names reduced to comparable keys, whatever script or bank field they came from.

A bank writes "MUELLER MASCHINENBAU GMBH & CO. KG" (upper case, umlauts spelled out, cut at
35 characters) where the invoice says "Müller Maschinenbau GmbH & Co. KG", and a Chinese
customer "北京华为科技有限公司" pays as "BEIJING HUAWEI KEJI". The keys built here make those
equal or close, so a plain rapidfuzz ratio can compare them:

- `key`: words in sorted order, legal forms and punctuation gone (word order stops mattering);
- `compact`: the same words in their written order without spaces (Chinese names, whose
  pinyin has no word breaks, and names a bank glued together compare on this one);
- `full`: every letter and digit in written order, legal forms kept, so that near twins
  (宏悦科技（广州）有限公司 and 宏悦科技（广州）股份有限公司, Müller GmbH and Müller AG) can
  be told apart when the payer writes one of them in full.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
from anyascii import anyascii
from pypinyin import lazy_pinyin

__all__ = [
    "BANK_NAME_LIMIT",
    "english_variant",
    "is_abbreviation",
    "name_keys",
    "truncated_variant",
    "without_city",
]

BANK_NAME_LIMIT = 35  # SEPA/SWIFT name fields: longer payer names arrive cut here

_HAN = re.compile(r"[\u3400-\u9fff]")
_CJK_LEGAL = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团公司|责任公司|公司)")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
# Spelled-out umlauts and their plain-vowel spelling ("Mueller"/"Müller"/"Muller") meet at "U".
_DIGRAPHS = re.compile(r"(?<=[A-Z])(AE|OE|UE)")
_NON_WORD = re.compile(r"[^A-Z0-9]+")
_LEGAL_FORMS = frozenset(
    (
        # German, English, French, Dutch, Nordic, Asian legal forms; pinyin of 有限公司 and friends;
        # joining words and the single letters left of "e.K.".
        "GMBH",
        "MBH",
        "AG",
        "KG",
        "KGAA",
        "OHG",
        "GBR",
        "UG",
        "EG",
        "EV",
        "SE",
        "GES",
        "HAFTUNGSBESCHRAENKT",
        "CO",
        "COMPANY",
        "LTD",
        "LIMITED",
        "PLC",
        "LLC",
        "LLP",
        "LP",
        "INC",
        "INCORPORATED",
        "CORP",
        "CORPORATION",
        "SA",
        "SAS",
        "SARL",
        "SRL",
        "SPA",
        "BV",
        "NV",
        "AB",
        "AS",
        "ASA",
        "OY",
        "OYJ",
        "APS",
        "SL",
        "SLU",
        "KK",
        "PTY",
        "PVT",
        "PTE",
        "BHD",
        "SDN",
        "YOUXIAN",
        "GONGSI",
        "ZEREN",
        "GUFEN",
        "THE",
        "UND",
        "AND",
        "ET",
        "E",
        "K",
    )
)


def _romanise(text: str) -> str:
    text = _CJK_LEGAL.sub(" ", text)
    if _HAN.search(text):
        # One pinyin syllable per character, glued per run of characters, so the compact key
        # of 北京华为 equals that of "Beijing Huawei".
        text = _HAN.sub(lambda m: " ".join(lazy_pinyin(m.group())) + " ", text)
        text = re.sub(r"(?<=[a-z]) (?=[a-z])", "", text)
    return anyascii(unicodedata.normalize("NFKC", text.translate(_GERMAN)))


def _words(name: str) -> list[str]:
    upper = _romanise(name).upper().replace("&", " AND ")
    # "S.A." and "G.m.b.H." lose their dots before splitting, so they read as SA and GMBH.
    upper = re.sub(r"\b([A-Z])\.(?=[A-Z]\.?\b)", r"\1", upper)
    upper = re.sub(r"(?<=\b[A-Z])\.(?=[A-Z]\b)", "", upper)
    words = [_singular(_DIGRAPHS.sub(lambda m: m.group()[0], w)) for w in _NON_WORD.split(upper) if w]
    kept = [w for w in words if w not in _LEGAL_FORMS]
    return kept or words


def _singular(word: str) -> str:
    """PLASTICS and PLASTIC, ELECTRONICS and ELECTRONIC: English trade names use both."""
    return (
        word[:-1] if len(word) >= 6 and word.endswith("S") and not word.endswith(("SS", "US", "IS")) else word
    )


# Chinese companies often pay under an English name made of the pinyin of city and brand and
# the English of the trade: 广州鑫达电子有限公司 -> GUANGZHOU XINDA ELECTRONICS CO., LTD.
_CJK_TRADES = {
    "精密制造": "PRECISION MANUFACTURING",
    "进出口": "IMPORT AND EXPORT",
    "自动化设备": "AUTOMATION EQUIPMENT",
    "自动化": "AUTOMATION",
    "电子": "ELECTRONICS",
    "机械": "MACHINERY",
    "贸易": "TRADING",
    "科技": "TECHNOLOGY",
    "技术": "TECHNOLOGY",
    "精密": "PRECISION",
    "制造": "MANUFACTURING",
    "实业": "INDUSTRIAL",
    "工业": "INDUSTRIAL",
    "设备": "EQUIPMENT",
    "材料": "MATERIALS",
    "化工": "CHEMICAL",
    "国际": "INTERNATIONAL",
    "物流": "LOGISTICS",
    "电气": "ELECTRIC",
    "仪器": "INSTRUMENTS",
    "五金": "HARDWARE",
    "塑料": "PLASTICS",
    "纺织": "TEXTILE",
    "光电": "OPTOELECTRONICS",
    "软件": "SOFTWARE",
    "网络": "NETWORK",
    "食品": "FOOD",
    "包装": "PACKAGING",
    "能源": "ENERGY",
    "集团": "GROUP",
    "控股": "HOLDING",
    "汽车配件": "AUTO PARTS",
    "医疗器械": "MEDICAL DEVICES",
    "塑胶": "PLASTIC",
    "供应链": "SUPPLY CHAIN",
    "新材料": "NEW MATERIAL",
    "包材": "PACKAGING",
}
_CJK_TRADE = re.compile("|".join(sorted(_CJK_TRADES, key=len, reverse=True)))


_CITY = re.compile(r"[（(][\u3400-\u9fff]{2,4}[）)]")
# Cities a Chinese company name may start with ("广州市瑞禾科技", "无锡德远科技"); its English
# name usually leaves them out ("RUIHE TECHNOLOGY").
_CITIES = [
    "北京",
    "上海",
    "天津",
    "重庆",
    "广州",
    "深圳",
    "佛山",
    "东莞",
    "中山",
    "珠海",
    "惠州",
    "江门",
    "汕头",
    "苏州",
    "无锡",
    "常州",
    "南京",
    "南通",
    "杭州",
    "宁波",
    "温州",
    "绍兴",
    "嘉兴",
    "台州",
    "金华",
    "义乌",
    "厦门",
    "福州",
    "泉州",
    "青岛",
    "济南",
    "烟台",
    "潍坊",
    "郑州",
    "武汉",
    "长沙",
    "南昌",
    "合肥",
    "成都",
    "西安",
    "沈阳",
    "大连",
    "哈尔滨",
    "长春",
    "石家庄",
    "太原",
    "昆明",
    "南宁",
    "贵阳",
    "海口",
    "兰州",
]
_LEADING_CITY = re.compile(rf"^(?:{'|'.join(_CITIES)})市?")


def english_variant(name: str) -> str | None:
    """The English trade-name form of a Chinese company name, when it has a known trade word."""
    if not _HAN.search(name) or not _CJK_TRADE.search(name):
        return None
    return _CJK_TRADE.sub(lambda m: " " + _CJK_TRADES[m.group()] + " ", _CJK_LEGAL.sub(" ", name))


def without_city(name: str) -> str | None:
    """A Chinese company name without its city, in brackets or in front ("天润塑胶（佛山）",
    "广州市瑞禾科技" -> "天润塑胶", "瑞禾科技"): its English name often leaves the city out."""
    short = _LEADING_CITY.sub("", _CITY.sub(" ", name.strip()))
    return short if short != name.strip() and short.strip() else None


def is_abbreviation(short: str, word: str) -> bool:
    """MASCHB of MASCHINENBAU, MFG of MANUFACTURING, LOG of LOGISTIEK: same first letter, in order."""
    if len(short) < 2 or len(short) >= len(word) or short[0] != word[0]:
        return False
    rest = iter(word)
    return all(ch in rest for ch in short)


def truncated_variant(name: str) -> str | None:
    """The name as a bank field would cut it, when it is longer than the field."""
    text = str(name).strip()
    return text[:BANK_NAME_LIMIT] if len(text) > BANK_NAME_LIMIT else None


def _full(name: str) -> str:
    plain = anyascii(unicodedata.normalize("NFKC", name.translate(_GERMAN))).upper()
    return _DIGRAPHS.sub(lambda m: m.group()[0], _NON_WORD.sub("", plain))


def name_keys(names: pd.Series) -> pd.DataFrame:
    """`key` (sorted words), `compact` (written order, no spaces) and `full` for each name.

    Distinct names are normalised once: bank lines repeat the same payers many times.
    """
    text = names.fillna("").astype(str)
    uniques = pd.unique(text)
    keys, compacts, fulls = [], [], []
    for name in uniques:
        words = _words(name) if name.strip() else []
        keys.append(" ".join(sorted(words)))
        compacts.append("".join(words))
        fulls.append(_full(name))
    table = pd.DataFrame(
        {"key": keys, "compact": compacts, "full": fulls}, index=pd.Index(uniques, dtype=object)
    )
    out = table.reindex(text.to_numpy())
    out.index = names.index
    return out
