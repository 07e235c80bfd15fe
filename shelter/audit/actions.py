"""Audit event types and outcomes. Importing this module never touches models or the database.

Numbers are stored in the log and hashed into the chain: never renumber or reuse one. Add new
types inside their range (1xx accounts, 2xx cases, 3xx documents, 4xx sharing, 5xx housing,
6xx keys and retention, 7xx the audit log itself).
"""

from __future__ import annotations

from enum import IntEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Action(IntEnum):
    # 1xx accounts
    SIGN_IN = 101
    SIGN_IN_FAILED = 102
    LOCKOUT = 103
    OTP_VERIFIED = 104
    OTP_FAILED = 105
    ENROLLED = 106
    SIGN_OUT = 107
    SIGN_IN_RECOVERY = 108
    USER_INVITE = 110
    INVITATION_ACCEPT = 111
    USER_UPDATE = 112
    USER_DEACTIVATE = 113
    USER_ACTIVATE = 114
    SECOND_FACTOR_RESET = 115
    ORGANISATION_CREATE = 120
    ORGANISATION_UPDATE = 121
    INVITATION_SEND = 130
    PASSWORD_RESET_REQUEST = 131
    PASSWORD_RESET_LINK = 132
    PASSWORD_RESET = 133
    MAIL_DELIVERY = 134
    SSO_LINK = 150
    PASSKEY_ADDED = 140
    PASSKEY_RENAMED = 141
    PASSKEY_REMOVED = 142
    # 2xx cases
    CASE_VIEW_SECTION = 201
    CASE_LIST = 202
    CASE_SEARCH = 203
    CASE_CREATE = 204
    CASE_UPDATE = 205
    CASE_TRANSITION = 206
    CASE_EXPORT = 207
    CASE_DELETE = 208
    CASE_HISTORY_VIEW = 209
    NOTE_CREATE = 210
    NOTE_UPDATE = 211
    STATISTICS_VIEW = 212
    # 22x logistics (cases.logistics): travel documents, travel, insurance, companions
    TRAVEL_DOCUMENTS_CHANGE = 220
    TRAVEL_LEG_CREATE = 221
    TRAVEL_LEG_CHANGE = 222
    TRAVEL_LEG_DELETE = 223
    INSURANCE_CHANGE = 224
    COMPANION_ADD = 225
    COMPANION_CHANGE = 226
    COMPANION_REMOVE = 227
    GUARD_OVERRIDE = 228
    # 24x-25x the budget (budget): lines, payments, the allowance, funders, reports
    BUDGET_LINE_CREATE = 240
    BUDGET_LINE_CHANGE = 241
    BUDGET_LINE_DELETE = 242
    PAYMENT_RECORD = 243
    PAYMENT_CHANGE = 244
    PAYMENT_CANCEL = 245
    ALLOWANCE_SCHEDULE = 246
    FUNDER_CREATE = 250
    FUNDER_CHANGE = 251
    FUNDER_BUDGET_SET = 252
    BUDGET_OVERVIEW_VIEW = 255
    BUDGET_EXPORT = 256
    REFUSED = 299
    # 3xx documents
    DOCUMENT_UPLOAD = 301
    DOCUMENT_DOWNLOAD = 302
    DOCUMENT_REPLACE = 303
    DOCUMENT_DELETE = 304
    # 4xx sharing
    SHARE_GRANT = 401
    SHARE_REVOKE = 402
    SHARE_EXPIRE = 403
    BREAK_GLASS = 404
    # 5xx housing
    UNIT_CREATE = 501
    UNIT_CHANGE = 502
    UNIT_VIEW = 503
    BOOKING_CREATE = 511
    BOOKING_CHANGE = 512
    BOOKING_CANCEL = 513
    BOOKING_VIEW = 514
    SCHEDULE_VIEW = 520
    HOUSING_EXPORT = 530
    # 6xx keys and retention
    KEY_ROTATE = 601
    CASE_SHRED = 602
    RETENTION_APPLY = 603
    VERIFY_ENCRYPTION = 604
    INTEGRITY_FAILURE = 605
    LEGAL_HOLD_PLACE = 606
    LEGAL_HOLD_LIFT = 607
    BACKUP = 608
    RESTORE = 609
    # 7xx the audit log itself
    AUDIT_VIEW = 701
    AUDIT_EXPORT = 702
    CHECKPOINT = 703
    VERIFY = 704
    # 71x the register of processing activities and the processing log (710 kept free)
    REGISTER_CHANGE = 711
    REGISTER_EXPORT = 712
    PROCESSING_LOG_EXPORT = 713

    @property
    def label(self) -> str | Promise:
        return ACTION_LABELS.get(self, self.name.replace("_", " ").lower())

    @property
    def category(self) -> int:
        """The hundred this type belongs to (1 accounts … 7 audit)."""
        return self.value // 100

    @classmethod
    def choices(cls) -> list[tuple[int, str | Promise]]:
        return [(a.value, a.label) for a in cls]


