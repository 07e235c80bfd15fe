"""Encrypted model fields, decrypted lazily on attribute access.

Design: the column holds the ciphertext (binary). `from_db_value` cannot decrypt because it does
not know the row's primary key (part of the AAD) nor its owner, so it only wraps the bytes in a
`Sealed`. The field's descriptor decrypts on first attribute access, with the instance's pk and
key owner, and keeps the plaintext on the `Sealed` (so each value is decrypted at most once, and
values never read are never decrypted: a list page of code names costs nothing). `pre_save`
encrypts values that were assigned or changed and passes unchanged ciphertext through.

A model with encrypted fields must subclass `EncryptedModel`, have a UUID primary key (known
before the first save; it is part of the AAD) and declare where its data key comes from:
``encryption_key_owner = "pk"`` (the row owns its key), ``"case_id"`` (an attribute holding the
owner's UUID) or ``"programme"``; ``encryption_key_purpose`` names the key kind (default "case").
Writing plaintext through ``QuerySet.update()``/``bulk_update()`` or filtering on an encrypted
column raises CryptoError instead of ever sending plaintext to the database.

A model whose primary key must stay an integer (django-otp's devices) names another unique
UUID field, set on creation and never changed, as its row identity instead:
``encryption_row_field = "uid"``.
"""

from __future__ import annotations

import datetime
import json
import uuid
from contextvars import ContextVar
from typing import Any

from django import forms
from django.core import checks, validators
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from shelter.crypto.blind_index import MAX_TOKENS, blind_index_hex, blind_index_tokens
from shelter.crypto.exceptions import (
    CryptoError,
    DecryptionFailed,
    KeyFileError,
    KeyMissing,
    KeyShredded,
)
from shelter.crypto.fieldcrypto import decrypt_field, encrypt_field, field_context
from shelter.crypto.integrity import Withheld, report_failure

# While set, descriptors hand out `Sealed` values without decrypting (used by refresh_from_db).
_raw_access: ContextVar[bool] = ContextVar("shelter_raw_access", default=False)


class Sealed:
    """A ciphertext from the database, with its plaintext once opened. repr shows no content."""

    __slots__ = ("blob", "bound_pk", "opened", "plain", "plain_bytes", "ctx", "withheld")

    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        self.bound_pk: object = None
        self.opened = False
        self.withheld: Withheld | None = None  # set once it failed to open: never retried
        self.plain: Any = None
        self.plain_bytes = b""
        self.ctx: tuple[object, ...] = ()

    def __repr__(self) -> str:
        return f"<Sealed {len(self.blob)} bytes>"

    def __getstate__(self) -> tuple[bytes, object]:
        # Pickling (caches, sessions, task queues) carries the ciphertext, never the plaintext.
        return self.blob, self.bound_pk

    def __setstate__(self, state: tuple[bytes, object]) -> None:
        self.__init__(state[0])  # type: ignore[misc]
        self.bound_pk = state[1]


def row_attname(model: type[models.Model] | models.Model) -> str:
    """The attribute that identifies a row in its values' AAD: the pk, or a UUID field."""
    name = getattr(model, "encryption_row_field", "pk")
    return model._meta.pk.attname if name == "pk" else model._meta.get_field(name).attname


def key_owner(instance: models.Model) -> tuple[str, uuid.UUID | None]:
    """(purpose, owner id) of the data key that protects `instance`'s encrypted fields."""
    spec = instance.encryption_key_owner
    if spec == "programme":
        return "programme", None
    purpose = getattr(instance, "encryption_key_purpose", "case")
    return purpose, (instance.pk if spec == "pk" else getattr(instance, spec))


class EncryptedAttribute(DeferredAttribute):
    """Decrypts on first access; assignment of plaintext marks the value for encryption."""

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        data = instance.__dict__
        name = self.field.attname
        if name not in data:  # deferred: load the ciphertext only
            token = _raw_access.set(True)
            try:
                super().__get__(instance, cls)
            finally:
                _raw_access.reset(token)
        value = data[name]
        if type(value) is not Sealed or _raw_access.get():
            return value
        if value.withheld is not None:
            return value.withheld
        if not value.opened:
            try:
                self.field.open(instance, value)
            except (DecryptionFailed, KeyMissing) as exc:
                if isinstance(exc, KeyShredded | KeyFileError):
                    raise  # shredded: an expected state; no key file: the install is broken
                reason = exc.reason if isinstance(exc, DecryptionFailed) else "key"
                value.withheld = Withheld(reason)
                report_failure(instance, kind="field", reason=reason, column=self.field.column)
                return value.withheld
        return value.plain

    def __set__(self, instance: models.Model, value: Any) -> None:
        data = instance.__dict__
        if isinstance(value, Withheld):
            return  # "keep what is stored": a withheld value is never written back
        if type(value) is Sealed:
            if value.bound_pk is None:
                value.bound_pk = data.get(row_attname(instance))
        else:
            current = data.get(self.field.attname)
            if type(current) is Sealed and current.opened and current.plain == value:
                return  # unchanged (e.g. full_clean re-assigning): keep the ciphertext
        data[self.field.attname] = value


