"""Code names for the auditors' pages (registered with `shelter.audit.labels` at start-up).

Auditors never see case content, but they work with the pseudonyms everyone in the programme
uses: these functions answer code names for ids and case ids for a code name, nothing else.
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