ACTION_LABELS: dict[Action, str | Promise] = {
    Action.SIGN_IN: _("Signed in (first step)"),
    Action.SIGN_IN_FAILED: _("Sign-in failed"),
    Action.LOCKOUT: _("Sign-in locked"),
    Action.OTP_VERIFIED: _("Second factor verified"),
    Action.OTP_FAILED: _("Second factor failed"),
    Action.ENROLLED: _("Second factor enrolled"),
    Action.SIGN_OUT: _("Signed out"),
    Action.SIGN_IN_RECOVERY: _("Sign-in by a recovery method"),
    Action.USER_INVITE: _("User invited"),
    Action.INVITATION_ACCEPT: _("Invitation accepted"),
    Action.USER_UPDATE: _("User changed"),
    Action.USER_DEACTIVATE: _("User deactivated"),
    Action.USER_ACTIVATE: _("User reactivated"),
    Action.SECOND_FACTOR_RESET: _("Second factor reset"),
    Action.ORGANISATION_CREATE: _("Organisation created"),
    Action.ORGANISATION_UPDATE: _("Organisation changed"),
    Action.INVITATION_SEND: _("Invitation e-mail queued"),
    Action.PASSWORD_RESET_REQUEST: _("Password reset requested (e-mail queued)"),
    Action.PASSWORD_RESET_LINK: _("Password reset link opened"),
    Action.PASSWORD_RESET: _("Password reset"),
    Action.MAIL_DELIVERY: _("Account e-mail: delivery result (sent, dropped or given up)"),
    Action.SSO_LINK: _("Single sign-on linked"),
    Action.PASSKEY_ADDED: _("Passkey added"),
    Action.PASSKEY_RENAMED: _("Passkey renamed"),
    Action.PASSKEY_REMOVED: _("Passkey removed"),
    Action.CASE_VIEW_SECTION: _("Case section viewed"),
    Action.CASE_LIST: _("Case list viewed"),
    Action.CASE_SEARCH: _("Cases searched"),
    Action.CASE_CREATE: _("Case created"),
    Action.CASE_UPDATE: _("Case changed"),
    Action.CASE_TRANSITION: _("Case stage changed"),
    Action.CASE_EXPORT: _("Case exported"),
    Action.CASE_DELETE: _("Case deleted"),
    Action.CASE_HISTORY_VIEW: _("Case access history viewed"),
    Action.NOTE_CREATE: _("Note added"),
    Action.NOTE_UPDATE: _("Note changed"),
    Action.STATISTICS_VIEW: _("Statistics viewed"),
    Action.TRAVEL_DOCUMENTS_CHANGE: _("Passport or visa details changed"),
    Action.TRAVEL_LEG_CREATE: _("Travel leg added"),
    Action.TRAVEL_LEG_CHANGE: _("Travel leg changed"),
    Action.TRAVEL_LEG_DELETE: _("Travel leg removed"),
    Action.INSURANCE_CHANGE: _("Insurance changed"),
    Action.COMPANION_ADD: _("Accompanying person added"),
    Action.COMPANION_CHANGE: _("Accompanying person changed"),
    Action.COMPANION_REMOVE: _("Accompanying person removed"),
    Action.GUARD_OVERRIDE: _("Stage check overridden"),
    Action.BUDGET_LINE_CREATE: _("Budget line added"),
    Action.BUDGET_LINE_CHANGE: _("Budget line changed"),
    Action.BUDGET_LINE_DELETE: _("Budget line removed"),
    Action.PAYMENT_RECORD: _("Payment recorded"),
    Action.PAYMENT_CHANGE: _("Payment changed"),
    Action.PAYMENT_CANCEL: _("Payment cancelled"),
    Action.ALLOWANCE_SCHEDULE: _("Allowance schedule generated"),
    Action.FUNDER_CREATE: _("Funder added"),
    Action.FUNDER_CHANGE: _("Funder changed"),
    Action.FUNDER_BUDGET_SET: _("Yearly budget of a funder set"),
    Action.BUDGET_OVERVIEW_VIEW: _("Budget overview viewed"),
    Action.BUDGET_EXPORT: _("Budget exported"),
    Action.REFUSED: _("Access refused"),
    Action.DOCUMENT_UPLOAD: _("Document uploaded"),
    Action.DOCUMENT_DOWNLOAD: _("Document downloaded"),
    Action.DOCUMENT_REPLACE: _("Document replaced"),
    Action.DOCUMENT_DELETE: _("Document deleted"),
    Action.SHARE_GRANT: _("Share granted"),
    Action.SHARE_REVOKE: _("Share revoked"),
    Action.SHARE_EXPIRE: _("Share expired"),
    Action.BREAK_GLASS: _("Break-glass access"),
    Action.UNIT_CREATE: _("Housing unit created"),
    Action.UNIT_CHANGE: _("Housing unit changed"),
    Action.UNIT_VIEW: _("Housing unit viewed"),
    Action.BOOKING_CREATE: _("Booking created"),
    Action.BOOKING_CHANGE: _("Booking changed"),
    Action.BOOKING_CANCEL: _("Booking cancelled"),
    Action.BOOKING_VIEW: _("Booking viewed"),
    Action.SCHEDULE_VIEW: _("Housing schedule viewed"),
    Action.HOUSING_EXPORT: _("Housing exported"),
    Action.KEY_ROTATE: _("Master key rotated"),
    Action.CASE_SHRED: _("Case crypto-shredded"),
    Action.RETENTION_APPLY: _("Retention applied"),
    Action.VERIFY_ENCRYPTION: _("Encryption verified"),
    Action.INTEGRITY_FAILURE: _("Integrity failure"),
    Action.LEGAL_HOLD_PLACE: _("Legal hold placed"),
    Action.LEGAL_HOLD_LIFT: _("Legal hold lifted"),
    Action.BACKUP: _("Backup made"),
    Action.RESTORE: _("Backup restored"),
    Action.AUDIT_VIEW: _("Access log viewed"),
    Action.AUDIT_EXPORT: _("Access log exported"),
    Action.CHECKPOINT: _("Log checkpoint taken"),
    Action.VERIFY: _("Log chain verified"),
    Action.REGISTER_CHANGE: _("Register of processing activities changed"),
    Action.REGISTER_EXPORT: _("Register of processing activities exported"),
    Action.PROCESSING_LOG_EXPORT: _("Processing log exported"),
}

# Reads of defender data: what the anomaly signals look at.
CASE_READ_ACTIONS = frozenset({
    Action.CASE_VIEW_SECTION, Action.CASE_EXPORT, Action.DOCUMENT_DOWNLOAD, Action.BREAK_GLASS,
    Action.UNIT_VIEW, Action.BOOKING_VIEW, Action.SCHEDULE_VIEW, Action.HOUSING_EXPORT,
})


# Before `Outcome.REJECTED` existed, a booking clash was stored as refused with this reason.
LEGACY_REJECTION_ACTIONS = frozenset({Action.BOOKING_CREATE, Action.BOOKING_CHANGE})
LEGACY_REJECTION_REASON = "conflict"


class Outcome(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    REFUSED = "refused", _("refused")
    # A business rule said no (a booking clash, a failed validation): not an authorization
    # refusal, so the "repeated refusals" signal does not count it.
    REJECTED = "rejected", _("rejected")
