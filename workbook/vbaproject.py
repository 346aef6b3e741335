"""The VBA project of an .xlsm (xl/vbaProject.bin): put a module's source into it, without Excel.

The part is a Compound File (MS-CFB) holding the project as MS-OVBA describes it: a PROJECT
text stream naming the modules, a compressed `VBA/dir` stream with one record group per module,
and one stream per module whose compressed source starts at the module's offset (any bytes
before it are Excel's compiled cache). `with_modules` replaces or adds modules' source and
writes the project the way MS-OVBA says a writer must: `VBA/_VBA_PROJECT` without a
performance cache and with version 0xFFFF, so Excel compiles every module from its source when
it opens the file (xlwings' own quickstart workbooks ship that way), and without the `__SRP_*`
caches. Every other stream is kept byte for byte.

Reading uses olefile (the container) and oletools (decompression). No maintained library
writes either format: olefile only rewrites streams of unchanged size, and the one package
that compresses MS-OVBA (ms-ovba-compression 1.0.1) corrupts text over a few hundred bytes
(it never caps a copy token's length). So `compress` and `write_cfb` are written here, from
the two specifications, and tested against oletools/olefile and LibreOffice, which read them
independently.
"""

from __future__ import annotations

import codecs
import io
import math
import re
import struct
from collections.abc import Mapping

import olefile

from common.errors import UnsafeWorkbookError

__all__ = [
    "compress",
    "declared_modules",
    "module_sources",
    "renamed_modules",
    "with_modules",
    "without_modules",
    "write_cfb",
]

_CHUNK = 4096


# -- MS-OVBA compression (2.4.1) ----------------------------------------------------------


def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature byte 0x01, then one compressed chunk per 4096 bytes."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        body = _compress_chunk(data[start : start + _CHUNK])
        if len(body) > _CHUNK:
            if len(data) - start < _CHUNK:
                raise ValueError("a final chunk that does not compress cannot be stored raw")
            out += struct.pack("<H", 0x3000 | (_CHUNK - 1)) + data[start : start + _CHUNK]
        else:
            out += struct.pack("<H", 0xB000 | (len(body) - 1)) + body  # size - 3 counts the header
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    seen: dict[bytes, list[int]] = {}
    pos = 0
    while pos < len(chunk):
        flag_at = len(out)
        out.append(0)
        for bit in range(8):
            if pos >= len(chunk):
                break
            bit_count = max(4, math.ceil(math.log2(pos))) if pos > 1 else 4
            offset, length = _longest_match(chunk, pos, seen, (0xFFFF >> bit_count) + 3)
            if length >= 3:
                out += struct.pack("<H", ((offset - 1) << (16 - bit_count)) | (length - 3))
                out[flag_at] |= 1 << bit
                step = length
            else:
                out.append(chunk[pos])
                step = 1
            for i in range(pos, pos + step):
                seen.setdefault(chunk[i : i + 3], []).append(i)
            pos += step
    return bytes(out)


def _longest_match(chunk: bytes, pos: int, seen: dict[bytes, list[int]], max_length: int) -> tuple[int, int]:
    best_length, best_at = 0, 0
    for candidate in reversed(seen.get(chunk[pos : pos + 3], [])[-256:]):  # the nearest 256 suffice
        length = 0
        while (
            pos + length < len(chunk)
            and length < max_length
            and chunk[candidate + length] == chunk[pos + length]
        ):
            length += 1
        if length > best_length:
            best_length, best_at = length, candidate
            if length == max_length:
                break
    return pos - best_at, best_length


def _decompress(data: bytes) -> bytes:
    import warnings

    with warnings.catch_warnings():  # oletools 0.60 uses pyparsing names since deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import decompress_stream

    return bytes(decompress_stream(bytearray(data)))


# -- the VBA/dir records (2.3.4.2) --------------------------------------------------------

_MODULE_NAME, _MODULE_OFFSET, _MODULE_END, _MODULES_COUNT, _DIR_END = 0x0019, 0x0031, 0x002B, 0x000F, 0x0010
_PROCEDURAL, _CLASS = 0x0021, 0x0022


