"""Bytes to text for bank files whose encoding nobody declares.

Banks export UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), Windows-1252
(German and French banks) or GBK/GB18030 (Chinese banks). A BOM or valid UTF-8 settles it.
Between cp1252 and GB18030 almost any byte string decodes both ways, so each reading of the
file's head is judged by how plausible its non-ASCII text looks: GB18030 mojibake of Latin
text puts CJK characters between Latin letters ("Empf鋘ger") or private-use characters where
"üß" was; cp1252 mojibake of Chinese makes runs of accented letters ("½»Ò×ÈÕÆÚ").
Two accented letters standing alone are also one valid GB18030 character ("ßß" reads "哌");
lowercase accented letters are bytes 0xDF-0xFF, which lead only to the rarer characters
outside GB2312's first level, while Chinese written alone ("2023年4月11日", "王") is common
characters. So a lone character outside that level counts against GB18030. The CSV reader
also weighs which reading makes more header names known.
"""

from __future__ import annotations

import codecs
import re
from functools import cache

__all__ = ["decode_lenient", "head_of", "implausibility", "rank_encodings"]

_SAMPLE_BYTES = 65536
_CJK_BETWEEN_LATIN = re.compile(r"(?<=[A-Za-z])[\u3400-\u9fff](?=[A-Za-z])")
_LONE_CJK = re.compile(r"(?<![\u3400-\u9fff])[\u3400-\u9fff](?![\u3400-\u9fff])")
_NOT_CHINESE = re.compile(r"[^\x00-\x7f\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_LATIN_RUN = re.compile(r"[\u0080-\u00ff]{2,}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def head_of(data: bytes) -> bytes:
    """The first ~64 KB, cut after a newline so no multi-byte character is split."""
    if len(data) <= _SAMPLE_BYTES:
        return data
    cut = data.rfind(b"\n", 0, _SAMPLE_BYTES)
    return data[: cut + 1] if cut > 0 else data[:_SAMPLE_BYTES]


def rank_encodings(data: bytes) -> list[str]:
    """Encodings worth trying for `data`, most plausible first (empty: none decodes its head).

    A BOM or valid UTF-8 gives one certain answer; otherwise the cp1252 and GB18030 readings
    of the head that decode without error, least implausible first.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return [encoding]
    try:
        data.decode("utf-8")
        return ["utf-8"]
    except UnicodeDecodeError:
        pass
    head = head_of(data)
    readings = []
    for encoding in ("cp1252", "gb18030"):
        try:
            readings.append((implausibility(head.decode(encoding), encoding), encoding))
        except UnicodeDecodeError:
            continue
    return [encoding for _score, encoding in sorted(readings, key=lambda r: r[0])]


def implausibility(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters that look like mojibake in this reading (0 = clean)."""
    foreign = len(_NON_ASCII.findall(text))
    if not foreign:
        return 0.0
    if encoding == "gb18030":
        bad = (
            len(_NOT_CHINESE.findall(text))
            + len(_CJK_BETWEEN_LATIN.findall(text))
            + sum(not _common_hanzi(c) for c in _LONE_CJK.findall(text))
        )
    else:  # two accented letters in a row happen ("üß"); three or more are Chinese bytes
        bad = sum(len(run) if len(run) > 2 else len(run) / 2 for run in _LATIN_RUN.findall(text))
    return bad / foreign


@cache
def _common_hanzi(char: str) -> bool:
    """Whether `char` is among GB2312's 3,755 first-level (most used) characters."""
    try:
        return 0xB0 <= char.encode("gb2312")[0] <= 0xD7
    except UnicodeEncodeError:
        return False


def decode_lenient(data: bytes) -> str:
    """Best-effort text for sniffing the format (never for reading values)."""
    ranked = rank_encodings(data)
    return data.decode(ranked[0], errors="replace") if ranked else data.decode("latin-1")
