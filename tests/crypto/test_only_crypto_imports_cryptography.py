"""Only shelter/crypto may import `cryptography` (SecureDrop keeps crypto in one module).

The exceptions are outside the application: the benchmarks' raw AES-GCM baseline, and the ID
token tests, which make the provider's signing keys themselves."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "venv", ".git", "node_modules", "var", "__pycache__"}
ALLOWED = ROOT / "shelter" / "crypto"
BENCH_BASELINE = ROOT / "bench" / "aes_baseline.py"
ID_TOKEN_TESTS = ROOT / "tests" / "crypto" / "test_id_tokens.py"


def _python_files() -> list[Path]:
    return [p for p in ROOT.rglob("*.py")
            if not SKIP.intersection(p.relative_to(ROOT).parts) and ALLOWED not in p.parents
            and p not in {BENCH_BASELINE, ID_TOKEN_TESTS}]


def _callee(node: ast.Call) -> str:
    return getattr(node.func, "attr", getattr(node.func, "id", ""))


def _imports_cryptography(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif (isinstance(node, ast.Call) and _callee(node) in {"import_module", "__import__"}
              and node.args and isinstance(node.args[0], ast.Constant)):
            names = [str(node.args[0].value)]
        else:
            continue
        if any(name == "cryptography" or name.startswith("cryptography.") for name in names):
            return True
    return False


def test_no_module_outside_shelter_crypto_imports_cryptography():
    offenders = [str(p.relative_to(ROOT)) for p in _python_files()
                 if _imports_cryptography(ast.parse(p.read_text(), filename=str(p)))]
    assert not offenders, f"cryptography imported outside shelter/crypto: {offenders}"


def test_the_scan_would_catch_an_import():
    assert _imports_cryptography(ast.parse("from cryptography.fernet import Fernet"))
    assert _imports_cryptography(ast.parse("import cryptography.hazmat"))
    assert _imports_cryptography(ast.parse("importlib.import_module('cryptography.x509')"))
    assert not _imports_cryptography(ast.parse("from shelter.crypto.api import store_document"))
