"""Property tests: every value round-trips through the field cipher, and only in its context."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shelter.crypto.exceptions import DecryptionFailed
from shelter.crypto.fieldcrypto import decrypt_field, encrypt_field, field_context
from shelter.crypto.fields import EncryptedJSONField, EncryptedTextField

OWNER = uuid.UUID("00000000-0000-4000-8000-000000000001")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.binary(max_size=4096), pk=st.uuids())
def test_any_bytes_round_trip_and_fail_in_another_row(value, pk):
    context = field_context("cases_note", "body", pk)
    blob = encrypt_field("case", OWNER, value, context)
    assert decrypt_field("case", OWNER, blob, context) == value
    with pytest.raises(DecryptionFailed):
        decrypt_field("case", OWNER, blob, field_context("cases_note", "body", uuid.uuid4()))


@given(value=json_values)
def test_json_values_survive_the_byte_encoding(value):
    field = EncryptedJSONField()
    assert field.from_bytes(field.to_bytes(value)) == value


@given(value=st.text())
def test_text_values_survive_the_byte_encoding(value):
    field = EncryptedTextField()
    assert field.from_bytes(field.to_bytes(value)) == value


@pytest.mark.django_db
def test_short_values_of_different_lengths_give_equal_ciphertext_lengths():
    context = field_context("cases_defender", "legal_name", OWNER)
    short = encrypt_field("defender", OWNER, b"Ana", context)
    longer = encrypt_field("defender", OWNER, "Maximiliano Fernández".encode(), context)
    assert len(short) == len(longer)


@pytest.mark.django_db
def test_version_1_values_without_padding_are_still_read():
    import secrets

    from shelter.crypto.datakeys import key_for_owner

    context = field_context("cases_note", "body", OWNER)
    key = key_for_owner("case", OWNER, create=True)
    header = b"\x01" + key.datakey_id.bytes
    nonce = secrets.token_bytes(12)
    blob = header + nonce + key.aead.encrypt(nonce, b"old value", header + context)
    assert decrypt_field("case", OWNER, blob, context) == b"old value"
