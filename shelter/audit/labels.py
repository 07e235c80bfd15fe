"""The access log in words: objects named as nouns, roles and sections translated, code names.

The log stores codes (``cases.document``, ``housing_address``, ``Case officer``); auditors read
words ("document", "housing address", "case officer"), in their language.

Code names come from the apps that own them (the audit package sits below them and never
imports them): an app registers, for a target type, a function from ids to code names, and for
cases also a lookup from a code name to case ids. Code names are pseudonyms, so showing them to
auditors is intended; nothing here ever reads a legal name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shelter.accounts.methods import FirstFactor, Method, SecondFactor
from shelter.accounts.roles import Role

CASE = "cases.case"
CodeNames = Callable[[Iterable[str]], dict[str, str]]
CaseFinder = Callable[[str, int], list[str]]

TARGET_NOUNS: dict[str, str | Promise] = {
    "cases.case": pgettext_lazy("object in the access log", "case"),
    "cases.defender": pgettext_lazy("object in the access log", "defender"),
    "cases.document": pgettext_lazy("object in the access log", "document"),
    "cases.note": pgettext_lazy("object in the access log", "note"),
    "cases.task": pgettext_lazy("object in the access log", "task"),
    "cases.activity": pgettext_lazy("object in the access log", "programme activity"),
    "cases.casetransition": pgettext_lazy("object in the access log", "stage change"),
    "cases.intakeround": pgettext_lazy("object in the access log", "intake round"),
    "cases.caseshare": pgettext_lazy("object in the access log", "share"),
    "cases.breakglass": pgettext_lazy("object in the access log", "break-glass opening"),
    "sharing.caseshare": pgettext_lazy("object in the access log", "share"),
    "sharing.breakglass": pgettext_lazy("object in the access log", "break-glass opening"),
    "housing": pgettext_lazy("object in the access log", "housing"),
    "housing.unit": pgettext_lazy("object in the access log", "housing unit"),
    "housing.booking": pgettext_lazy("object in the access log", "booking"),
    "housing.availability": pgettext_lazy("object in the access log", "availability period"),
    "housing.block": pgettext_lazy("object in the access log", "blocked period"),
    "housing.schedule": pgettext_lazy("object in the access log", "housing schedule"),
    "budget.overview": pgettext_lazy("object in the access log", "budget overview"),
    "accounts.user": pgettext_lazy("object in the access log", "user"),
    "accounts.organisation": pgettext_lazy("object in the access log", "organisation"),
    "django_otp_webauthn.webauthncredential": pgettext_lazy("object in the access log",
                                                            "passkey"),
    "audit": pgettext_lazy("object in the access log", "access log"),
    "shelter.route": pgettext_lazy("object in the access log", "page without a guard"),
}

SECTION_LABELS: dict[str, str | Promise] = {
    "basic": _("basic details"),
    "identity": _("identity"),
    "contact": _("contact details"),
    "residency": _("residency"),
    "logistics": _("logistics"),
    "budget": _("budget"),
    "payments": _("payments"),
    "programme": _("programme"),
    "documents": _("documents"),
    "notes": _("notes"),
    "tasks": _("tasks"),
    "history": _("access history"),
    "housing": _("housing"),
    "housing_address": _("housing address"),
    "sharing": _("sharing"),
    "people": _("people and organisations"),
    "export": _("export"),
    "legal_hold": _("legal hold"),
    "list": _("case list"),
    "search": _("case search"),
    "create": _("new case"),
    "undeclared_route": _("unlisted page"),
    # Document and note categories, as in "documents.medical".
    "passport_visa": _("passport and visa"),
    "medical": _("medical"),
    "security": _("security"),
    "risk": _("risk assessment"),
    "travel": _("travel"),
    "general": _("general"),
    "other": _("other"),
}

# Why a sign-in or an account's act was refused (the `reason` fact of sign-in entries and
# refusals). Other apps' reasons are shown as their code.
REASON_LABELS: dict[str, str | Promise] = {
    "bad_credentials": _("wrong e-mail address or password"),
    "wrong_code": _("wrong code"),
    "throttled": _("too many attempts"),
    "recovery_session": _("not allowed in a session signed in by a recovery method"),
    "recovery_passkey": _("not allowed with a passkey added in a recovery session, yet"),
    "not_signed_in": _("not signed in"),
    "no_guard": _("page without a guard"),
    "guard_not_called": _("page did not call its guard"),
    # An account mail that left the outbox unsent (Action.MAIL_DELIVERY).
    "gave_up": _("not delivered, retries given up"),
    "expired": _("too old to send"),
    "inactive": _("account deactivated"),
    "accepted": _("invitation already accepted"),
    "no_address": _("account has no e-mail address"),
    "unknown_kind": _("unknown kind of e-mail"),
    "no_password": _("account has no password"),
    "no_second_factor": _("account has no second factor"),
    "changed": _("account changed since the request"),
}

_CODE_NAMES: dict[str, CodeNames] = {}
_CASE_FINDER: list[CaseFinder] = []
_FORMER_TYPES: dict[str, set[str]] = {}


def register_code_names(target_type: str, names: CodeNames) -> None:
    """`names(ids)` answers {id: code name} for objects of `target_type` (unknown ids absent)."""
    _CODE_NAMES[target_type] = names


def register_former_type(target_type: str, former: str) -> None:
    """Entries written before a model moved to another app name it `former`: they keep that
    string (the chain hashes it) and are read as entries about `target_type`."""
    _FORMER_TYPES.setdefault(target_type, set()).add(former)


def same_types(target_type: str) -> list[str]:
    """`target_type` and the names older entries used for it."""
    return [target_type, *sorted(_FORMER_TYPES.get(target_type, ()))]


def register_case_finder(finder: CaseFinder) -> None:
    """`finder(code_name, limit)` answers the ids of the cases whose code name is `code_name`
    or starts with it (case-insensitive), at most `limit` of them."""
    _CASE_FINDER[:] = [finder]


def find_cases(code_name: str, limit: int) -> list[str]:
    return _CASE_FINDER[0](code_name, limit) if _CASE_FINDER else []


def code_names(target_type: str, ids: Iterable[str]) -> dict[str, str]:
    names = _CODE_NAMES.get(target_type)
    wanted = {i for i in ids if i}
    return names(wanted) if names and wanted else {}


def target_noun(target_type: str) -> str:
    """ "document" for ``cases.document``; the model's own name for other models."""
    if target_type in TARGET_NOUNS:
        return str(TARGET_NOUNS[target_type])
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return gettext("object") if target_type else ""


