"""`arbook init` and a writing run on each of the 30 workbooks saved by Microsoft Excel in ../shared.

Each file is either refused with the message its trouble deserves, or adopted and then written
by a run (Aging replaced, an Audit row appended): every zip part arbook did not need to change
must be byte-identical with the same compression method, the changed parts must be exactly
workbook.xml, its relationships, [Content_Types].xml and styles.xml, the new parts exactly one
sheet, one sheet-rels and one table part per added table, and LibreOffice must open the result
and show the Aging rows (all files converted in one soffice run).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from arbook.init import init
from common.errors import UnsafeWorkbookError
from workbook.contract import TABLES
from workbook.filebook import FileBook

MANIFEST = Path(__file__).resolve().parents[2] / "shared" / "excel-samples" / "MANIFEST.tsv"
FILES = (
    [line.split("\t")[0] for line in MANIFEST.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    if MANIFEST.exists()
    else []
)

REFUSED = {
    "poi_ms-office-2010-signed.xlsx": r"carries a digital signature \(_xmlsignatures\).*--force",
    "poi_sample.strict.xlsx": r"Strict Open XML.*Save As",
    "poi_workbookProtection-user_range-2010.xlsx": r"protected structure \(Review > Protect Workbook\)",
    "poi_xlmmacro.xlsm": r"Excel 4 macro sheet\(s\) 'Macro1' \(xl/macrosheets\)",
    "xlwings_quickstart_addin_ribbon.xlam": r"is an Excel add-in",
}
CHANGED = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}
ADDED = [t.name for t in TABLES if not t.optional]  # every table arbook adds to a workbook that has none
NEW_PART = re.compile(
    r"^xl/(worksheets/sheet\d+\.xml|worksheets/_rels/sheet\d+\.xml\.rels|tables/table\d+\.xml)$"
)
AGING = pd.DataFrame(
    {
        "CustomerID": ["C-001", "C-002"],
        "Name": ["Müller GmbH", "=cmd|' /C calc'!A0"],
        "Current": pd.array([123456, -5000], dtype="Int64"),
        "Total": pd.array([123456, -5000], dtype="Int64"),
    }
)


def _sheet_names(path: Path) -> list[str]:
    xml = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    return [m.group(1) for m in re.finditer(r'<(?:\w+:)?sheet [^>]*?name="([^"]*)"', xml)]


@pytest.fixture(scope="module")
def adopted(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every sample copied to a temporary folder, init + one writing run: file -> Path or the refusal."""
    folder = tmp_path_factory.mktemp("adopted")
    out: dict[str, object] = {}
    for name in FILES:
        target = folder / name
        shutil.copyfile(shared_dir / "excel-samples" / name, target)
        try:
            summary = init(target, suggest=True)
        except UnsafeWorkbookError as exc:
            out[name] = exc
            continue
        assert summary.figures["tables added"] == len(ADDED), summary
        assert "no sheet's headings look like Customers or Invoices; nothing to map" in summary.notes
        with FileBook(target) as book:
            book.replace("Aging", AGING)
            book.commit("aging", "test run")
        out[name] = target
    return out


@pytest.fixture(scope="module")
def libreoffice_csv(
    adopted: dict[str, object], soffice: str, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Each adopted workbook's sheets as CSV files, exported by LibreOffice in one invocation."""
    written = [p for p in adopted.values() if isinstance(p, Path)]
    out = tmp_path_factory.mktemp("csv")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(out),
            *map(str, written),
        ],
        check=True,
        capture_output=True,
        timeout=170,
    )
    return out


def test_the_manifest_lists_thirty_workbooks(shared_dir: Path) -> None:
    assert len(FILES) == 30


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_init_then_a_run_touches_only_what_it_must(
    name: str, adopted: dict[str, object], shared_dir: Path, libreoffice_csv: Path
) -> None:
    outcome = adopted[name]
    if name in REFUSED:
        assert isinstance(outcome, UnsafeWorkbookError)
        assert re.search(REFUSED[name], str(outcome)), str(outcome)
        return
    assert isinstance(outcome, Path), f"{name} was refused: {outcome}"
    original = shared_dir / "excel-samples" / name
    before = zipfile.ZipFile(original)
    after = zipfile.ZipFile(outcome)
    old = {i.filename: i for i in before.infolist()}
    new = {i.filename: i for i in after.infolist()}

    assert set(old) <= set(new), f"parts lost: {set(old) - set(new)}"
    for part, info in old.items():
        assert new[part].compress_type == info.compress_type, part
    changed = {p for p in old if before.read(p) != after.read(p)}
    assert changed - {"xl/styles.xml"} == CHANGED - {"xl/styles.xml"}, changed
    assert changed <= CHANGED
    added_parts = set(new) - set(old)
    assert all(NEW_PART.match(p) for p in added_parts), sorted(added_parts)
    assert len(added_parts) == 3 * len(ADDED)

    sheets_before = _sheet_names(original)
    sheets_after = _sheet_names(outcome)
    assert sheets_after[: len(sheets_before)] == sheets_before  # never renamed, never moved
    assert sheets_after[len(sheets_before) :] == ADDED

    with FileBook(outcome) as book:
        aging = book.read("Aging")
        assert aging["CustomerID"].tolist() == ["C-001", "C-002"]
        assert aging["Total"].tolist() == [123456, -5000]
        assert aging["Name"].tolist()[1] == "=cmd|' /C calc'!A0"  # text stays text
        assert book.read("Audit")["Command"].tolist() == ["init", "aging"]
        assert book.settings().base_currency == "EUR"
        assert book.read("DunningLevels")["Template"].tolist() == [
            "reminder",
            "notice1",
            "notice2",
            "notice3",
        ]

    with open(libreoffice_csv / f"{Path(name).stem}-Aging.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["CustomerID", "Name", "Current", "Total"],
        ["C-001", "Müller GmbH", "1234.56", "1234.56"],
        ["C-002", "=cmd|' /C calc'!A0", "-50", "-50"],
    ]


def test_a_signed_workbook_is_adopted_with_force_and_says_the_signature_broke(
    shared_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "signed.xlsx"
    shutil.copyfile(shared_dir / "excel-samples" / "poi_ms-office-2010-signed.xlsx", target)
    summary = init(target, force=True)
    assert any("digital signature no longer matches" in n for n in summary.notes)
    before = zipfile.ZipFile(shared_dir / "excel-samples" / "poi_ms-office-2010-signed.xlsx")
    after = zipfile.ZipFile(target)
    for part in ("_xmlsignatures/sig1.xml", "_xmlsignatures/origin.sigs", "_rels/.rels"):
        assert after.read(part) == before.read(part)


def test_a_refused_workbook_is_left_byte_identical(shared_dir: Path, tmp_path: Path) -> None:
    for name in REFUSED:
        target = tmp_path / name
        shutil.copyfile(shared_dir / "excel-samples" / name, target)
        with pytest.raises(UnsafeWorkbookError):
            init(target)
        assert target.read_bytes() == (shared_dir / "excel-samples" / name).read_bytes()
        assert not (tmp_path / "backups").exists()
