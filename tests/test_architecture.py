"""Conventions checked by machine: writes only in services, no audit writes in selectors, crypto
only in shelter/crypto."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ["shelter", "cases", "housing", "budget"]


def _python_files():
    for top in SOURCE_DIRS:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


VIEW_AND_FORM_FILES = [p for p in _python_files()
                       if p.name.startswith(("views", "forms")) or p.parent.name == "views"]
WRITE_CALL = re.compile(r"\.(save|delete|bulk_create|bulk_update|update_or_create|get_or_create)\("
                        r"|\.objects\.create\(|\.objects\.filter\([^)]*\)\.(update|delete)\(")


@pytest.mark.parametrize("path", VIEW_AND_FORM_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_and_forms_do_not_write(path):
    offending = [f"{i}: {line.strip()}" for i, line in enumerate(path.read_text().splitlines(), 1)
                 if WRITE_CALL.search(line) and "session" not in line]
    assert not offending, "write in a view/form, use a service:\n" + "\n".join(offending)


def test_only_the_crypto_package_imports_cryptography():
    offenders = []
    for path in _python_files():
        if "crypto" in path.relative_to(ROOT).parts[:2]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "cryptography" or n.startswith("cryptography.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_no_cdn_or_third_party_origin_in_templates():
    pattern = re.compile(r"(src|href)=\"(https?:)?//", re.I)
    hits = [str(p) for top in SOURCE_DIRS for p in (ROOT / top).rglob("*.html")
            if pattern.search(p.read_text())]
    assert not hits


SELECTOR_FILES = [p for p in _python_files() if p.name.startswith("selectors")]
AUDIT_WRITE = re.compile(r"\b(audit\.record|record_refusal|record_rejection|mark_audited)\(")


@pytest.mark.parametrize("path", SELECTOR_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_selectors_only_read(path):
    """Reads are recorded by the guards (each app's access.py), writes by services."""
    source = path.read_text()
    offending = [f"{i}: {line.strip()}" for i, line in enumerate(source.splitlines(), 1)
                 if AUDIT_WRITE.search(line)]
    assert not offending, "audit write in a selector, record in the guard:\n" + "\n".join(
        offending)
    assert "from shelter import audit\n" not in source
