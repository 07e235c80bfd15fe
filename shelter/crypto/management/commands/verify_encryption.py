"""Check that every encrypted value and document authenticates; report ids, never content."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models

from shelter.crypto import events
from shelter.crypto.datakeys import key_by_id
from shelter.crypto.documents import EncryptedFileModel, decrypt_document
from shelter.crypto.exceptions import CryptoError, KeyShredded
from shelter.crypto.fields import EncryptedField
from shelter.crypto.keycache import key_cache_scope
from shelter.crypto.models import DataKey


class Command(BaseCommand):
    help = "Decrypt and authenticate every encrypted field and document; exit 1 on any failure."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-documents", action="store_true",
                            help="Check fields only, not document files.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []
        with key_cache_scope(maxsize=1024):
            self._check_keys()
            for model in apps.get_models():
                fields = [f for f in model._meta.concrete_fields
                          if isinstance(f, EncryptedField)]
                if fields:
                    self._check_rows(model, fields)
                if issubclass(model, EncryptedFileModel) and not options["skip_documents"]:
                    self._check_documents(model)
        for line in self.failures:
            self.stderr.write(line)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(self.counts.items()))
                          or "nothing encrypted yet")
        events.record(None, "VERIFY_ENCRYPTION", None,
                      failures=len(self.failures), values_ok=self.counts["values ok"],
                      documents_ok=self.counts["documents ok"])
        if self.failures:
            raise CommandError(f"{len(self.failures)} failure(s).")

    def _fail(self, what: str, exc: Exception) -> None:
        self.counts["failed"] += 1
        self.failures.append(f"FAIL {what}: {type(exc).__name__}")

    def _check_keys(self) -> None:
        for row in DataKey.objects.filter(shredded_at__isnull=True).iterator():
            try:
                key_by_id(row.pk)
                self.counts["data keys ok"] += 1
            except CryptoError as exc:
                self._fail(f"data key {row.pk}", exc)

    def _check_rows(self, model: type[models.Model], fields: list[EncryptedField]) -> None:
        label = model._meta.label
        for obj in model._default_manager.all().iterator(chunk_size=500):
            for field in fields:
                sealed = obj.__dict__.get(field.attname)
                if sealed is None:
                    continue
                try:
                    field.open(obj, sealed)
                    self.counts["values ok"] += 1
                except KeyShredded:
                    self.counts["values shredded"] += 1
                except CryptoError as exc:
                    self._fail(f"{label} {obj.pk} field {field.name}", exc)
                finally:
                    sealed.plain = None  # do not keep plaintext around

    def _check_documents(self, model: type[EncryptedFileModel]) -> None:
        for doc in model._default_manager.all().iterator(chunk_size=100):
            try:
                for _chunk in decrypt_document(doc):
                    pass
                self.counts["documents ok"] += 1
            except KeyShredded:
                self.counts["documents shredded"] += 1
            except (CryptoError, OSError) as exc:
                self._fail(f"{model._meta.label} document {doc.pk}", exc)
