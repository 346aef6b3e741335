"""The repository explains itself: its documents are current, their pointers into the code land
on something that exists, their links resolve, and no comment sends a reader to a file the
repository does not have."""

from __future__ import annotations

import ast
import re
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from arbook.docs import stale_parts

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])
CODE_REFERENCE = re.compile(r"`((?:[\w-]+/)+[\w-]+\.py)(?::([\w.]+))?`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_generated_parts_of_the_documents_are_current() -> None:
    assert stale_parts(REPO) == [], "run: python -m arbook.docs"


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [REPO / name for name in listed if (REPO / name).exists()]


def _text(path: Path) -> str:
    """A file's text; "" for a binary one (a workbook, a PDF, a font)."""
    data = path.read_bytes()
    if b"\0" in data:
        return ""
    return data.decode("utf-8", errors="replace")


def test_no_comment_points_to_a_file_the_repository_does_not_have() -> None:
    """Code, documents, templates, VBA, build files: whatever the repository holds."""
    # the names of the project's own planning files, bracketed so that this line does not name them
    outside = re.compile(r"S[P]EC\b|S[P]EC\.md|M[E]ASURED|D[E]SIGN\.md")
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in _tracked_files()
        for number, line in enumerate(_text(path).splitlines(), start=1)
        if outside.search(line)
    ]
    assert found == [], "say it in place, or point into docs/"


@cache
def _names(path: Path) -> dict[str, set[str]]:
    """Top-level names of a module ("" key) and the names each class defines (its key)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def defined(body: list[ast.stmt]) -> set[str]:
        out: set[str] = set()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.add(node.name)
            elif isinstance(node, ast.Assign):
                out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                out.add(node.target.id)
        return out

    names = {"": defined(tree.body)}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = defined(node.body)
    return names


def _references() -> list[tuple[str, str, str]]:
    return sorted(
        {
            (doc.relative_to(REPO).as_posix(), m[1], m[2] or "")
            for doc in DOCUMENTS
            for m in CODE_REFERENCE.finditer(doc.read_text(encoding="utf-8"))
        }
    )


def test_the_documents_point_into_the_code() -> None:
    assert len(_references()) > 50  # the rule index of docs/architecture.md is there


@pytest.mark.parametrize(("document", "path", "name"), _references())
def test_each_pointer_into_the_code_lands_on_what_it_names(document: str, path: str, name: str) -> None:
    file = REPO / path
    assert file.is_file(), f"{document} names {path}, which does not exist"
    if name:
        owner, _, member = name.rpartition(".")
        names = _names(file)
        assert member in names.get(owner, set()), (
            f"{document} names {path}:{name}, which is not defined there"
        )


def _anchors(document: Path) -> set[str]:
    """The anchors a Markdown renderer makes from the headings (GitHub's rule)."""
    seen: Counter[str] = Counter()
    out = set()
    for line in document.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"#+ (.*)", line):
            slug = re.sub(r"[^\w\- ]", "", m[1].replace("`", "").lower()).replace(" ", "-")
            out.add(slug if not seen[slug] else f"{slug}-{seen[slug]}")
            seen[slug] += 1
    return out


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_links_between_the_documents_resolve(document: Path) -> None:
    broken = []
    for target in LINK.findall(document.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in _anchors(linked)):
            broken.append(target)
    assert broken == []
