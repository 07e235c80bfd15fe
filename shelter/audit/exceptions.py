"""Errors of the audit log. Importing this module never touches models."""

from __future__ import annotations


class AuditWriteFailed(Exception):
    """An entry could not be written. Whatever it was recording must not happen either."""


class InvalidFacts(ValueError):
    """`facts` held something that could be personal data (free text, a large value)."""
