"""Data key caching: one unwrap per key per request, never a key from a rolled-back transaction."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from shelter.crypto import keycache
from shelter.crypto.exceptions import DecryptionFailed, KeyMissing
from shelter.crypto.fieldcrypto import decrypt_field, encrypt_field
from shelter.crypto.middleware import KeyCacheMiddleware


@pytest.mark.django_db(transaction=True)
def test_key_created_in_a_rolled_back_transaction_is_never_reused():
    owner = uuid.uuid4()
    with pytest.raises(RuntimeError), transaction.atomic():
        encrypt_field("case", owner, b"lost", b"ctx")
        raise RuntimeError
    blob = encrypt_field("case", owner, b"kept", b"ctx")
    keycache.clear_all()
    assert decrypt_field("case", owner, blob, b"ctx") == b"kept"


@pytest.mark.django_db(transaction=True)
def test_a_cached_key_costs_no_query(django_assert_num_queries):
    owner = uuid.uuid4()
    blob = encrypt_field("case", owner, b"v", b"ctx")
    keycache.clear_all()
    with django_assert_num_queries(1):
        for _ in range(20):
            decrypt_field("case", owner, blob, b"ctx")


@pytest.mark.django_db(transaction=True)
def test_request_cache_is_dropped_after_the_response():
    owner = uuid.uuid4()
    blob = encrypt_field("case", owner, b"v", b"ctx")
    seen = {}

    def view(request):
        decrypt_field("case", owner, blob, b"ctx")
        seen["cache"] = keycache.active_cache()
        return HttpResponse("ok")

    KeyCacheMiddleware(view)(RequestFactory().get("/"))
    assert len(seen["cache"]) == 0 and seen["cache"] is not keycache.active_cache()


@pytest.mark.django_db
def test_programme_key_is_separate_from_case_keys():
    case_id = uuid.uuid4()
    blob = encrypt_field("programme", None, b"Keizersgracht 1", b"housing|address|1")
    assert decrypt_field("programme", None, blob, b"housing|address|1") == b"Keizersgracht 1"
    with pytest.raises(DecryptionFailed):
        decrypt_field("case", case_id, blob, b"housing|address|1")
    with pytest.raises(KeyMissing):
        encrypt_field("case", None, b"x", b"ctx")  # a case key needs its case


@pytest.mark.django_db(transaction=True)
def test_prefetch_unwraps_a_page_of_keys_with_one_query(django_assert_num_queries):
    from shelter.crypto.api import prefetch_data_keys

    owners = [uuid.uuid4() for _ in range(10)]
    blobs = [encrypt_field("defender", o, b"name", b"ctx") for o in owners]
    keycache.clear_all()
    with django_assert_num_queries(1):
        assert prefetch_data_keys("defender", owners) == 10
        for owner, blob in zip(owners, blobs, strict=True):
            decrypt_field("defender", owner, blob, b"ctx")