class EncryptedField(models.Field):
    """Base class: a binary column holding `fieldcrypto` ciphertext of `to_bytes(value)`."""

    descriptor_class = EncryptedAttribute
    form_class: type[forms.Field] = forms.CharField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.pop("serialize", None)
        super().__init__(*args, **kwargs)
        # Never in dumpdata/serializer output: that would be plaintext in a file. Database
        # backups carry the ciphertext instead.
        self.serialize = False
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("serialize", None)  # always False, set by the constructor
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    # --- plaintext <-> bytes, per subclass -------------------------------------------------
    def to_bytes(self, value: Any) -> bytes:
        return str(self.to_python(value)).encode()

    def from_bytes(self, raw: bytes) -> Any:
        return raw.decode()

    # --- database -------------------------------------------------------------------------
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sealed | None:
        return None if value is None else Sealed(bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            value = value.blob
        if not isinstance(value, bytes | bytearray | memoryview):
            raise CryptoError(
                f"{self.model.__name__}.{self.name} is encrypted: assign it and save() the "
                "instance; it cannot be written by update()/bulk_update() or filtered on."
            )
        return connection.Database.Binary(bytes(value))

    def open(self, instance: models.Model, sealed: Sealed) -> None:
        """Decrypt `sealed` for `instance` and keep the plaintext on it."""
        purpose, owner_id = key_owner(instance)
        pk = sealed.bound_pk if sealed.bound_pk is not None else \
            getattr(instance, row_attname(instance))
        context = field_context(instance._meta.db_table, self.column, pk)
        raw = decrypt_field(purpose, owner_id, sealed.blob, context)
        sealed.plain, sealed.plain_bytes = self.from_bytes(raw), raw
        sealed.ctx, sealed.opened = (purpose, owner_id, pk), True

    def pre_save(self, model_instance: models.Model, add: bool) -> bytes | None:
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        purpose, owner_id = key_owner(model_instance)
        pk = getattr(model_instance, row_attname(model_instance))
        if type(value) is Sealed:
            if not value.opened:
                if value.bound_pk in (None, pk):
                    return value.blob  # never read, so unchanged
                self.open(model_instance, value)  # the row's pk changed: re-encrypt
            raw = self.to_bytes(value.plain)
            if raw == value.plain_bytes and value.ctx == (purpose, owner_id, pk):
                return value.blob
            plain = value.plain
        else:
            plain, raw = value, self.to_bytes(value)
        context = field_context(model_instance._meta.db_table, self.column, pk)
        sealed = Sealed(encrypt_field(purpose, owner_id, raw, context))
        sealed.bound_pk, sealed.plain, sealed.plain_bytes = pk, plain, raw
        sealed.ctx, sealed.opened = (purpose, owner_id, pk), True
        model_instance.__dict__[self.attname] = sealed
        return sealed.blob

    def value_to_string(self, obj: models.Model) -> str:
        return "" if (value := self.value_from_object(obj)) is None else str(value)

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        return super().formfield(**{"form_class": self.form_class, **kwargs})

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        row = self.model._meta.get_field(row_attname(self.model))
        if not (isinstance(row, models.UUIDField) and (row.primary_key or (
                row.unique and row.has_default() and not row.editable))):
            errors.append(checks.Error(
                "Models with encrypted fields need a UUID primary key (or an "
                "encryption_row_field: a unique, non-editable UUID field with a default).",
                obj=self, id="crypto.E001"))
        if not getattr(self.model, "encryption_key_owner", None):
            errors.append(checks.Error("Models with encrypted fields must declare "
                                       "encryption_key_owner.", obj=self, id="crypto.E002"))
        return errors


class EncryptedTextField(EncryptedField):
    """Free text, encrypted."""

    def to_python(self, value: Any) -> str | None:
        return value if value is None or isinstance(value, str) else str(value)

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        return super().formfield(**{"widget": forms.Textarea, **kwargs})


class EncryptedCharField(EncryptedTextField):
    """Short text, encrypted; `max_length` is validated, not a column width."""

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        return EncryptedField.formfield(self, **{"max_length": self.max_length, **kwargs})


class EncryptedDateField(EncryptedField):
    """A date, encrypted as its ISO form."""

    form_class = forms.DateField

    def to_python(self, value: Any) -> datetime.date | None:
        return models.DateField().to_python(value)

    def to_bytes(self, value: Any) -> bytes:
        return self.to_python(value).isoformat().encode()

    def from_bytes(self, raw: bytes) -> datetime.date:
        return datetime.date.fromisoformat(raw.decode())


class EncryptedJSONField(EncryptedField):
    """A JSON value, encrypted. In-place changes to a read dict/list are detected on save."""

    form_class = forms.JSONField

    def to_python(self, value: Any) -> Any:
        return value

    def to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False).encode()

    def from_bytes(self, raw: bytes) -> Any:
        return json.loads(raw)


