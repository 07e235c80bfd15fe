"""Dutch is complete: every message in the catalogue is translated, and the catalogue holds
every message the source code uses (when GNU gettext is available to extract them)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shelter.i18n import parse_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "shelter" / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def _msgids(text: str) -> set[str]:
    ids, current, in_id = set(), [], False
    for line in text.splitlines():
        if line.startswith("msgid "):
            current, in_id = [line[6:].strip('"')], True
        elif line.startswith('"') and in_id:
            current.append(line.strip('"'))
        else:
            if in_id and "".join(current):
                ids.add("".join(current))
            in_id = False
    return ids


def test_every_dutch_message_is_translated_and_not_fuzzy():
    text = CATALOGUE.read_text(encoding="utf-8")
    translated = parse_po(text)
    missing = sorted(m for m in _msgids(text) if not any(
        key == m or key.startswith(m + "\x00") or key.endswith("\x04" + m) for key in translated))
    assert not missing, f"{len(missing)} untranslated: {missing[:10]}"
    assert "#, fuzzy" not in text


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_catalogue_holds_every_message_in_the_source(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", "var", ".git", "node_modules", "__pycache__", "tests", "bench"))
    env = {"SHELTER_ENV": "development", "SHELTER_VAR_DIR": str(tmp_path / "var"),
           "PATH": "/usr/bin:/bin:/usr/local/bin"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-location",
                    "--ignore=var"], cwd=copy, env=env, check=True, capture_output=True)
    fresh = _msgids((copy / CATALOGUE.relative_to(ROOT)).read_text(encoding="utf-8"))
    known = _msgids(CATALOGUE.read_text(encoding="utf-8"))
    assert not sorted(fresh - known), f"run `make messages` and translate: {sorted(fresh - known)}"
