"""The logistics of a residency: each traveller's passport, visa and insurance, the travel
legs, and the (rare) accompanying persons.

Everything that identifies someone or narrows who they are is sealed under the CASE key
(`encryption_key_owner = "case_id"`, like `cases.Note`), so crypto-shredding the case makes
every row here unreadable with it: the issuing country (it narrows nationality), every date of
a document, the route, carrier, booking reference and policy number, and an accompanying
person's name, date of birth, nationality and passport number (with a blind index for exact
match). Plain are only what the product must sort or count without a key and what tells
nobody apart: a leg's date, direction, status and cost, and the choices of a visa (type,
decision, entries). The defender's own passport NUMBER stays on `cases.Defender` (identity).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from shelter.crypto.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedModel,
)


class VisaType(models.TextChoices):
    SHORT_STAY_C = "c", _("Short-stay visa (C)")
    NATIONAL_D = "d", _("National visa (D)")
    NONE_NEEDED = "none", _("No visa needed")


class VisaDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class VisaEntries(models.TextChoices):
    SINGLE = "single", _("Single entry")
    DOUBLE = "double", _("Double entry")
    MULTIPLE = "multiple", _("Multiple entries")


class Relationship(models.TextChoices):
    PARTNER = "partner", _("partner")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    OTHER = "other", _("other")


class Companion(EncryptedModel):
    """An accompanying person (rare). Name, date of birth, nationality and passport number are
    identifying: shown only to users who may see the case's "identity" section; with
    "logistics" alone a partner sees "Accompanying person 1 (child)"."""

    encryption_key_owner = "case_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="companions",
                             verbose_name=_("case"))
    number = models.PositiveSmallIntegerField(_("number"), default=1, editable=False)
    relationship = models.CharField(_("relationship"), max_length=10,
                                    choices=Relationship.choices, default=Relationship.OTHER)
    legal_name = EncryptedCharField(_("legal name"), max_length=200)
    date_of_birth = EncryptedDateField(_("date of birth"))
    nationality = EncryptedCharField(_("nationality"), max_length=2)
    passport_number = EncryptedCharField(_("passport number"), max_length=50)
    passport_bidx = BlindIndexField(source="passport_number",
                                    purpose="companion.passport_number", alnum_only=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("accompanying person")
        verbose_name_plural = _("accompanying persons")
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"],
                                               name="logistics_companion_number_once")]

    def __str__(self) -> str:
        return str(self.pk)


class TravelDocuments(EncryptedModel):
    """One traveller's passport, visa and insurance for this residency: the defender's
    (`companion` empty, one per case) or an accompanying person's (one per person)."""

    encryption_key_owner = "case_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="travel_documents",
                             verbose_name=_("case"))
    companion = models.OneToOneField(Companion, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="documents",
                                     verbose_name=_("accompanying person"), editable=False)

    passport_country = EncryptedCharField(_("passport issued by"), max_length=2)
    passport_issued_on = EncryptedDateField(_("passport issued on"))
    passport_expires_on = EncryptedDateField(_("passport expires on"))

    visa_type = models.CharField(_("visa type"), max_length=10, choices=VisaType.choices,
                                 blank=True)
    visa_applied_on = EncryptedDateField(_("visa applied for on"))
    visa_appointment_on = EncryptedDateField(_("visa appointment on"))
    visa_appointment_at = EncryptedCharField(_("visa appointment at"), max_length=5)
    visa_decision = models.CharField(_("visa decision"), max_length=10,
                                     choices=VisaDecision.choices, blank=True)
    visa_decided_on = EncryptedDateField(_("visa decided on"))
    visa_valid_from = EncryptedDateField(_("visa valid from"))
    visa_valid_until = EncryptedDateField(_("visa valid until"))
    visa_entries = models.CharField(_("number of entries"), max_length=10,
                                    choices=VisaEntries.choices, blank=True)

    insurance_provider = EncryptedCharField(_("insurance provider"), max_length=200)
    insurance_policy_number = EncryptedCharField(_("insurance policy number"), max_length=80)
    insurance_from = EncryptedDateField(_("insured from"))
    insurance_until = EncryptedDateField(_("insured until"))

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("travel documents")
        verbose_name_plural = _("travel documents")
        constraints = [models.UniqueConstraint(
            fields=["case"], condition=models.Q(companion__isnull=True),
            name="logistics_documents_one_for_the_defender")]

    def __str__(self) -> str:
        return str(self.pk)


class TravelLeg(EncryptedModel):
    """One journey of a traveller: the outbound flight, the return, or another leg."""

    encryption_key_owner = "case_id"

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("Outbound")
        RETURN = "return", _("Return")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        TO_BOOK = "to_book", _("To book")
        BOOKED = "booked", _("Booked")
        FLOWN = "flown", _("Flown")
        CHANGED = "changed", _("Changed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="travel_legs",
                             verbose_name=_("case"))
    companion = models.ForeignKey(Companion, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="legs", verbose_name=_("traveller"),
                                  help_text=_("Empty: the defender."))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.OUTBOUND)
    travel_on = models.DateField(_("date"))
    origin = EncryptedCharField(_("from"), max_length=3,
                                help_text=_("IATA city or airport code, e.g. BOG."))
    destination = EncryptedCharField(_("to"), max_length=3,
                                     help_text=_("IATA city or airport code, e.g. AMS."))
    carrier = EncryptedCharField(_("carrier"), max_length=80)
    booking_reference = EncryptedCharField(_("booking reference"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.TO_BOOK)
    cost = models.DecimalField(_("cost (euros)"), max_digits=10, decimal_places=2, null=True,
                               blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("travel leg")
        verbose_name_plural = _("travel legs")
        ordering = ["travel_on", "created_at"]
        constraints = [models.CheckConstraint(
            condition=models.Q(cost__isnull=True) | models.Q(cost__gte=0),
            name="logistics_leg_cost_not_negative")]

    def __str__(self) -> str:
        return str(self.pk)
