"""Reads of the access log. The reader is always passed in and checked here."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection, connections, router
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from shelter.accounts.models import Organisation, User
from shelter.audit.actions import (
    LEGACY_REJECTION_ACTIONS,
    LEGACY_REJECTION_REASON,
    Action,
    Outcome,
)
from shelter.audit.labels import same_types
from shelter.audit.models import AuditEvent, ChainVerification
from shelter.audit.policies import (
    can_read_history,
    can_read_log,
    can_see_recovery_sign_ins,
)


def _legacy_rejection() -> Q:
    """Entries written before `Outcome.REJECTED` existed: a booking clash stored as refused.

    The log is append-only, so they keep their stored outcome; reads classify them here.
    """
    return (Q(outcome=Outcome.REFUSED, action__in=[int(a) for a in LEGACY_REJECTION_ACTIONS])
            & Q(facts__reason=LEGACY_REJECTION_REASON) & Q(facts__reason__isnull=False))


def authorization_refusals(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Only the refusals of access (who was denied what), never business-rule rejections."""
    return events.filter(outcome=Outcome.REFUSED).exclude(_legacy_rejection())


def rejections(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Business-rule rejections (a booking clash, a failed validation), old entries included."""
    return events.filter(Q(outcome=Outcome.REJECTED) | _legacy_rejection())


def _filter_outcome(events: QuerySet[AuditEvent], outcome: str) -> QuerySet[AuditEvent]:
    if outcome == Outcome.REFUSED:
        return authorization_refusals(events)
    if outcome == Outcome.REJECTED:
        return rejections(events)
    return events.filter(outcome=outcome)


def events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    """The whole log, for auditors only (PermissionDenied for anyone else)."""
    if not can_read_log(user):
        raise PermissionDenied
    return AuditEvent.objects.order_by("-seq")


CASE_LABEL = "cases.case"


def _case_parts() -> list[type[Model]]:
    """The models whose rows belong to one case (a `case` foreign key to cases.Case): documents,
    notes, tasks, shares, bookings… Found by label, not imported: audit sits below the apps."""
    case_model = apps.get_model("cases", "Case")
    return [model for model in apps.get_models()
            if any(field.name == "case" and field.related_model is case_model
                   for field in model._meta.concrete_fields if field.is_relation)]


@functools.cache
def _part_ids_sql(vendor: str) -> tuple[str, tuple[type[Model], ...]]:
    """The UNION over the parts' case indexes, written once per process and database kind.

    The statement is what the ORM wrote for `filter(case_id=…).annotate(part=Value(i),
    text_id=Cast("pk", TextField()))` per part, built from the models' own table and column
    names (quoted by the backend): only the case id is a parameter, once per part. A part's
    default manager must not filter rows (none does; checked here), or the ids would differ
    from the ORM's."""
    models = tuple(_case_parts())
    quote = connection.ops.quote_name
    selects = []
    for i, model in enumerate(models):
        if model._default_manager.get_queryset().query.where:
            raise ImproperlyConfigured(f"{model._meta.label}: a case part's default manager "
                                       "filters rows; _part_ids reads the table itself")
        meta = model._meta
        pk, table, case = (quote(name) for name in (
            meta.pk.column, meta.db_table, meta.get_field("case").column))
        # Static: a literal index and the models' quoted names, never a value from a request.
        selects.append(f"SELECT {i} AS part, CAST({pk} AS text) AS text_id "  # noqa: S608
                       f"FROM {table} WHERE {case} = %s")
    return " UNION ALL ".join(selects), models


def _part_ids(case_id: str) -> dict[type[Model], list[str]]:
    """The ids of every part of one case, by model, in one query (a UNION over the parts'
    case indexes, `_part_ids_sql`). Each id is read as text and put back in the form the log
    stores it in (`str(pk)`): SQLite keeps a UUID as 32 hex digits, PostgreSQL writes it with
    hyphens."""
    sql, models = _part_ids_sql(connection.vendor)
    if not models:
        return {}
    case_pk = apps.get_model("cases", "Case")._meta.pk
    param = case_pk.get_db_prep_value(case_pk.to_python(case_id), connection)
    with connection.cursor() as cursor:
        # Static SQL: table and column names from the models, quoted; the case id is a parameter.
        cursor.execute(sql, [param] * len(models))
        rows = cursor.fetchall()
    ids: dict[type[Model], list[str]] = {}
    for part, text_id in rows:
        model = models[part]
        ids.setdefault(model, []).append(str(model._meta.pk.to_python(text_id)))
    return ids


def about_case(case_id: Any) -> Q:
    """Entries about one case: those that name it (version 2), and older ones (version 1,
    or a refusal that only had an object's id) whose target is the case or one of its parts.

    Reads only: the case is derived here, never written back. The parts' ids are one query
    on their case indexes; the entries are then found through the (case_id, time) and
    (target_type, target_id) indexes.
    """
    case_id = str(case_id)
    derived = Q(target_type=CASE_LABEL, target_id=case_id)
    for model, ids in _part_ids(case_id).items():
        derived |= Q(target_type__in=same_types(model._meta.label_lower), target_id__in=ids)
    return Q(case_id=case_id) | (Q(case_id="") & derived)


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def events_about_cases(events: QuerySet[AuditEvent], case_ids: Iterable[str]
                       ) -> QuerySet[AuditEvent]:
    """Entries about any of these cases: those that name the case, and entries written before
    entries named their case whose target is the case itself."""
    case_ids = [str(i) for i in case_ids]
    return events.filter(Q(case_id__in=case_ids)
                         | Q(target_type="cases.case", target_id__in=case_ids))


def filter_events(events: QuerySet[AuditEvent], filters: Mapping[str, Any]) -> QuerySet[AuditEvent]:
    """Apply the auditors' filter form (cleaned data) to a queryset of events."""
    if filters.get("cases"):
        events = events_about_cases(events, filters["cases"])
    if filters.get("actor"):
        events = events.filter(actor_id=filters["actor"].pk)
    if filters.get("organisation"):
        events = events.filter(organisation_id=filters["organisation"].pk)
    if filters.get("target_id"):
        target_id = filters["target_id"]
        events = events.filter(Q(target_id=target_id) | _about_case_if_uuid(target_id))
    if filters.get("action"):
        events = events.filter(action=int(filters["action"]))
    if filters.get("outcome"):
        events = _filter_outcome(events, filters["outcome"])
    if filters.get("method"):  # a JSON key lookup: the same on SQLite and PostgreSQL
        events = events.filter(facts__method=str(filters["method"]))
    if filters.get("date_from"):
        events = events.filter(time__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        events = events.filter(time__lt=_day_start(filters["date_to"]) + timedelta(days=1))
    return events


def _about_case_if_uuid(value: str) -> Q:
    try:
        return about_case(uuid.UUID(value))
    except ValueError:
        return Q(pk__in=[])


def events_for_target(user: Any, target_type: str | Model, target_id: Any = None
                      ) -> QuerySet[AuditEvent]:
    """Who did what to one object, newest first (the per-case history).

    Accepts a model instance or (target_type, target_id). PermissionDenied if the reader may
    not see this history; the caller decides whether that should answer 404.
    """
    if isinstance(target_type, Model):
        target_type, target_id = target_type._meta.label_lower, target_type.pk
    target_id = str(target_id)
    if not can_read_history(user, target_type, target_id):
        raise PermissionDenied
    condition = Q(target_type=target_type, target_id=target_id)
    if target_type == CASE_LABEL:  # the case's history: everything about it, parts included
        condition |= _about_case_if_uuid(target_id)
    return AuditEvent.objects.filter(condition).order_by("-seq")


def events_by_actor(user: Any, actor_id: int) -> QuerySet[AuditEvent]:
    """What one user did, newest first (auditors only)."""
    return events_visible_to(user).filter(actor_id=actor_id)


def recent_refusals(user: Any, limit: int = 5) -> list[AuditEvent]:
    return list(authorization_refusals(events_visible_to(user))[:limit])


def last_verification() -> ChainVerification | None:
    return ChainVerification.objects.order_by("-time").first()


def actor_names(events: Iterable[AuditEvent], known: Mapping[int, str] | None = None
                ) -> dict[int, str]:
    """Display names of the actors of a page of events (one query; deleted users are absent).

    `known`, when given, is {id: full name} of every user, read this request (the filter's
    list, `user_choices_and_names`): the names are taken from it, with no query."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if known is not None:
        return {i: known[i] for i in ids if i in known}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "full_name"))


def organisation_names(events: Iterable[AuditEvent], known: Mapping[int, str] | None = None
                       ) -> dict[int, str]:
    """The organisations' names, as `actor_names` (`known`: every organisation's name)."""
    ids = {e.organisation_id for e in events if e.organisation_id is not None}
    if known is not None:
        return {i: known[i] for i in ids if i in known}
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def actor_names_by_id(ids: Iterable[int | None]) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=[i for i in ids if i is not None])
                .values_list("pk", "full_name"))


def user_choices() -> list[tuple[int, str]]:
    """Every user as (id, name) for the filter's list, in the users' own order (one query,
    no cursor: see `shelter.forms.QuickSelect`). The name is the e-mail address where none."""
    return user_choices_and_names()[0]


def user_choices_and_names() -> tuple[list[tuple[int, str]], dict[int, str]]:
    """`user_choices()`, and {id: full name} of the same users for `actor_names(known=…)`:
    the page's actors named from the list's query instead of one of their own."""
    rows = _every_row(User, ("pk", "full_name", "email"))
    choices = [(pk, name or email) for pk, name, email in rows]
    return choices, {pk: name for pk, name, _email in rows}


def organisation_choices() -> list[tuple[int, str]]:
    return _every_row(Organisation, ("pk", "name"))


def _every_row(model: type[Model], fields: tuple[str, ...]) -> list[tuple]:
    """`list(model._default_manager.values_list(*fields))`, sent as the statement the ORM compiled
    once for this process (`_every_row_sql`): the filter form reads two such lists on every
    page of the log, and compiling them again cost more than running them."""
    alias = router.db_for_read(model)
    sql, params = _every_row_sql(model, fields, alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.cache
def _every_row_sql(model: type[Model], fields: tuple[str, ...], alias: str
                   ) -> tuple[str, tuple]:
    """What `model._default_manager.values_list(*fields)` sends: every row, in the model's
    own order. It has no parameter that changes, and its columns must have no converter (an
    integer key, plain text), so the rows are the ones the ORM returns; checked here."""
    compiler = (model._default_manager.using(alias).values_list(*fields).query
                .get_compiler(using=alias))
    sql, params = compiler.as_sql()
    if compiler.get_converters([column for column, _sql, _alias in compiler.select]):
        raise ImproperlyConfigured(f"{model._meta.label}: {fields} convert their values; "
                                   "read them through the ORM")
    return sql, tuple(params)


def verifications(limit: int = 10) -> list[ChainVerification]:
    return list(ChainVerification.objects.order_by("-time")[:limit])


def integrity_failures(since: datetime | None = None) -> QuerySet[AuditEvent]:
    """Recorded integrity failures (values or documents that failed their check), newest
    first; only those at or after `since` if given. The caller checks the reader."""
    events = AuditEvent.objects.filter(action=int(Action.INTEGRITY_FAILURE))
    if since is not None:
        events = events.filter(time__gte=since)
    return events.order_by("-seq")


def has_signed_in_with(user: Any, method: str) -> bool:
    """Has this user ever completed a sign-in with `method` (the log's OTP_VERIFIED entries; a
    confirm-again names its session's method, so it never adds one)? Used by the
    phishing-resistant policy: single sign-on with the provider's MFA, proven once, is a
    phishing-resistant way this user has."""
    return AuditEvent.objects.filter(actor_id=user.pk, action=int(Action.OTP_VERIFIED),
                                     facts__method=str(method)).exists()


def recovery_sign_ins_visible_to(user: Any, days: int = 14, limit: int = 20
                                 ) -> list[AuditEvent]:
    """Sign-ins by a recovery method in the last `days`, newest first, with `actor_name`
    attached (one query for the names). Coordinators only (PermissionDenied otherwise)."""
    if not can_see_recovery_sign_ins(user):
        raise PermissionDenied
    since = timezone.now() - timedelta(days=days)
    events = list(AuditEvent.objects.filter(action=int(Action.SIGN_IN_RECOVERY), time__gte=since)
                  .order_by("-seq")[:limit])
    names = actor_names(events)
    for event in events:
        event.actor_name = names.get(event.actor_id, "")
    return events
