"""Personas used across the suite (carla, olaf, otto, pia, paul, aud) and signed-in clients.

Fixtures only: the helpers they are built from live in tests/factories.py."""

from __future__ import annotations

import pytest

from shelter.accounts.models import Organisation, User
from shelter.accounts.roles import Role
from tests.factories import make_user, verified_client

# The OpenID provider on loopback (tests/oidc/): fixtures `oidc_provider` and `oidc`.
pytest_plugins = ["tests.oidc.fixtures"]


@pytest.fixture(autouse=True)
def _unmarked_document_store():
    """Each test starts with a document store its database has not marked yet: a test that
    flushes the database gets a new installation id, and the shared store must not then
    look like another installation's (see shelter.crypto.storagemark)."""
    from shelter.crypto import storagemark
    from shelter.crypto.documents import document_storage

    storagemark.forget_claims()
    storage = document_storage()
    if type(storage).__name__ == "FileSystemStorage" and storage.exists(storagemark.MARKER_NAME):
        storage.delete(storagemark.MARKER_NAME)
    yield
    storagemark.forget_claims()


@pytest.fixture(autouse=True)
def _empty_process_key_cache():
    """Each test starts with no unwrapped data key cached in the process: a test whose database
    is flushed afterwards (the browser journeys) would otherwise leave the next one encrypting
    under a cached programme key whose row is gone (a flush happens only in tests)."""
    from shelter.crypto import keycache

    keycache.clear_all()
    yield


@pytest.fixture(autouse=True)
def _fresh_register_versions():
    """The access log remembers the register's versions for 30 s; a version a test wrote is
    rolled back with it, so each test starts without that memory."""
    from shelter.audit.log import forget_register_versions

    forget_register_versions()
    yield
    forget_register_versions()


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback, and the settings that send to it (tests/smtp.py)."""
    from django.test import override_settings

    from tests.smtp import SMTPServer

    server = SMTPServer()
    server.start()
    with override_settings(**server.settings()):
        yield server
    server.stop()


@pytest.fixture
def municipality(db) -> Organisation:
    return Organisation.objects.create(name="Gemeente Test", kind=Organisation.Kind.MUNICIPALITY)


@pytest.fixture
def ngo(db) -> Organisation:
    return Organisation.objects.create(name="Coordinating NGO",
                                       kind=Organisation.Kind.COORDINATING_NGO)


@pytest.fixture
def university(db) -> Organisation:
    return Organisation.objects.create(name="University", kind=Organisation.Kind.UNIVERSITY)


@pytest.fixture
def carla(municipality) -> User:
    return make_user("carla@example.org", Role.COORDINATOR, municipality)


@pytest.fixture
def olaf(municipality) -> User:
    return make_user("olaf@example.org", Role.CASE_OFFICER, municipality)


@pytest.fixture
def otto(municipality) -> User:
    return make_user("otto@example.org", Role.CASE_OFFICER, municipality)


@pytest.fixture
def pia(ngo) -> User:
    return make_user("pia@example.org", Role.PARTNER, ngo)


@pytest.fixture
def paul(university) -> User:
    return make_user("paul@example.org", Role.PARTNER, university)


@pytest.fixture
def aud(municipality) -> User:
    return make_user("aud@example.org", Role.AUDITOR, municipality)


@pytest.fixture
def people(carla, olaf, otto, aud, municipality, ngo, university) -> dict:
    """The staff and the organisations every permission matrix builds its personas from."""
    return {"carla": carla, "olaf": olaf, "otto": otto, "aud": aud,
            "municipality": municipality, "ngo": ngo, "university": university}


@pytest.fixture
def as_user():
    """as_user(user) -> a Client signed in with both factors."""
    return verified_client
