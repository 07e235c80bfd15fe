"""Compile the project's .po catalogues with polib, so a fresh machine needs no GNU gettext."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def compile_catalogues(root: Path) -> list[Path]:
    """Compile every .po under `root` into a .mo next to it; return the .mo files written.

    Only translated entries go in: fuzzy, obsolete and untranslated ones are left out, so
    gettext falls back to the source text for them."""
    written = []
    for po in sorted(root.rglob("*.po")):
        mo = po.with_suffix(".mo")
        polib.pofile(str(po)).save_as_mofile(str(mo))
        written.append(mo)
    return written


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po → .mo) with polib."

    def handle(self, *args, **options) -> None:
        written = compile_catalogues(settings.BASE_DIR / "shelter" / "locale")
        self.stdout.write(f"Compiled {len(written)} catalogue(s).")