class BlindIndexField(models.CharField):
    """A blind index kept in step with an encrypted source field of the same model."""

    def __init__(self, *args: Any, source: str, purpose: str, alnum_only: bool = False,
                 **kwargs: Any) -> None:
        self.source, self.purpose, self.alnum_only = source, purpose, alnum_only
        kwargs.update(max_length=16, db_index=True, editable=False, null=True, blank=True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("max_length", "db_index", "editable", "null", "blank"):
            kwargs.pop(fixed, None)
        kwargs.update(source=self.source, purpose=self.purpose)
        if self.alnum_only:
            kwargs["alnum_only"] = True
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = model_instance.__dict__.get(self.source)
        if type(value) is Sealed:
            if not value.opened:  # source not touched: the stored index is still right
                return model_instance.__dict__.get(self.attname)
            value = value.plain
        index = blind_index_hex(self.purpose, value, alnum_only=self.alnum_only) if value else None
        model_instance.__dict__[self.attname] = index
        return index


class BlindIndexTokensField(BlindIndexField):
    """The blind indexes of every name token of encrypted source fields, in one column:
    " <hex> <hex> ... " (sorted, space-delimited, so `contains=" <hex> "` is an exact token
    match). Being a blind index, it is cleared with the others when its data key is shredded.
    """

    def __init__(self, *args: Any, sources: tuple[str, ...] | list[str], purpose: str,
                 **kwargs: Any) -> None:
        self.sources, self.source, self.purpose, self.alnum_only = (
            tuple(sources), sources[0], purpose, False)
        kwargs.update(max_length=MAX_TOKENS * 17 + 1, editable=False, null=True, blank=True)
        models.CharField.__init__(self, *args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = models.CharField.deconstruct(self)
        for fixed in ("max_length", "editable", "null", "blank"):
            kwargs.pop(fixed, None)
        kwargs.update(sources=list(self.sources), purpose=self.purpose)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        raw = [model_instance.__dict__.get(source) for source in self.sources]
        if all(type(value) is Sealed and not value.opened for value in raw):
            return model_instance.__dict__.get(self.attname)  # untouched: still right
        values = [getattr(model_instance, source) for source in self.sources]
        if any(isinstance(value, Withheld) for value in values):
            return model_instance.__dict__.get(self.attname)  # cannot read: keep what is stored
        index = self._index(values)
        model_instance.__dict__[self.attname] = index
        return index

    def compute(self, model_instance: models.Model) -> str | None:
        """The index from the sources as they read now (re-indexing after a key change);
        raises KeyShredded for a shredded owner, returns the stored index if one is withheld."""
        values = [getattr(model_instance, source) for source in self.sources]
        if any(isinstance(value, Withheld) for value in values):
            return model_instance.__dict__.get(self.attname)
        return self._index(values)

    def _index(self, values: list[Any]) -> str | None:
        digests = blind_index_tokens(self.purpose, [str(v) for v in values if v])
        return f" {' '.join(digests)} " if digests else None

    @staticmethod
    def lookup(purpose: str, token: str) -> str:
        """The `contains` value that matches rows holding `token` (one normalised token)."""
        return f" {blind_index_hex(purpose, token)} "


class EncryptedModel(models.Model):
    """Base for models with encrypted fields: refreshes load ciphertext, not plaintext."""

    encryption_key_owner: str = ""
    encryption_key_purpose: str = "case"
    encryption_row_field: str = "pk"

    class Meta:
        abstract = True

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        token = _raw_access.set(True)
        try:
            super().refresh_from_db(*args, **kwargs)
        finally:
            _raw_access.reset(token)
