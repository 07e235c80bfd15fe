"""The register's first versions, and the URI of a version.

These are the municipality's starting wording, written into every new installation by
migration 0001 (version 1 of each activity); the privacy officer reviews and changes them in
the app, which writes new versions. The text is data: it is not translated.
"""

from __future__ import annotations

from django.conf import settings

from shelter.audit.activities import (
    ACCESS_LOGGING,
    BUDGET,
    CODES,
    HOUSING,
    INTAKE,
    PROGRAMME,
    RESIDENCY,
    SHARING,
    STATISTICS,
)

SECURITY = ("Per-case encryption keys (AES-256-GCM) for identifying fields and documents, "
            "master keys outside the database; two-factor sign-in for everyone; role- and "
            "share-based access decided per case; an append-only, hash-chained access log "
            "with signed daily checkpoints; backups hold ciphertext only.")
DEFENDER_DATA = ("Identity (legal name, date of birth, nationality, passport number), contact "
                 "details, country and field of work, risk level, case notes and documents "
                 "(passport and visa scans, medical and psychological letters); may reveal "
                 "political opinions and health (special categories, art. 9 GDPR).")

INITIAL: dict[str, dict[str, str]] = {
    INTAKE: {
        "name": "Intake and selection of human rights defenders",
        "purpose": "Receive nominations for a temporary residency in the Shelter City "
                   "programme, assess them and decide on a place in an intake round.",
        "legal_basis": "Art. 6(1)(e) GDPR: a task in the public interest (the municipality's "
                       "Shelter City programme); art. 9(2)(a) and (g) GDPR for special "
                       "categories: explicit consent, substantial public interest.",
        "data_categories": DEFENDER_DATA,
        "subject_categories": "Nominated human rights defenders.",
        "recipients": "The municipality's case officers and coordinators; the selection "
                      "committee's decision is recorded, not its deliberations.",
        "transfers": "None.",
        "retention": "Rejected or withdrawn nominations: crypto-shredded "
                     "SHELTER_RETENTION_DAYS (730) days after the case ends.",
        "security_measures": SECURITY,
    },
    RESIDENCY: {
        "name": "Residency management",
        "purpose": "Prepare, run and close a defender's residency: travel, visa and "
                   "insurance, documents, notes, tasks and the return.",
        "legal_basis": "Art. 6(1)(e) GDPR; art. 9(2)(a) and (g) GDPR for special categories.",
        "data_categories": DEFENDER_DATA + " Travel documents, journeys, insurance and "
                           "accompanying persons' identity.",
        "subject_categories": "Hosted human rights defenders and the persons accompanying "
                              "them.",
        "recipients": "Case officers and coordinators; network partners only for the "
                      "sections an officer shares with them, for a limited time.",
        "transfers": "None.",
        "retention": "Crypto-shredded SHELTER_RETENTION_DAYS (730) days after the case "
                     "ends, unless a legal hold applies.",
        "security_measures": SECURITY,
    },
    HOUSING: {
        "name": "Housing of defenders",
        "purpose": "Schedule safe housing units for residencies without double bookings.",
        "legal_basis": "Art. 6(1)(e) GDPR.",
        "data_categories": "The case's code name and the dates of its stay in a unit; the "
                           "unit's address.",
        "subject_categories": "Hosted human rights defenders.",
        "recipients": "Case officers and coordinators.",
        "transfers": "None.",
        "retention": "With the case.",
        "security_measures": SECURITY,
    },
    SHARING: {
        "name": "Sharing with network partners",
        "purpose": "Let partners (the national coordinator, a university, a psychologist) "
                   "help with chosen parts of a residency.",
        "legal_basis": "Art. 6(1)(e) GDPR; art. 9(2)(a) GDPR (explicit consent) for health "
                       "data shared with the psychologist.",
        "data_categories": "The sections an officer chooses to share, nothing else.",
        "subject_categories": "Hosted human rights defenders.",
        "recipients": "Justice & Peace NL, the partner university, the partner psychologist "
                      "(each under a data processing or sharing agreement).",
        "transfers": "None.",
        "retention": "A share ends on its end date or when revoked; the partner then sees "
                     "nothing. The record of the share stays in the access log.",
        "security_measures": SECURITY + " Shares are limited in time and by section; "
                                        "break-glass access is recorded and reviewed.",
    },
    PROGRAMME: {
        "name": "Residency programme",
        "purpose": "Plan the defender's programme: rest, training, advocacy, lectures and "
                   "psychological support.",
        "legal_basis": "Art. 6(1)(e) GDPR.",
        "data_categories": "Activities with dates, places and notes.",
        "subject_categories": "Hosted human rights defenders.",
        "recipients": "Case officers, coordinators and partners the programme is shared with.",
        "transfers": "None.",
        "retention": "With the case.",
        "security_measures": SECURITY,
    },
    BUDGET: {
        "name": "Residency budget and payments",
        "purpose": "Budget each residency, record payments and the monthly allowance, and "
                   "account to funders.",
        "legal_basis": "Art. 6(1)(c) and (e) GDPR: the municipality's financial accountability "
                       "(Gemeentewet, art. 212).",
        "data_categories": "Budget lines, amounts and payment dates per case, by code name.",
        "subject_categories": "Hosted human rights defenders.",
        "recipients": "Coordinators; funders receive totals per funder, never a person.",
        "transfers": "None.",
        "retention": "Seven years for the financial records (fiscal retention duty); "
                     "identifying data with the case.",
        "security_measures": SECURITY,
    },
    STATISTICS: {
        "name": "Programme statistics",
        "purpose": "Report on the programme (residencies per region, field of work and "
                   "year) to the council and the funders.",
        "legal_basis": "Art. 6(1)(e) GDPR; art. 89 GDPR (statistics).",
        "data_categories": "Counts only: country of activity, field of work, stage and year.",
        "subject_categories": "Nominated and hosted human rights defenders (aggregated).",
        "recipients": "Coordinators and case officers; published only as totals.",
        "transfers": "None.",
        "retention": "The figures are not personal data; they are computed from the cases "
                     "while those exist.",
        "security_measures": SECURITY,
    },
    ACCESS_LOGGING: {
        "name": "Access control and logging",
        "purpose": "Sign staff and partners in with two factors, decide and record every "
                   "access to case data, allowed or refused, so auditors can check who "
                   "looked at what.",
        "legal_basis": "Art. 6(1)(c) GDPR with art. 32 GDPR (security of processing) and the "
                       "Baseline Informatiebeveiliging Overheid (BIO).",
        "data_categories": "Staff and partner accounts (name, e-mail, role, organisation, "
                           "second factors); per access: time, role, organisation, action, "
                           "the case's id and the defender's pseudonym, request id, address "
                           "and browser.",
        "subject_categories": "Staff, partners' staff and auditors; defenders by pseudonym.",
        "recipients": "Auditors (without case content), coordinators for their own "
                      "programme's history.",
        "transfers": "None.",
        "retention": "BIO 8.15.04: the access log is kept for as long as the cases it "
                     "concerns may be reviewed, at least SHELTER_RETENTION_DAYS (730) days "
                     "after the last case it names ended; entries are never changed or "
                     "deleted. Archiving an older segment keeps the chain verifiable (a "
                     "signed checkpoint at the cut, the segment exported with its hashes).",
        "security_measures": SECURITY + " The log refuses UPDATE and DELETE in the database.",
    },
}
assert set(INITIAL) == set(CODES)


