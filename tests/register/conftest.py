from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_register_versions():
    """The log's remembered register versions belong to the test that read them."""
    from shelter.audit.log import forget_register_versions

    forget_register_versions()
    yield
    forget_register_versions()
