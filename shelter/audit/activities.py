"""Which processing activity of the register each access log entry belongs to.

Every action belongs to exactly one activity (a test holds every `Action` to it); a few
actions on a case belong to another activity by the section they touch (the programme, the
budget, housing). The register (`shelter.register`) keeps the activities' wording; the log
names the code and the version in force when the entry was written.
"""

from __future__ import annotations

from shelter.audit.actions import Action

INTAKE = "intake"
RESIDENCY = "residency"
HOUSING = "housing"
SHARING = "sharing"
PROGRAMME = "programme"
BUDGET = "budget"
STATISTICS = "statistics"
ACCESS_LOGGING = "access_logging"
CODES = (INTAKE, RESIDENCY, HOUSING, SHARING, PROGRAMME, BUDGET, STATISTICS, ACCESS_LOGGING)

_BY_HUNDRED = {1: ACCESS_LOGGING, 3: RESIDENCY, 4: SHARING, 5: HOUSING, 7: ACCESS_LOGGING}
_EXCEPTIONS = {
    Action.CASE_CREATE: INTAKE,
    Action.CASE_HISTORY_VIEW: ACCESS_LOGGING,
    Action.STATISTICS_VIEW: STATISTICS,
    Action.REFUSED: ACCESS_LOGGING,
    Action.KEY_ROTATE: ACCESS_LOGGING,
    Action.VERIFY_ENCRYPTION: ACCESS_LOGGING,
    Action.INTEGRITY_FAILURE: ACCESS_LOGGING,
    Action.BACKUP: ACCESS_LOGGING,
    Action.RESTORE: ACCESS_LOGGING,
    Action.CASE_SHRED: RESIDENCY,
    Action.RETENTION_APPLY: RESIDENCY,
    Action.LEGAL_HOLD_PLACE: RESIDENCY,
    Action.LEGAL_HOLD_LIFT: RESIDENCY,
}
# Case sections that are an activity of their own.
_BY_SECTION = {"programme": PROGRAMME, "budget": BUDGET, "housing": HOUSING,
               "intake": INTAKE, "statistics": STATISTICS, "sharing": SHARING}


def activity_for(action: Action | int, section: str = "") -> str:
    """The activity code of an entry with `action` (and `section`, for case sections)."""
    action = Action(action)
    if action in _EXCEPTIONS:
        return _EXCEPTIONS[action]
    hundred = action.value // 100
    if hundred == 2:
        if 240 <= action.value < 260:
            return BUDGET
        return _BY_SECTION.get(section, RESIDENCY)
    if hundred == 6:
        return RESIDENCY
    return _BY_HUNDRED[hundred]