def activity_uri(code: str, version: int) -> str:
    """The URI of a version of an activity: `dpl.core.processing_activity_id`.

    SHELTER_REGISTER_BASE_URI names where the municipality publishes its register; by default
    the site's own register pages.
    """
    base = (getattr(settings, "SHELTER_REGISTER_BASE_URI", "")
            or (settings.SHELTER_SITE_URL or "http://localhost:8000").rstrip("/") + "/register/")
    return f"{base.rstrip('/')}/{code}/versions/{version}/"


# Every route and the processing activity it serves; the routes that touch no personal data
# are named as such. tests/register/test_routes_name_an_activity.py holds the URLconf to this
# list, so a new route must say what it processes before it can ship.
ROUTES: dict[str, tuple[str, ...]] = {
    ACCESS_LOGGING: (
        "accounts:login", "accounts:verify", "accounts:enrol", "accounts:reverify",
        "accounts:logout", "accounts:sso_start", "accounts:sso_callback", "accounts:sso_reauth",
        "accounts:sso_link", "accounts:invitation", "accounts:backup_codes_download",
        "accounts:password_forgot", "accounts:password_reset", "accounts:security",
        "accounts:passkey_rename", "accounts:passkey_remove", "accounts:webauthn_register_begin",
        "accounts:webauthn_register_complete", "accounts:webauthn_login_begin",
        "accounts:webauthn_login_complete", "accounts:people", "accounts:person_invite",
        "accounts:person_edit", "accounts:person_set_active",
        "accounts:person_reset_second_factor", "accounts:organisations",
        "accounts:organisation_new", "accounts:organisation_edit", "cases:history",
        "audit:events", "audit:export", "audit:target", "audit:actor", "audit:anomalies",
        "audit:chain", "audit:verify", "audit:processing_log",
    ),
    INTAKE: ("cases:create", "cases:rounds", "cases:round_edit"),
    RESIDENCY: (
        "dashboard", "cases:list", "cases:search", "cases:profile", "cases:defender_edit",
        "cases:residency", "cases:case_edit", "cases:transition", "cases:legal_hold",
        "cases:legal_hold_lift", "cases:export", "cases:documents", "cases:document_upload",
        "cases:document_download", "cases:document_replace", "cases:document_delete",
        "cases:notes", "cases:tasks", "cases:task_create", "cases:task_edit",
        "cases:task_toggle", "cases:logistics", "cases:logistics_documents",
        "cases:logistics_insurance", "cases:logistics_leg_create", "cases:logistics_leg_edit",
        "cases:logistics_leg_delete", "cases:logistics_companion_create",
        "cases:logistics_companion_edit", "cases:logistics_companion_documents",
        "cases:logistics_companion_insurance", "cases:logistics_companion_remove",
        "notifications:list", "notifications:mark_read", "notifications:mark_all_read",
        "notifications:preferences",
    ),
    PROGRAMME: ("cases:programme", "cases:activity_edit", "cases:activity_cancel",
                "cases:agenda"),
    SHARING: ("cases:shared_with_me", "cases:sharing", "cases:share_revoke",
              "cases:break_glass"),
    HOUSING: (
        "housing:schedule", "housing:occupancy", "housing:occupancy_year", "housing:find",
        "housing:export", "housing:units", "housing:unit_create", "housing:unit",
        "housing:unit_edit", "housing:availability_add", "housing:availability_remove",
        "housing:block_add", "housing:block_remove", "housing:case", "housing:booking",
        "housing:booking_confirm", "housing:booking_cancel",
    ),
    BUDGET: (
        "budget:overview", "budget:export_csv", "budget:export_xlsx", "budget:funders",
        "budget:funder", "budget:funder_budget", "budget:case", "budget:line_add",
        "budget:line", "budget:line_delete", "budget:payment_add", "budget:payment",
        "budget:payment_cancel", "budget:allowance",
    ),
    STATISTICS: ("cases:statistics",),
}
# Routes that show or take no personal data: the job log (names, times, counts), the register
# itself, the language switch.
NO_PERSONAL_DATA = frozenset({
    "jobs:status", "register:list", "register:export_json", "register:export_csv",
    "register:print", "register:entry", "register:version_new", "register:version",
    "set_language",
})


def activity_of_route(name: str) -> str | None:
    """The activity code route `name` serves; None for a route without personal data.
    KeyError for a route the register does not know."""
    if name in NO_PERSONAL_DATA:
        return None
    for code, names in ROUTES.items():
        if name in names:
            return code
    raise KeyError(name)
