"""Blind indexes: keyed, truncated HMACs of normalised values for exact-match search.

HMAC-SHA256 under the dedicated blind-index key, over ``purpose NUL normalised-value``. The
purpose label ("defender.legal_name") separates domains, so equal values in two columns give
unrelated indexes; truncation to 8 bytes keeps the index from being a global fingerprint while
leaving collisions (about 2^-64 per pair) negligible for search.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from shelter.crypto.keyring import get_blind_index_key

INDEX_BYTES = 8
_PREFIX = b"shelter/bidx/v1|"


def normalise(value: str, *, alnum_only: bool = False) -> str:
    """Fold case, accents, compatibility forms and whitespace (and punctuation if asked)."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    if alnum_only:  # passport numbers: "NL-12 345" and "nl12345" are the same document
        return "".join(ch for ch in text if ch.isalnum())
    return "".join(text.split())


# Apostrophes join ("O'Brien" is one name); every other non-letter, non-digit separates.
_APOSTROPHES = re.compile(r"['\u2019\u02bc`\u00b4]")
_SEPARATORS = re.compile(r"[\W_]+")
MAX_TOKENS = 64  # a name field is a few names; enough for aliases, bounded for the column


def name_tokens(value: str) -> list[str]:
    """The distinct normalised tokens of a name, in order: "José-María  O'Brien" gives
    ["jose", "maria", "obrien"]. Case, accents and punctuation do not matter."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _APOSTROPHES.sub("", text)
    return list(dict.fromkeys(token for token in _SEPARATORS.split(text) if token))


def blind_index_tokens(purpose: str, values: list[str]) -> list[str]:
    """The sorted, distinct hex blind indexes of every name token of `values` (at most
    MAX_TOKENS): sorted, so the stored form does not tell which token came first."""
    tokens = list(dict.fromkeys(t for value in values for t in name_tokens(value)))
    return sorted({blind_index_hex(purpose, token) for token in tokens[:MAX_TOKENS]})


def blind_index(purpose: str, value: str, *, alnum_only: bool = False) -> bytes:
    """The 8-byte blind index of `value` under the domain label `purpose`."""
    normalised = normalise(value, alnum_only=alnum_only).encode()
    message = _PREFIX + purpose.encode() + b"\x00" + normalised
    return hmac.new(get_blind_index_key(), message, hashlib.sha256).digest()[:INDEX_BYTES]


def blind_index_hex(purpose: str, value: str, *, alnum_only: bool = False) -> str:
    """`blind_index` as 16 hex characters, the form stored in the database."""
    return blind_index(purpose, value, alnum_only=alnum_only).hex()
