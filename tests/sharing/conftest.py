"""Fixtures for the sharing tests: the case workspace's own (a case assigned to olaf, English
wording, clean key caches, the audit head, a client with a fresh second factor)."""

from tests.cases.conftest import (  # noqa: F401  (fixtures, shared with the case tests)
    _english,
    _fresh_key_caches,
    as_fresh_user,
    audit_since,
    case,
)
