"""Malformed templates and pdf_font settings through the command line (`arbook statements`): each
is refused with exit 1, the Templates row and column (or the Settings key) named, no traceback,
nothing written and nothing in the outbox. Templates are code anyone with the workbook can
edit: code that divides by zero, loops a billion times, calls itself or writes gigabytes is the
template's fault and is reported as such. The fonts are made here (only small files are kept)."""

from __future__ import annotations

import copy
import hashlib
import sys
from pathlib import Path

import pytest

from arbook.cli import main
from tests.test_workbook_bad_inputs import BASE, _build, row

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

TEMPLATES = [
    # (case, column, text, what the message says after "template ...")
    ("syntax-subject", "Subject", "{{ broken", "syntax error line 1: unexpected end of template"),
    ("syntax-body", "Body", "{% for x in %}", "syntax error line 1: "),
    ("unclosed-block", "Body", "{% if customer %}open", "syntax error line 1: Unexpected end of template"),
    (
        "range-billion",
        "Body",
        "{% for i in range(10**9) %}x{% endfor %}",
        "refused: OverflowError: Range too big",
    ),
    ("repeat-gigabyte", "Body", "{{ 'x' * 10**9 }}", "refused: SecurityError: a text or list repeated"),
    ("list-repeat", "Body", "{{ [1] * 10**8 }}", "refused: SecurityError: a text or list repeated"),
    ("power-tower", "Body", "{{ 10 ** (10 ** 8) }}", "refused: SecurityError: an exponent above 1000"),
    (
        "writes-too-much",
        "Body",
        "{% for i in range(99999) %}{{ 'x' * 99 }}{% endfor %}",
        "refused: it writes more than 1,000,000",
    ),
    ("lipsum-pages", "Body", "{{ lipsum(n=10**5) }}", "refused: UndefinedError: 'lipsum' is undefined"),
    (
        "self-calling-macro",
        "Body",
        "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
        "refused: RecursionError",
    ),
    (
        "nested-loops-printing-nothing",
        "Body",
        "<p>Hello</p>\n{% for i in range(99999) %}\n{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "refused: it runs more than 200,000 loop steps (template 'statement', language en, line 3)",
    ),
    (
        "loops-over-repeated-text",
        "Subject",
        "{% for a in 'x' * 999999 %}{% for b in 'y' * 999999 %}{% endfor %}{% endfor %}",
        "refused: it runs more than 200,000 loop steps (template 'statement', language en, line 1)",
    ),
    (
        "macro-looping-in-a-loop",
        "Body",
        "{% macro m(n) %}{% for i in range(n) %}{% endfor %}{% endmacro %}\n\n{% for k in range(99999) %}{{ m(99999) }}{% endfor %}",
        "refused: it runs more than 200,000 loop steps (template 'statement', language en, line 1)",
    ),
    ("divide-by-zero", "Body", "{{ 1 / 0 }}", "refused: ZeroDivisionError"),
    ("text-plus-number", "Subject", "{{ 'a' + 1 }}", "refused: TypeError"),
    ("int-of-words", "Body", "{{ int('abc') }}", "refused: UndefinedError: 'int' is undefined"),
    ("index-past-end", "Body", "{{ [1][5] }}", "refused: UndefinedError"),
    (
        "unknown-filter",
        "Body",
        "{{ 1 | nosuchfilter }}",
        "syntax error line 1: No filter named 'nosuchfilter'",
    ),
    ("undefined-attribute", "Body", "{{ customer.nope.deeper }}", "refused: UndefinedError"),
    ("class-escape", "Body", "{{ ''.__class__.__mro__ }}", "refused: SecurityError"),
    ("globals-escape", "Subject", "{{ cycler.__init__.__globals__ }}", "refused: SecurityError"),
    ("include-file", "Body", "{% include '/etc/passwd' %}", "refused: TemplateNotFound"),
    ("extends-file", "Body", "{% extends 'base.html' %}", "refused: TemplateNotFound"),
    ("import-module", "Body", "{% import 'os' as os %}", "refused: TemplateNotFound"),
    ("mutate-input", "Body", "{{ invoices.append(1) }}", "refused: "),
]


