"""Bytes to text for bank files whose encoding nobody declares.

Banks export UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), Windows-1252
(German and French banks), Windows-1250 (Czech, Polish and Hungarian banks), GBK/GB18030 (Chinese banks) or Shift_JIS/EUC-JP (Japanese
banks). A BOM or valid UTF-8 settles it; a Japanese reading is judged by whether its text
stays within kana, kanji and full-width forms, and kana in a GB18030 reading count against
it (Chinese banks write none). As for GB18030, a lone kanji outside JIS X 0208's first
level counts against a Japanese reading ("ßß" in cp1252 reads "烝" in EUC-JP).
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

__all__ = ["decode_lenient", "head_of", "implausibility", "line_containing", "rank_encodings"]

_SAMPLE_BYTES = 65536
_CJK_BETWEEN_LATIN = re.compile(r"(?<=[A-Za-z])[\u3400-\u9fff](?=[A-Za-z])")
_LONE_CJK = re.compile(r"(?<![\u3400-\u9fff])[\u3400-\u9fff](?![\u3400-\u9fff])")
_NOT_CHINESE = re.compile(r"[^\x00-\x7f\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_NOT_JAPANESE = re.compile(r"[^\x00-\x7f\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
# Half-width katakana are common in Japanese bank names; a sound mark (ﾞ ﾟ) with no kana
# before it is not Japanese but cp1252 letters read as Shift_JIS ("ßß" -> "ﾟﾟ").
_STRAY_SOUND_MARK = re.compile(r"(?<![\uff66-\uff9d])[\uff9e\uff9f]")
# Accented letters as cp1252 and cp1250 read them (Latin-1 and Latin Extended-A), and the
# spacing accents (ˇ ˘ ˛ ˝) that cp1250 gives for bytes that are never letters of their own.
_LATIN_RUN = re.compile(r"[\u0080-\u017f]{2,}")
_SPACING_ACCENT = re.compile(r"[\u02c0-\u02ff]")
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

    A BOM or valid UTF-8 gives one certain answer; otherwise the cp1252, cp1250, GB18030, EUC-JP
    and Shift_JIS (cp932) readings of the head that decode without error, least implausible first.
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
    for encoding in ("cp1252", "cp1250", "gb18030", "euc_jp", "cp932"):
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
            + len(_KANA.findall(text))  # Chinese banks write no kana; a Japanese file read as GB does
            + sum(not _in_gb2312(c) for c in _CJK.findall(text))  # "ßA" reads "逜", a GBK-only character
        )
    elif encoding in ("euc_jp", "cp932"):
        bad = (
            len(_NOT_JAPANESE.findall(text))
            + len(_CJK_BETWEEN_LATIN.findall(text))
            + sum(not _common_kanji(c) for c in _LONE_CJK.findall(text))
            + len(_STRAY_SOUND_MARK.findall(text))
        )
    else:  # two accented letters in a row happen ("üß"); three or more are Chinese bytes
        bad = sum(len(run) if len(run) > 2 else len(run) / 2 for run in _LATIN_RUN.findall(text))
        bad += len(_SPACING_ACCENT.findall(text))
    return bad / foreign


@cache
def _common_hanzi(char: str) -> bool:
    """Whether `char` is among GB2312's 3,755 first-level (most used) characters."""
    try:
        return 0xB0 <= char.encode("gb2312")[0] <= 0xD7
    except UnicodeEncodeError:
        return False


@cache
def _in_gb2312(char: str) -> bool:
    """Whether `char` is in GB2312 (the 6,763 characters nearly all Chinese bank text uses)."""
    try:
        char.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


@cache
def _common_kanji(char: str) -> bool:
    """Whether `char` is among JIS X 0208's first-level (most used) kanji."""
    try:
        return 0xB0 <= char.encode("euc_jp")[0] <= 0xCF
    except UnicodeEncodeError:
        return False


def decode_lenient(data: bytes) -> str:
    """Best-effort text for sniffing the format (never for reading values)."""
    ranked = rank_encodings(data)
    return data.decode(ranked[0], errors="replace") if ranked else data.decode("latin-1")


def line_containing(text: str, needle: str, start: int = 1) -> int | None:
    """The number of the first line at or after `start` holding `needle` (None: nowhere).

    Libraries that read a format whole (ofxtools, quiffen, bai2) name the value they choke
    on but not its line; this finds it for the refusal."""
    if not needle:
        return None
    for number, line in enumerate(text.splitlines()[start - 1 :], start=start):
        if needle in line:
            return number
    return None
