"""deploy/.env.example lists every variable Shelter reads, and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = [ROOT / "shelter" / "settings.py", ROOT / "deploy" / "gunicorn.conf.py"]
NAME = re.compile(r"""["']((?:SHELTER|DATABASE)_[A-Z0-9_]+)["']""")
LISTED = re.compile(r"^#?((?:SHELTER|DATABASE)_[A-Z0-9_]+)=", re.MULTILINE)


def read_names() -> set[str]:
    names = set()
    for path in READERS:
        names |= set(NAME.findall(path.read_text()))
    return names


def test_every_variable_read_is_listed():
    text = (ROOT / "deploy" / ".env.example").read_text()
    listed = set(LISTED.findall(text))
    assert read_names() - listed == set()
    assert listed - read_names() == set()  # nothing listed that nothing reads
    assert "SHELTER_SECRET_KEY=\n" in text  # a secret is never given a value in the example
