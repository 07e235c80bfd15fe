"""The case data model: defenders, their residencies (cases), documents and notes.

Identifying and sensitive values are encrypted fields (see `shelter.crypto.fields`); values the
programme's statistics and schedule need (stage, dates, country of activity, field of work) are
plain. Keys: each Defender has its own data key (purpose "defender"), because one defender can
have several residencies and their identity must not be shredded with one of them; each Case has
its own key (purpose "case") that also protects its documents and notes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cases.choices import DocumentCategory, NoteCategory, Stage
from cases.lifecycle import task_title
from shelter.crypto.documents import EncryptedFileModel
from shelter.crypto.fields import (
    BlindIndexField,
    BlindIndexTokensField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedModel,
    EncryptedTextField,
)


class FieldOfWork(models.TextChoices):
    ENVIRONMENT = "environment", _("Environment and land rights")
    JOURNALISM = "journalism", _("Journalism and free expression")
    LGBTIQ = "lgbtiq", _("LGBTIQ+ rights")
    WOMEN = "women", _("Women's rights")
    INDIGENOUS = "indigenous", _("Indigenous peoples' rights")
    LABOUR = "labour", _("Labour rights")
    LEGAL = "legal", _("Legal defence and justice")
    OTHER = "other", _("Other")


NAME_TOKEN_PURPOSE = "defender.name_token"  # noqa: S105  (a domain label, not a secret)


class Defender(EncryptedModel):
    """A human-rights defender. The code name and the statistics fields (country of activity,
    field of work) are plain; everything identifying is sealed."""

    encryption_key_owner = "pk"
    encryption_key_purpose = "defender"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code_name = models.CharField(_("code name"), max_length=80, unique=True)
    country_of_activity = CountryField(_("country of activity"), blank=True,
                                       help_text=_("Used for statistics."))
    field_of_work = models.CharField(_("field of work"), max_length=20,
                                     choices=FieldOfWork.choices, blank=True)

    # Which organisation someone works for narrows down who they are: sealed like the identity.
    organisation = EncryptedCharField(_("organisation"), max_length=200)
    legal_name = EncryptedCharField(_("legal name"), max_length=200)
    other_names = EncryptedTextField(_("other names"))
    date_of_birth = EncryptedDateField(_("date of birth"))
    nationality = EncryptedCharField(_("nationality"), max_length=100)
    languages = EncryptedCharField(_("languages"), max_length=200)
    gender = EncryptedCharField(_("gender"), max_length=50)
    passport_number = EncryptedCharField(_("passport number"), max_length=50)
    phone = EncryptedCharField(_("phone"), max_length=50)
    email = EncryptedCharField(_("e-mail"), max_length=254)
    messenger = EncryptedCharField(_("messenger"), max_length=200)
    emergency_contact = EncryptedTextField(_("emergency contact"))
    special_needs = EncryptedTextField(_("special needs"))

    legal_name_bidx = BlindIndexField(source="legal_name", purpose="defender.legal_name")
    passport_bidx = BlindIndexField(source="passport_number", purpose="defender.passport_number",
                                    alnum_only=True)
    # Every token of the legal and other names (given, family, aliases), for whole-token search.
    name_tokens = BlindIndexTokensField(sources=("legal_name", "other_names"),
                                        purpose=NAME_TOKEN_PURPOSE)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("defender")
        verbose_name_plural = _("defenders")
        ordering = ["code_name"]

    def __str__(self) -> str:
        return self.code_name


class IntakeRound(models.Model):
    """A call for nominations (e.g. "2027 spring"): nominations arrive, a committee decides."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    decision_on = models.DateField(_("committee decides on"), null=True, blank=True)
    places = models.PositiveSmallIntegerField(_("places"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("intake round")
        verbose_name_plural = _("intake rounds")
        ordering = ["-opens_on"]

    def __str__(self) -> str:
        return self.name


class Case(EncryptedModel):
    """One residency of a defender. Survives crypto-shredding as a tombstone (stage, dates)."""

    encryption_key_owner = "pk"
    encryption_key_purpose = "case"

    Stage = Stage  # the choices live in cases.choices; `Case.Stage` reads as Django code expects

    class RiskLevel(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    defender = models.ForeignKey(Defender, on_delete=models.PROTECT, related_name="cases",
                                 verbose_name=_("defender"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices,
                             default=Stage.NOMINATED, db_index=True)
    nominated_on = models.DateField(_("nominated on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    planned_arrival = models.DateField(_("planned arrival"), null=True, blank=True)
    planned_departure = models.DateField(_("planned departure"), null=True, blank=True)
    actual_arrival = models.DateField(_("actual arrival"), null=True, blank=True)
    actual_departure = models.DateField(_("actual departure"), null=True, blank=True)
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_cases", verbose_name=_("assigned officer"),
    )
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices,
                                  default=RiskLevel.MEDIUM)
    intake_round = models.ForeignKey(IntakeRound, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="cases",
                                     verbose_name=_("intake round"))

    risk_notes = EncryptedTextField(_("risk notes"))
    visa_status = EncryptedJSONField(_("visa status"))
    travel = EncryptedJSONField(_("travel"))
    insurance = EncryptedTextField(_("insurance"))
    allowance = EncryptedTextField(_("allowance"))
    accompanying_persons = EncryptedJSONField(_("accompanying persons"))
    return_plan = EncryptedTextField(_("return plan"))
    follow_up = EncryptedTextField(_("follow-up"))

    shredded_at = models.DateTimeField(_("shredded at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        # The case list pages through this ordering: an index keeps page 1 from sorting all rows.
        indexes = [models.Index(fields=["-created_at"], name="case_created_desc")]
        # view_case (a default) and contribute_case are granted per case by shares (guardian).
        permissions = [("contribute_case", _("Can contribute to a shared case"))]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def is_shredded(self) -> bool:
        """True once the case key is destroyed: encrypted fields then raise KeyShredded."""
        return self.shredded_at is not None


class Document(EncryptedFileModel):
    """An encrypted file of a case; a new version points at the one it replaces."""

    encryption_key_owner = "case_id"

    Category = DocumentCategory

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents",
                             verbose_name=_("case"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                default=Category.OTHER)
    version = models.PositiveIntegerField(_("version"), default=1)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="replaced_by", verbose_name=_("replaces"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    delete_reason = EncryptedTextField(_("reason for deletion"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return str(self.pk)


class Note(EncryptedModel):
    """A case note; medical and security notes are restricted by policy, not by key."""

    encryption_key_owner = "case_id"

    Category = NoteCategory

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes",
                             verbose_name=_("case"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                default=Category.GENERAL, db_index=True)
    body = EncryptedTextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("author"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.pk)


class CaseTransition(EncryptedModel):
    """One change of a case's stage: who, when, from, to and why (the reason is sealed)."""

    encryption_key_owner = "case_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions",
                             verbose_name=_("case"))
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    reason = EncryptedTextField(_("reason"))
    # A coordinator's override of failed overridable checks: the codes (plain, like the audit
    # entry's) and why (sealed: it may name people).
    overridden = models.JSONField(_("checks overridden"), default=list, blank=True,
                                  editable=False)
    override_reason = EncryptedTextField(_("reason for overriding the checks"), editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("changed by"))
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.from_stage} -> {self.to_stage}"


class Task(EncryptedModel):
    """A checklist item: generated when a case enters a stage (its title is a key, translated
    when shown), or added by an officer (`title_key` empty, the title their own words, sealed
    with the case's key like every other case text)."""

    encryption_key_owner = "case_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks",
                             verbose_name=_("case"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    title_key = models.CharField(_("task"), max_length=40, blank=True, default="")
    own_title = EncryptedCharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="case_tasks", verbose_name=_("owner"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("done by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "created_at"]
        constraints = [
            # Each generated task once per stage; officers add as many of their own as needed.
            models.UniqueConstraint(fields=["case", "stage", "title_key"],
                                    condition=~models.Q(title_key=""),
                                    name="cases_task_once_per_stage"),
        ]

    def __str__(self) -> str:
        return self.title_key or str(self.pk)

    @property
    def title(self) -> str:
        if not self.title_key:
            return self.own_title or ""
        return task_title(self.title_key)

    @property
    def is_own(self) -> bool:
        """Added by an officer, not generated by a stage's checklist."""
        return not self.title_key

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class Activity(EncryptedModel):
    """One item of a defender's programme. The day is plain (for the agenda); the times, the
    title and the place are sealed, because a schedule tells where someone will be."""

    encryption_key_owner = "case_id"

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        TRAINING = "training", _("Training")
        LECTURE = "lecture", _("Lecture or event")
        MEDIA = "media", _("Media")
        ADVOCACY = "advocacy", _("Advocacy")
        WELLBEING = "wellbeing", _("Rest and wellbeing")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="activities",
                             verbose_name=_("case"))
    day = models.DateField(_("day"), db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEETING)
    starts = EncryptedCharField(_("starts"), max_length=5)
    ends = EncryptedCharField(_("ends"), max_length=5)
    title = EncryptedCharField(_("title"), max_length=200)
    place = EncryptedCharField(_("place"), max_length=200)
    details = EncryptedTextField(_("details"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme activity")
        verbose_name_plural = _("programme activities")
        ordering = ["day", "created_at"]

    def __str__(self) -> str:
        return str(self.pk)



class LegalHold(EncryptedModel):
    """A legal hold on a case: while it is active (not lifted) the case is never crypto-shredded,
    by the retention job or by hand. The reason may name people, so it is sealed with the case
    key. At most one active hold per case (a partial unique index); a lifted hold stays as the
    record of who held the case and when."""

    encryption_key_owner = "case_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="legal_holds",
                             verbose_name=_("case"))
    reason = EncryptedTextField(_("reason"))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("placed by"))
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("lifted by"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at"]
        constraints = [models.UniqueConstraint(
            fields=["case"], condition=models.Q(lifted_at__isnull=True),
            name="legal_hold_one_active_per_case")]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None
