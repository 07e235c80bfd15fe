"""Recompute the name-token blind indexes of every defender (see SECURITY.md, "Search").

Run after the blind-index key changed: the tokens are HMACs under that key, so until they are
recomputed a search by name finds nothing. Migration 0009 runs the same code once. Safe to run
again at any time; it prints counts only, never names.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cases import services


class Command(BaseCommand):
    help = "Recompute every defender's name tokens (after a blind-index key change)."

    def handle(self, *args: Any, **options: Any) -> None:
        indexed = services.defender_names_reindex()
        self.stdout.write(f"Name tokens recomputed for {indexed} defender(s).")
