"""What the cases app tells the audit app (registered in `CasesConfig.ready`).

Code names for the auditors' pages: auditors never see case content, but they work with the
pseudonyms everyone in the programme uses, so these functions answer code names for ids and case
ids for a code name, nothing else. And who besides coordinators reads a case's access history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from cases.models import Case, Defender


def _uuids(ids: Iterable[str]) -> list[uuid.UUID]:
    valid = []
    for value in ids:
        try:
            valid.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return valid


def assigned_officer_reads_history(user, target_id: str) -> bool:
    """The officer assigned to a case may read that case's access history (SECURITY.md, "Who may
    see what": the access log row)."""
    if not user.is_case_officer:
        return False
    try:
        case_id = uuid.UUID(str(target_id))
    except ValueError:
        return False
    return Case.objects.filter(pk=case_id, assigned_officer=user).exists()


def case_code_names(ids: Iterable[str]) -> dict[str, str]:
    """{case id: the defender's code name} for the ids that are cases."""
    rows = Case.objects.filter(pk__in=_uuids(ids)).values_list("pk", "defender__code_name")
    return {str(pk): code_name for pk, code_name in rows}


def defender_code_names(ids: Iterable[str]) -> dict[str, str]:
    rows = Defender.objects.filter(pk__in=_uuids(ids)).values_list("pk", "code_name")
    return {str(pk): code_name for pk, code_name in rows}


def cases_by_code_name(code_name: str, limit: int) -> list[str]:
    """Ids of the cases whose code name is `code_name` or starts with it (any letter case)."""
    code_name = code_name.strip()
    if not code_name:
        return []
    rows = (Case.objects.filter(defender__code_name__istartswith=code_name)
            .order_by("defender__code_name", "pk").values_list("pk", flat=True)[:limit])
    return [str(pk) for pk in rows]
