"""The tamper-evident access log.

Writing (the only way; services, guards and auth signals call it)::

    from shelter import audit
    from shelter.audit import Action

    audit.record(request.user, Action.CASE_VIEW_SECTION, case, section="identity")
    audit.record(acting_user, Action.SHARE_GRANT, share, sections=["basic"])  # case: share.case_id
    audit.record(user, Action.REFUSED, ("cases.case", case_id), "refused", reason="not_shared")

``record(actor, action, target=None, outcome="allowed", *, section="", case=None, **facts)``

- ``actor``: a User (id, role and organisation are copied as they are now) or None/anonymous.
- ``action``: an ``Action`` (IntEnum, in ranges 1xx accounts … 7xx audit; never renumber).
- ``target``: a model instance (type = ``app_label.model``, id = pk), a ``(type, id)`` pair,
  or None.
- ``outcome``: ``"allowed"`` or ``"refused"`` (``Outcome``).
- ``section``: a short lower-case code (``"identity"``, ``"medical"``…).
- ``case``: the case the entry is about (a Case or its id). Usually not needed: it is taken
  from the target (a Case, ``("cases.case", id)``, or any object with a ``case_id``/``case``,
  such as a document, note, task, share or booking). Stored in the ``case_id`` column with
  ``subject_id``, a keyed pseudonym of the case's defender; a ``case_id=`` fact goes there too.
- ``facts``: ids, numbers, booleans and short codes (``[A-Za-z0-9_.:-]``, ≤ 64 chars, or lists of
  them), ≤ 1 KiB in all. NO PERSONAL DATA: no names, e-mail addresses, free text or reasons typed
  by users — store the id of the row that holds them. Anything else raises ``InvalidFacts``.
- Request id, IP address and browser come from ``shelter.context`` automatically.

Fail closed: if the entry cannot be written, ``record`` raises ``AuditWriteFailed`` and, inside
a service's ``transaction.atomic``, the whole change rolls back with it. ``AuditMiddleware``
turns it into a 503 page ("nothing was changed"). Call ``record`` inside the service's
transaction, and for reads before any content leaves (``open_document`` records, then streams).
On PostgreSQL every writer holds the chain's advisory lock until its transaction ends: record
last in long transactions.

Reads and refusals in views are recorded by the guards of each app's ``access.py`` (see
``shelter.access``): a guard looks the object up, asks the app's policies and records the read,
or the refusal before answering 404/403::

    from shelter.audit.web import record_refusal

    record_refusal(request, "cases.case", pk, section="medical", reason="not_assigned")

A page that shows several defenders (a list, search results) writes one line per data subject
with ``record_each(actor, action, cases, **facts)``: one entry per case, in one INSERT.

A business rule saying no to a write (a booking clash) is ``record_rejection``, not a refusal;
writes are recorded by services. ``AuditMiddleware`` records 403/404 answers on routes of the
namespaces in ``SHELTER_AUDIT_REFUSAL_NAMESPACES`` that nothing recorded yet.

Reading the log: ``shelter.audit.selectors`` (``events_for_target(user, target_type, target_id)``
for the per-case history; auditors' pages in ``views``).
"""

from __future__ import annotations

from typing import Any

from shelter.audit.actions import Action, Outcome
from shelter.audit.exceptions import AuditWriteFailed, InvalidFacts

__all__ = ["Action", "AuditWriteFailed", "InvalidFacts", "Outcome", "record", "record_each"]


def record(actor: Any, action: Action | int, target: Any = None,
           outcome: str = Outcome.ALLOWED, *, section: str = "", case: Any = None, **facts: Any):
    """Write one access-log entry (see the module docstring)."""
    # The log module loads the models, and this package is imported before the app registry
    # is ready (Django imports `shelter.audit.apps` through it): so on first call, not here.
    from shelter.audit.log import record as _record

    return _record(actor, action, target, outcome, section=section, case=case, **facts)


def record_each(actor: Any, action: Action | int, targets: list[Any], *, section: str = "",
                **facts: Any) -> int:
    """One entry per target, in one statement: a list page writes a line per data subject.
    Returns the number of entries written."""
    from shelter.audit.log import record_each as _record_each

    return _record_each(actor, action, targets, section=section, **facts)