def _fonts(folder: Path) -> dict[str, tuple[str, str]]:
    """case -> (pdf_font setting, what the message says after the setting)."""
    folder.mkdir()
    files = {
        "text-named-ttf": b"not a font at all\n",
        "empty-ttf": b"",
        "png-named-ttf": b"\x89PNG\r\n\x1a\n" + bytes(64),
        "zip-named-otf": b"PK\x03\x04" + bytes(64),
        "collection-header-only": b"ttcf\x00\x01\x00\x00\x00\x00\x00\x01" + bytes(4),
    }
    if DEJAVU.is_file():
        data = DEJAVU.read_bytes()
        files["cut-after-header"] = data[:2000]
        files["cut-in-the-middle"] = data[: len(data) // 2]
    cases: dict[str, tuple[str, str]] = {}
    for name, data in files.items():
        suffix = ".otf" if "otf" in name else ".ttc" if "collection" in name else ".ttf"
        path = folder / f"{name}{suffix}"
        path.write_bytes(data)
        cases[name] = (str(path), "cannot be read as one (")
    cases["missing-file"] = (str(folder / "no-such.ttf"), "does not exist")
    cases["a-folder"] = (str(folder), "is a folder")
    return cases


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    return _fonts(tmp_path_factory.mktemp("fonts") / "files")


FONT_CASES = [
    "text-named-ttf",
    "empty-ttf",
    "png-named-ttf",
    "zip-named-otf",
    "collection-header-only",
    "cut-after-header",
    "cut-in-the-middle",
    "missing-file",
    "a-folder",
]


def _statements(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    outbox = path.parent / f"{path.stem}-outbox"
    monkeypatch.setattr(
        sys, "argv", ["arbook", "statements", str(path), "--as-of", "2026-11-30", "--outbox", str(outbox)]
    )
    with pytest.raises(SystemExit) as exited:
        main()
    assert not outbox.exists() or not any(outbox.iterdir())
    return int(exited.value.code), capsys.readouterr().err


def _refused(path: Path, monkeypatch, capsys, located: str) -> None:
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    code, err = _statements(path, monkeypatch, capsys)
    assert code == 1 and "Traceback" not in err and located in err, err
    assert "nothing was written" in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not (path.parent / "backups").exists()


@pytest.mark.parametrize(("case", "column", "text", "says"), TEMPLATES, ids=[c[0] for c in TEMPLATES])
def test_a_malformed_template_is_refused_by_row_and_column(
    tmp_path, monkeypatch, capsys, case, column, text, says
):
    tables = copy.deepcopy(BASE)
    subject, body = (text, "<p>ok</p>") if column == "Subject" else ("Statement", text)
    row("Templates", "statement", "en", subject, body)(tables)  # Excel row 4 of Templates
    path = _build(tmp_path / f"{case}.xlsx", tables)
    _refused(path, monkeypatch, capsys, f"Templates row 4 column {column}: template {says}")


@pytest.mark.parametrize("case", FONT_CASES)
def test_a_pdf_font_that_is_not_a_font_is_refused_naming_the_setting(
    tmp_path, monkeypatch, capsys, fonts, case
):
    if case not in fonts:
        pytest.skip("DejaVu Sans not installed (apt-get install fonts-dejavu-core)")
    setting, says = fonts[case]
    tables = copy.deepcopy(BASE)
    row("Settings", "pdf_font", setting, "")(tables)
    path = _build(tmp_path / f"{case}.xlsx", tables)
    _refused(
        path,
        monkeypatch,
        capsys,
        f"Settings: pdf_font: expected a .ttf, .otf or .ttc font file, {setting!r} {says}",
    )


def test_the_unedited_workbook_writes_its_statements(tmp_path, monkeypatch, capsys):
    """The same command on the base workbook succeeds: the refusals above are the edits' doing."""
    path = _build(tmp_path / "base.xlsx", copy.deepcopy(BASE))
    monkeypatch.setattr(
        sys,
        "argv",
        ["arbook", "statements", str(path), "--as-of", "2026-11-30", "--outbox", str(tmp_path / "out")],
    )
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code in (0, None), capsys.readouterr().err
    assert len(list((tmp_path / "out").glob("*.eml"))) == 2