def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def method_label(method: str) -> str:
    """ "Password + authenticator app" for ``password+totp``; an unknown code as it is."""
    try:
        return str(Method(method).label)
    except ValueError:
        return method


def factor_label(factor: str) -> str:
    """The first or second factor a refusal names; an unknown code as it is."""
    for choices in (FirstFactor, SecondFactor):
        if factor in choices.values:
            return str(choices(factor).label)
    return factor


def reason_label(reason: str) -> str:
    return str(REASON_LABELS[reason]) if reason in REASON_LABELS else reason


def section_label(section: str) -> str:
    """ "documents (medical)" for ``documents.medical``; an unknown code as it is."""
    head, _dot, tail = section.partition(".")
    label = str(SECTION_LABELS.get(head, head))
    if tail:
        return f"{label} ({SECTION_LABELS.get(tail, tail)})"
    return label


def case_of(event: Any) -> str:
    """The case an entry is about: its case column, or its target when that is a case."""
    return getattr(event, "case_id", "") or (event.target_id if event.target_type == CASE
                                             else "")


def name_objects(events: Iterable[Any]) -> None:
    """Attach `case_code_name` and `target_code_name` to events: one query per object kind."""
    events = list(events)
    cases = code_names(CASE, {case_of(e) for e in events})
    by_type: dict[str, set[str]] = {}
    for event in events:
        if event.target_type != CASE and event.target_type in _CODE_NAMES:
            by_type.setdefault(event.target_type, set()).add(event.target_id)
    others = {t: code_names(t, ids) for t, ids in by_type.items()}
    for event in events:
        event.case_code_name = cases.get(case_of(event), "")
        event.target_code_name = (event.case_code_name if event.target_type == CASE
                                  else others.get(event.target_type, {}).get(event.target_id, ""))