def _records(data: bytes) -> list[bytes]:
    records, i = [], 0
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        if rid == 0x0009:  # PROJECTVERSION: its size field says 4, six bytes follow
            size = 6
        records.append(data[i : i + 6 + size])
        i += 6 + size
    return records


def _rid(record: bytes) -> int:
    return struct.unpack_from("<H", record)[0]


def _rec(rid: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HI", rid, len(payload)) + payload


_MAC_CODE_PAGES = {
    10000: "mac_roman",
    10006: "mac_greek",
    10007: "mac_cyrillic",
    10029: "mac_latin2",
    10079: "mac_iceland",
    10081: "mac_turkish",
}
"""The Mac code pages Excel for Mac writes a project in (PROJECTCODEPAGE), by Python's names for them."""


def _codec(code_page: int) -> str:
    """Python's codec for a project's code page: Windows' are cpNNNN, the Mac's have names of their own."""
    name = _MAC_CODE_PAGES.get(code_page, f"cp{code_page}")
    try:
        codecs.lookup(name)
    except LookupError:
        raise UnsafeWorkbookError(
            f"the workbook's VBA project is written in code page {code_page}, which arbook cannot read; "
            "nothing was written"
        ) from None
    return name


class _Dir:
    """The dir stream as records: the project's, then one group per module."""

    def __init__(self, data: bytes) -> None:
        records = _records(data)
        first = next(i for i, r in enumerate(records) if _rid(r) == _MODULE_NAME)
        self.head, self.modules, self.tail = records[:first], [], []
        group: list[bytes] = []
        for record in records[first:]:
            if group or _rid(record) == _MODULE_NAME:
                group.append(record)
                if _rid(record) == _MODULE_END:
                    self.modules.append(group)
                    group = []
            else:
                self.tail.append(record)
        codepage = next(r for r in self.head if _rid(r) == 0x0003)
        self.code_page = struct.unpack_from("<H", codepage, 6)[0]
        self.codec = _codec(self.code_page)

    def name(self, group: list[bytes]) -> str:
        return group[0][6:].decode(self.codec)

    def offset(self, group: list[bytes]) -> int:
        record = next(r for r in group if _rid(r) == _MODULE_OFFSET)
        return struct.unpack_from("<I", record, 6)[0]

    def stream(self, group: list[bytes]) -> str:
        return next(r for r in group if _rid(r) == 0x001A)[6:].decode(self.codec)

    def rename(self, group: list[bytes], name: str) -> None:
        """The module's name and its stream's name (each in the code page and in UTF-16) become `name`."""
        mbcs, wide = name.encode(self.codec), name.encode("utf-16-le")
        new = {_MODULE_NAME: mbcs, 0x0047: wide, 0x001A: mbcs, 0x0032: wide}
        group[:] = [_rec(_rid(r), new[_rid(r)]) if _rid(r) in new else r for r in group]

    def set_source_at_start(self, group: list[bytes]) -> None:
        i = next(i for i, r in enumerate(group) if _rid(r) == _MODULE_OFFSET)
        group[i] = _rec(_MODULE_OFFSET, struct.pack("<I", 0))

    def add(self, name: str, kind: int) -> None:
        mbcs, wide = name.encode(self.codec), name.encode("utf-16-le")
        self.modules.append(
            [
                _rec(_MODULE_NAME, mbcs),
                _rec(0x0047, wide),
                _rec(0x001A, mbcs),
                _rec(0x0032, wide),
                _rec(0x001C),
                _rec(0x0048),
                _rec(_MODULE_OFFSET, struct.pack("<I", 0)),
                _rec(0x001E, struct.pack("<I", 0)),
                _rec(0x002C, struct.pack("<H", 0xFFFF)),
                _rec(kind),
                _rec(_MODULE_END),
            ]
        )

    def to_bytes(self) -> bytes:
        head = [
            struct.pack("<HIH", _MODULES_COUNT, 2, len(self.modules)) if _rid(r) == _MODULES_COUNT else r
            for r in self.head
        ]
        return b"".join(head) + b"".join(b"".join(g) for g in self.modules) + b"".join(self.tail)


# -- the project --------------------------------------------------------------------------


def _streams(project: bytes) -> dict[str, bytes]:
    with olefile.OleFileIO(io.BytesIO(project)) as ole:
        return {"/".join(path): ole.openstream(path).read() for path in ole.listdir(streams=True)}


def declared_modules(project: bytes) -> dict[str, str]:
    """Module name -> how the PROJECT stream declares it: Document, Module (standard) or Class."""
    streams = _streams(project)
    codec = _Dir(_decompress(streams["VBA/dir"])).codec
    found = {}
    for line in streams["PROJECT"].decode(codec).split("\r\n"):
        key, _, value = line.partition("=")
        if key in ("Document", "Module", "Class", "BaseClass"):
            found[value.split("/")[0]] = "Class" if key == "BaseClass" else key
    return found


def module_sources(project: bytes) -> dict[str, str]:
    """Module name -> its source text, as stored in a vbaProject.bin."""
    streams = _streams(project)
    directory = _Dir(_decompress(streams["VBA/dir"]))
    return {
        directory.name(g): _decompress(streams["VBA/" + directory.stream(g)][directory.offset(g) :]).decode(
            directory.codec
        )
        for g in directory.modules
    }


def with_modules(
    project: bytes, sources: Mapping[str, str], *, classes: frozenset[str] = frozenset()
) -> bytes:
    """`project` with each module of `sources` (name -> source text, line ends as given) replaced,
    or added as a standard module (a class module for a name in `classes`); Excel compiles every
    module afresh from its source when it opens the workbook."""
    streams = _streams(project)
    directory = _Dir(_decompress(streams["VBA/dir"]))
    existing = {directory.name(g): g for g in directory.modules}
    text = streams["PROJECT"].decode(directory.codec)
    names = streams["PROJECTwm"][:-2]
    for name, source in sources.items():
        if name not in existing:
            directory.add(name, _CLASS if name in classes else _PROCEDURAL)
            existing[name] = directory.modules[-1]
            text = _declare(text, f"{'Class' if name in classes else 'Module'}={name}")
            names += name.encode(directory.codec) + b"\x00" + name.encode("utf-16-le") + b"\x00\x00"
        group = existing[name]
        directory.set_source_at_start(group)
        streams["VBA/" + directory.stream(group)] = compress(
            source.encode(directory.codec)  # as given: Excel writes CRLF, xlwings' files have LF
        )
    streams["VBA/dir"] = compress(directory.to_bytes())
    streams["PROJECT"] = text.encode(directory.codec)
    streams["PROJECTwm"] = names + b"\x00\x00"
    streams["VBA/_VBA_PROJECT"] = b"\xcc\x61\xff\xff\x00\x00\x00"
    return write_cfb({path: data for path, data in streams.items() if not path.startswith("VBA/__SRP_")})


def without_modules(project: bytes, names: frozenset[str]) -> bytes:
    """`project` without the modules `names` (their dir records, PROJECT lines, names and streams)."""
    streams = _streams(project)
    directory = _Dir(_decompress(streams["VBA/dir"]))
    gone = [g for g in directory.modules if directory.name(g) in names]
    directory.modules = [g for g in directory.modules if g not in gone]
    for group in gone:
        del streams["VBA/" + directory.stream(group)]
    lines = streams["PROJECT"].decode(directory.codec).split("\r\n")
    kept = [
        line
        for line in lines
        if not (
            line.split("=", 1)[0] in ("Document", "Module", "Class", "BaseClass")
            and line.split("=", 1)[-1].split("/")[0] in names
        )
        and line.split("=", 1)[0] not in names  # the [Workspace] section's window positions
    ]
    entries = b"".join(
        raw for name, raw in _wm_entries(streams["PROJECTwm"], directory.codec) if name not in names
    )
    streams["VBA/dir"] = compress(directory.to_bytes())
    streams["PROJECT"] = "\r\n".join(kept).encode(directory.codec)
    streams["PROJECTwm"] = entries + b"\x00\x00"
    return write_cfb(streams)


def _wm_entries(wm: bytes, codec: str) -> list[tuple[str, bytes]]:
    """The PROJECTwm stream's entries: each module's name and its bytes (the name in the project's
    code page, NUL, the name in UTF-16, two NULs)."""
    entries, i = [], 0
    while wm[i : i + 2] != b"\x00\x00" and i < len(wm):
        end = wm.index(b"\x00", i)
        wide_end = end + 1
        while wm[wide_end : wide_end + 2] != b"\x00\x00":
            wide_end += 2
        entries.append((wm[i:end].decode(codec), wm[i : wide_end + 2]))
        i = wide_end + 2
    return entries


def renamed_modules(project: bytes, names: Mapping[str, str]) -> bytes:
    """`project` with its modules renamed (old name -> new name), source, declaration and window
    entry alike. Excel ties a document module to the workbook or sheet whose codeName attribute
    names it (German Excel calls the workbook's DieseArbeitsmappe, Russian Excel ЭтаКнига): a
    module named otherwise belongs to nothing, and Excel adds a second one for the workbook.
    A name the project's code page cannot spell is refused (the project names every module in
    its code page, and Excel writes the project in the code page of the Windows it runs on)."""
    streams = _streams(project)
    directory = _Dir(_decompress(streams["VBA/dir"]))
    existing = [directory.name(g) for g in directory.modules]
    missing = sorted(set(names) - set(existing))
    if missing:
        raise ValueError(f"the VBA project has no module {', '.join(missing)} to rename")
    others = {n.casefold(): n for n in existing if n not in names}
    taken = sorted(
        f"{new} (as {others[new.casefold()]})" for new in names.values() if new.casefold() in others
    )
    if taken:
        raise ValueError(f"the VBA project already has a module named {', '.join(taken)}")
    unspelt = [new for new in names.values() if not _spells(new, directory.codec)]
    if unspelt:
        raise UnsafeWorkbookError(
            f"the VBA project is written in code page {directory.code_page}, which cannot spell the module "
            f"name(s) {', '.join(unspelt)} the workbook gives"
        )
    sources = {
        directory.name(g): _decompress(
            streams.pop("VBA/" + directory.stream(g))[directory.offset(g) :]
        ).decode(directory.codec)
        for g in directory.modules
        if directory.name(g) in names
    }
    text = streams["PROJECT"].decode(directory.codec)
    listed = _wm_entries(streams["PROJECTwm"], directory.codec)
    for group in directory.modules:
        old = directory.name(group)
        if old in names:
            new = names[old]
            directory.rename(group, new)
            directory.set_source_at_start(group)
            source = re.sub(
                r'^Attribute VB_Name = "[^"]*"', f'Attribute VB_Name = "{new}"', sources[old], count=1
            )
            streams["VBA/" + new] = compress(source.encode(directory.codec))
    lines = []
    for line in text.split("\r\n"):
        key, eq, value = line.partition("=")
        name, slash, rest = value.partition("/")
        if eq and key in ("Document", "Module", "Class", "BaseClass") and name in names:
            line = f"{key}={names[name]}{slash}{rest}"
        elif eq and key in names:  # the [Workspace] section's window positions
            line = f"{names[key]}={value}"
        lines.append(line)
    streams["PROJECT"] = "\r\n".join(lines).encode(directory.codec)
    streams["PROJECTwm"] = (
        b"".join(
            names[n].encode(directory.codec) + b"\x00" + names[n].encode("utf-16-le") + b"\x00\x00"
            if n in names
            else raw
            for n, raw in listed
        )
        + b"\x00\x00"
    )
    streams["VBA/dir"] = compress(directory.to_bytes())
    streams["VBA/_VBA_PROJECT"] = b"\xcc\x61\xff\xff\x00\x00\x00"
    return write_cfb({path: data for path, data in streams.items() if not path.startswith("VBA/__SRP_")})


def _spells(text: str, codec: str) -> bool:
    """Whether a VBA project in `codec` can name a module `text`."""
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _declare(project_text: str, line: str) -> str:
    """Add a Module=/Class= line after the project's last module line, before Name=."""
    lines = project_text.split("\r\n")
    last = max(
        i
        for i, text in enumerate(lines)
        if text.split("=", 1)[0] in ("Document", "Module", "Class", "BaseClass", "Package")
    )
    return "\r\n".join([*lines[: last + 1], line, *lines[last + 1 :]])


# -- MS-CFB (version 3, 512-byte sectors) ---------------------------------------------------

_SECTOR, _MINI, _MINI_CUTOFF = 512, 64, 4096
_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


class _Entry:
    def __init__(self, name: str, kind: int, data: bytes = b"") -> None:
        self.name, self.kind, self.data = name, kind, data
        self.children: list[_Entry] = []
        self.index = self.left = self.right = self.child = _NONE
        self.start, self.size = _END, len(data)


def _sort_key(entry: _Entry) -> tuple[int, str]:
    return len(entry.name), entry.name.upper()


def write_cfb(streams: Mapping[str, bytes]) -> bytes:
    """A compound file holding `streams` ("Storage/Stream" -> bytes); storages follow from the paths."""
    root = _Entry("Root Entry", 5)
    for path, data in streams.items():
        parent = root
        *storages, name = path.split("/")
        for storage in storages:
            found = next((c for c in parent.children if c.name == storage and c.kind == 1), None)
            if found is None:
                found = _Entry(storage, 1)
                parent.children.append(found)
            parent = found
        parent.children.append(_Entry(name, 2, data))
    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entry.index = len(entries)
        entries.append(entry)
        for child in entry.children:
            number(child)

    number(root)
    for entry in entries:
        entry.child = _tree(sorted(entry.children, key=_sort_key))

    mini = bytearray()
    mini_fat: list[int] = []
    for entry in entries:
        if entry.kind == 2 and 0 < entry.size < _MINI_CUTOFF:
            entry.start = len(mini_fat)
            count = -(-entry.size // _MINI)
            mini_fat += [entry.start + i + 1 for i in range(count - 1)] + [_END]
            mini += entry.data.ljust(count * _MINI, b"\x00")
    root.data, root.size = bytes(mini), len(mini)

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        if not data:
            return _END
        first = len(sectors)
        count = -(-len(data) // _SECTOR)
        for i in range(count):
            sectors.append(data[i * _SECTOR : (i + 1) * _SECTOR].ljust(_SECTOR, b"\x00"))
        fat.extend([first + i + 1 for i in range(count - 1)] + [_END])
        return first

    root.start = place(root.data)
    for entry in entries:
        if entry.kind == 2 and entry.size >= _MINI_CUTOFF:
            entry.start = place(entry.data)
    directory = b"".join(_directory_entry(e) for e in entries)
    directory += _directory_entry(None) * (-len(entries) % 4)
    first_directory = place(directory)
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    first_mini_fat = place(mini_fat_bytes)
    mini_fat_sectors = -(-len(mini_fat_bytes) // _SECTOR)

    fat_count = 0
    while fat_count * (_SECTOR // 4) < len(fat) + fat_count:
        fat_count += 1
    if fat_count > 109:
        raise ValueError("a VBA project over 6.8 MB needs DIFAT sectors, which this writer does not make")
    fat_first = len(sectors)
    fat += [_FAT] * fat_count
    fat += [_FREE] * (fat_count * (_SECTOR // 4) - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    sectors += [fat_bytes[i * _SECTOR : (i + 1) * _SECTOR] for i in range(fat_count)]

    difat = [fat_first + i for i in range(fat_count)] + [_FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\x00" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,
        fat_count,
        first_directory,
        0,
        _MINI_CUTOFF,
        first_mini_fat,
        mini_fat_sectors,
        _END,
        0,
    ) + struct.pack("<109I", *difat)
    return header + b"".join(sectors)


def _tree(siblings: list[_Entry]) -> int:
    """The siblings (sorted) as a balanced binary tree, all black; returns the top's index."""
    if not siblings:
        return _NONE
    middle = len(siblings) // 2
    top = siblings[middle]
    top.left, top.right = _tree(siblings[:middle]), _tree(siblings[middle + 1 :])
    return top.index


def _directory_entry(entry: _Entry | None) -> bytes:
    if entry is None:
        return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NONE, _NONE, _NONE, b"", 0, 0, 0, 0, 0)
    name = entry.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"a compound file name has at most 31 characters: {entry.name!r}")
    start = entry.start if entry.kind != 1 else 0
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name) + 2,
        entry.kind,
        1,  # black
        entry.left,
        entry.right,
        entry.child,
        b"",
        0,
        0,
        0,
        start,
        entry.size if entry.kind != 1 else 0,
    )
