"""The one writer of the access log: `record()`. See the package docstring for the API."""

from __future__ import annotations

import functools
import json
import re
import time
import uuid
from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import CharField, IntegerField, Max, Model
from django.utils import timezone

from shelter.audit.actions import Action, Outcome
from shelter.audit.activities import activity_for
from shelter.audit.chain import (
    CURRENT_VERSION,
    GENESIS_HASH,
    chain_key,
    entry_hash,
    jsonb_order,
)
from shelter.audit.exceptions import AuditWriteFailed, InvalidFacts
from shelter.audit.models import AuditEvent
from shelter.context import get_request_info
from shelter.crypto.keyring import audit_subject_pseudonym
from shelter.tracecontext import new_span_id

# Ids, numbers, short enum values; no spaces, so no names or free text fit. ("+" joins the two
# factors of a sign-in method, "password+totp".)
FACT_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
FACT_TEXT = re.compile(r"^[A-Za-z0-9_.:+\-]{0,64}$")
FACTS_MAX_BYTES = 1024
FACTS_MAX_LIST = 50
SECTION = re.compile(r"^[a-z0-9_.\-]{0,32}$")
HEAD_SQL = "SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1"


def _fact_value(key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if hasattr(value, "hex") and hasattr(value, "int"):  # uuid.UUID
        return str(value)
    if isinstance(value, str) and FACT_TEXT.match(value):
        return value
    raise InvalidFacts(f"audit fact {key!r} must be an id, a number or a short code.")


def clean_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as stored: ids, numbers, booleans, short codes (or lists of them); ≤ 1 KiB.

    Refuses anything else rather than trimming it: free text may hold a defender's name.
    """
    cleaned: dict[str, Any] = {}
    for key, value in facts.items():
        if not FACT_KEY.match(key):
            raise InvalidFacts(f"audit fact name {key!r} is not a short lower-case name.")
        if isinstance(value, list | tuple | set | frozenset):
            if len(value) > FACTS_MAX_LIST:
                raise InvalidFacts(f"audit fact {key!r} lists too many values.")
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
            cleaned[key] = [_fact_value(key, item) for item in items]
        else:
            cleaned[key] = _fact_value(key, value)
    if len(json.dumps(cleaned, separators=(",", ":"))) > FACTS_MAX_BYTES:
        raise InvalidFacts("audit facts are larger than 1 KiB.")
    return cleaned


def _target(target: Any) -> tuple[str, str]:
    """(type, id) from a model instance, a (type, id) pair, or None."""
    if target is None:
        return "", ""
    if isinstance(target, Model):
        return target._meta.label_lower, str(target.pk)
    target_type, target_id = target
    return str(target_type)[:64], "" if target_id is None else str(target_id)[:64]


CASE_LABEL, DEFENDER_LABEL = "cases.case", "cases.defender"
_defender_of_case: dict[str, str] = {}  # a case never changes defender; bounded below


def _uuid_text(value: Any) -> str:
    """The canonical text of a UUID, or "" for anything that is not one."""
    try:
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        return ""


def _case_of(target: Any) -> tuple[str, Any]:
    """(case id, case instance if at hand) for a target: a Case, anything with a `case_id` or
    a `case`, or a ("cases.case", id) pair."""
    if isinstance(target, Model):
        if target._meta.label_lower == CASE_LABEL:
            return _uuid_text(target.pk), target
        cached = target._state.fields_cache.get("case")
        if isinstance(cached, Model) and cached._meta.label_lower == CASE_LABEL:
            return _uuid_text(cached.pk), cached
        if getattr(target, "case_id", None):
            return _uuid_text(target.case_id), None
        case = getattr(target, "case", None)
        if isinstance(case, Model):
            return _uuid_text(case.pk), case
        return "", None
    if isinstance(target, tuple) and target and target[0] == CASE_LABEL:
        return _uuid_text(target[1]), None
    return "", None


def _defender_id(case_id: str, case: Any) -> str:
    if case is not None and getattr(case, "defender_id", None):
        return str(case.defender_id)
    if case_id not in _defender_of_case:
        # By app label, not an import: the audit app sits below the apps it records.
        found = (apps.get_model("cases", "Case").objects.filter(pk=case_id)
                 .values_list("defender_id", flat=True).first())
        if found is None:
            return ""
        if len(_defender_of_case) >= 10_000:
            _defender_of_case.clear()
        _defender_of_case[case_id] = str(found)
    return _defender_of_case[case_id]


def attribution(target: Any, case: Any, facts: dict[str, Any]) -> tuple[str, str]:
    """(case id, subject id) of an entry: the explicit `case`, else the target's case, else a
    legacy `case_id` fact (taken out of the facts: the column holds it now). The subject is
    the pseudonym of the case's defender, or of the defender the entry is about."""
    fact_case = facts.pop("case_id", None)
    instance = case if isinstance(case, Model) else None
    case_id = _uuid_text(case.pk if instance is not None else case) if case is not None else ""
    if not case_id:
        case_id, instance = _case_of(target)
    if not case_id and fact_case is not None:
        case_id = _uuid_text(fact_case)
    if case_id:
        defender_id = _defender_id(case_id, instance)
    elif isinstance(target, Model) and target._meta.label_lower == DEFENDER_LABEL:
        defender_id = str(target.pk)
    elif isinstance(target, tuple) and target and target[0] == DEFENDER_LABEL:
        defender_id = _uuid_text(target[1])
    else:
        defender_id = ""
    if not defender_id:
        return case_id, ""
    return case_id, audit_subject_pseudonym(defender_id)


def _actor(actor: Any) -> tuple[int | None, str, int | None]:
    """(id, role, organisation id) as they are at this moment; nothing for anonymous."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "", None
    return actor.pk, getattr(actor, "role", None) or "", getattr(actor, "organisation_id", None)


# The register's version in force per activity code, read at most every REGISTER_TTL seconds
# per process (a change in this process forgets it at once: `forget_register_versions`).
REGISTER_TTL = 30.0
_register_versions: dict[str, int] = {}
_register_read_at = [float("-inf")]


def forget_register_versions() -> None:
    _register_versions.clear()
    _register_read_at[0] = float("-inf")


def register_version(code: str) -> int:
    """The newest version of activity `code` in the register (0 if it has none)."""
    now = time.monotonic()
    if now - _register_read_at[0] > REGISTER_TTL:
        # By app label, not an import: the register sits above the log it is named in.
        versions = apps.get_model("register", "ActivityVersion").objects.values_list(
            "code").annotate(newest=Max("version"))
        _register_versions.clear()
        _register_versions.update(dict(versions))
        _register_read_at[0] = now
    return _register_versions.get(code, 0)


def _shared_fields(actor: Any, action: Action | int, outcome: str,
                   section: str) -> dict[str, Any]:
    """The fields every entry of one act shares: who, what, the request; not the target."""
    if not SECTION.match(section):
        raise InvalidFacts("audit section must be a short lower-case code.")
    actor_id, role, organisation_id = _actor(actor)
    info = get_request_info()
    activity = activity_for(action, section)
    return {
        "version": CURRENT_VERSION, "activity": activity,
        "activity_version": register_version(activity),
        "parent_span_id": info.parent_span_id if info else "",
        "actor_id": actor_id, "actor_role": role, "organisation_id": organisation_id,
        "action": int(Action(action)), "section": section, "outcome": str(Outcome(outcome).value),
        "request_id": info.request_id[:32] if info else "",
        "ip_address": (info.ip_address or "")[:45] if info else "",
        "user_agent": info.user_agent[:300] if info else "",
    }


def _target_fields(shared: dict[str, Any], target: Any, case: Any,
                   facts: dict[str, Any]) -> dict[str, Any]:
    """`shared` completed with what is the entry's own: its target, case, subject, span, facts."""
    target_type, target_id = _target(target)
    facts = dict(facts)
    case_id, subject_id = attribution(target, case, facts)
    return {
        **shared, "case_id": case_id, "subject_id": subject_id, "span_id": new_span_id(),
        "target_type": target_type, "target_id": target_id,
        # In jsonb's key order: SQLite then keeps the very text PostgreSQL gives back.
        "facts": jsonb_order(clean_facts(facts)),
    }


def build_fields(actor: Any, action: Action | int, target: Any, outcome: str,
                 section: str, facts: dict[str, Any], case: Any = None) -> dict[str, Any]:
    """Every field of the entry except its place in the chain (seq, time, hashes)."""
    return _target_fields(_shared_fields(actor, action, outcome, section), target, case, facts)


def _lock_and_read_head(using: str) -> tuple[int, str]:
    """One statement: the chain head, with the chain locked until this transaction ends.

    PostgreSQL: an advisory transaction lock inside `audit_lock_head()` (see migration 0002).
    SQLite: the write lock is already held since BEGIN IMMEDIATE (settings' transaction_mode).
    """
    connection = connections[using]
    sql = "SELECT * FROM audit_lock_head()" if connection.vendor == "postgresql" else HEAD_SQL
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return 0, GENESIS_HASH
    return int(row[0]), str(row[1])


def _insert(fields: dict[str, Any], using: str):
    return AuditEvent.objects.using(using).create(**fields)


def write_entry(fields: dict[str, Any], using: str = DEFAULT_DB_ALIAS):
    """Append one entry: lock and read the head, chain, insert — two statements."""
    # savepoint=False: inside a caller's transaction this adds no statements, and a failure
    # marks that whole transaction for rollback, so the change cannot commit without its record.
    with transaction.atomic(using=using, savepoint=False):
        try:
            head_seq, head_hash = _lock_and_read_head(using)
            # Time is taken under the lock so that time order follows seq order.
            fields.update(seq=head_seq + 1, time=timezone.now(), prev_hash=head_hash)
            fields["hash"] = entry_hash(fields)
            return _insert(fields, using)
        except DatabaseError as exc:
            raise AuditWriteFailed("The access log could not be written.") from exc


def record(actor: Any, action: Action | int, target: Any = None,
           outcome: str = Outcome.ALLOWED, *, section: str = "", case: Any = None, **facts: Any):
    """Write one entry to the access log and return it. See `shelter.audit` for the contract."""
    return write_entry(build_fields(actor, action, target, outcome, section, facts, case))


def _insert_rows(shared: dict[str, Any], rows: list[dict[str, Any]], using: str) -> None:
    """INSERT `rows` (each holds `shared`, the fields all of them have in common) in as few
    statements as the database takes.

    Written by hand because a list page's entries are most of its time through the ORM: its
    compiler prepares every field of every row one call at a time (a thousand calls for a page
    of fifty). Here each column's conversion is chosen once: text and integers go as they are
    (`build_fields` made them so), and only the time and the facts pass through their field's
    own `get_db_prep_save`, so the stored text is the ORM's.
    """
    connection = connections[using]
    fields = list(AuditEvent._meta.concrete_fields)

    # Each column's conversion, chosen once per call: None where the value goes as it is.
    plan = [(f.attname, None if isinstance(f, CharField | IntegerField)
             else functools.partial(f.get_db_prep_save, connection=connection)) for f in fields]
    convert = dict(plan)

    def prepared(name: str, value: Any) -> Any:
        to_db = convert[name]
        return value if to_db is None else to_db(value)

    qn = connection.ops.quote_name
    # Only quoted names from the model, column types and placeholders: every value goes as a
    # parameter.
    head = f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608, E501
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement whatever the number of rows: the shared fields once, and one array
            # per column of the rest. Fifty rows of VALUES are over a thousand literals that the
            # driver writes and the server parses one by one: several times the insert itself.
            own = [f for f in fields if f.attname not in shared]
            select = ", ".join(
                f"u.{qn(f.column)}" if f.attname not in shared
                else f"%(s_{f.attname})s::{f.db_type(connection)}" for f in fields)
            arrays = ", ".join(f"%(a_{f.attname})s::{f.db_type(connection)}[]" for f in own)
            params = {f"s_{name}": prepared(name, value) for name, value in shared.items()}
            params.update({f"a_{f.attname}": [prepared(f.attname, row[f.attname]) for row in rows]
                           for f in own})
            names = ", ".join(qn(f.column) for f in own)
            cursor.execute(f"{head}SELECT {select} FROM unnest({arrays}) AS u({names})",  # noqa: S608
                           params)
            return
        row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        size = max(1, connection.ops.bulk_batch_size(fields, rows))
        for start in range(0, len(rows), size):
            chunk = rows[start:start + size]
            values: list[Any] = []
            for row in chunk:
                values.extend(row[name] if to_db is None else to_db(row[name])
                              for name, to_db in plan)
            cursor.execute(f"{head}VALUES " + ", ".join([row_sql] * len(chunk)), values)


def record_each(actor: Any, action: Action | int, targets: list[Any], *, section: str = "",
                **facts: Any) -> int:
    """One entry per target (a list page's cases: one line per data subject), written in one
    INSERT under one lock of the chain; the same facts on each, plus its place (`row`, from 1)
    and the number of lines (`rows`). Nothing is written for an empty list. Returns the number
    of entries written."""
    if not targets:
        return 0
    shared = _shared_fields(actor, action, Outcome.ALLOWED, section)
    batch = [_target_fields(shared, target, None, {**facts, "row": number, "rows": len(targets)})
             for number, target in enumerate(targets, start=1)]
    using = DEFAULT_DB_ALIAS
    with transaction.atomic(using=using, savepoint=False):
        try:
            head_seq, head_hash = _lock_and_read_head(using)
            shared["time"] = timezone.now()
            key = chain_key()
            for fields in batch:
                head_seq += 1
                fields.update(seq=head_seq, time=shared["time"], prev_hash=head_hash)
                fields["hash"] = head_hash = entry_hash(fields, key)
            _insert_rows(shared, batch, using)
        except DatabaseError as exc:
            raise AuditWriteFailed("The access log could not be written.") from exc
    return len(batch)
