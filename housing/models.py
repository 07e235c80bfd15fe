"""Housing: units the programme can offer, when they are offered or blocked, and bookings.

Every period is a half-open range of days ``[start, end)``: ``end`` is the departure day (or the
first day no longer offered/blocked), so a stay occupies the nights ``start … end - 1``. A
booking also keeps its unit free for ``turnover_buffer_days`` after departure; the service
stores that end as ``blocked_until`` so the database can refuse overlaps itself (on PostgreSQL an
exclusion constraint over ``daterange(start, blocked_until)``, migration 0002; on SQLite two
triggers that say the same, migration 0003).

Addresses, host contacts and unit notes are sealed with the programme key (no case owns a unit);
a booking's free-text note with its case's key, so shredding the case shreds it too.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shelter.crypto.fields import EncryptedModel, EncryptedTextField


class Accessibility(models.TextChoices):
    STEP_FREE = "step_free", _("Step-free entrance")
    GROUND_FLOOR = "ground_floor", _("Ground floor")
    LIFT = "lift", _("Lift")
    ACCESSIBLE_BATHROOM = "accessible_bathroom", _("Accessible bathroom")


class Amenity(models.TextChoices):
    WIFI = "wifi", _("Wi-Fi")
    KITCHEN = "kitchen", _("Own kitchen")
    WASHING_MACHINE = "washing_machine", _("Washing machine")
    WORKSPACE = "workspace", _("Workspace")
    PRIVATE_BATHROOM = "private_bathroom", _("Private bathroom")
    GARDEN = "garden", _("Garden or balcony")


class Unit(EncryptedModel):
    """A place the programme can house a defender in, known by its code name."""

    encryption_key_owner = "programme"

    class Kind(models.TextChoices):
        APARTMENT = "apartment", _("Apartment")
        STUDIO = "studio", _("Studio")
        HOST_FAMILY = "host_family", _("Host family")
        GUEST_HOUSE = "guest_house", _("Guest house")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code_name = models.CharField(_("code name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.APARTMENT)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), default=1)
    accessibility = models.JSONField(_("accessibility"), default=list, blank=True)
    amenities = models.JSONField(_("amenities"), default=list, blank=True)
    turnover_buffer_days = models.PositiveSmallIntegerField(_("turnover buffer (days)"),
                                                            default=1)
    is_active = models.BooleanField(_("active"), default=True)

    address = EncryptedTextField(_("address"))
    host_contact = EncryptedTextField(_("landlord or host contact"))
    notes = EncryptedTextField(_("notes"))

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("housing unit")
        verbose_name_plural = _("housing units")
        ordering = ["code_name"]

    def __str__(self) -> str:
        return self.code_name

    def accessibility_labels(self) -> list[str]:
        labels = dict(Accessibility.choices)
        return [str(labels.get(code, code)) for code in self.accessibility]

    def amenity_labels(self) -> list[str]:
        labels = dict(Amenity.choices)
        return [str(labels.get(code, code)) for code in self.amenities]


class Availability(models.Model):
    """A period ``[start, end)`` in which the unit is offered to the programme."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="availability",
                             verbose_name=_("unit"))
    start = models.DateField(_("offered from"))
    end = models.DateField(_("offered until (first day not offered)"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("availability period")
        verbose_name_plural = _("availability periods")
        ordering = ["unit", "start"]
        indexes = [models.Index(fields=["unit", "end", "start"], name="housing_avail_unit_span")]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")),
                                              name="housing_availability_end_after_start")]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class Block(models.Model):
    """A period ``[start, end)`` in which the unit cannot be used (maintenance, host away …)."""

    class Reason(models.TextChoices):
        MAINTENANCE = "maintenance", _("Maintenance")
        HOST_AWAY = "host_away", _("Host away")
        HOST_USE = "host_use", _("Used by the host")
        SECURITY = "security", _("Security reasons")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="blocks",
                             verbose_name=_("unit"))
    start = models.DateField(_("blocked from"))
    end = models.DateField(_("free again on"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices,
                              default=Reason.MAINTENANCE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked period")
        verbose_name_plural = _("blocked periods")
        ordering = ["unit", "start"]
        indexes = [models.Index(fields=["unit", "end", "start"], name="housing_block_unit_span")]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")),
                                              name="housing_block_end_after_start")]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class Booking(EncryptedModel):
    """A stay of a case in a unit: nights ``start … end - 1``, unit kept until ``blocked_until``.

    Written only by `housing.services`, which computes ``blocked_until`` (end + the unit's
    turnover buffer) and checks availability, blocks and other bookings under a lock.
    """

    encryption_key_owner = "case_id"

    class Status(models.TextChoices):
        TENTATIVE = "tentative", _("Tentative")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    class Reason(models.TextChoices):
        RESIDENCY = "residency", _("Residency")
        EXTENSION = "extension", _("Extension")
        RELOCATION = "relocation", _("Relocation")
        EMERGENCY = "emergency", _("Emergency")
        OTHER = "other", _("Other")

    ACTIVE = (Status.TENTATIVE, Status.CONFIRMED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bookings",
                             verbose_name=_("unit"))
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="bookings",
                             verbose_name=_("case"))
    start = models.DateField(_("arrival"))
    end = models.DateField(_("departure"))
    blocked_until = models.DateField(_("unit free again on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.TENTATIVE, db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices,
                              default=Reason.RESIDENCY)
    note = EncryptedTextField(_("note"))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("booked by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        indexes = [models.Index(fields=["unit", "blocked_until", "start"],
                                name="housing_booking_unit_span")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")),
                                   name="housing_booking_end_after_start"),
            models.CheckConstraint(condition=Q(blocked_until__gte=F("end")),
                                   name="housing_booking_buffer_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def nights(self) -> int:
        return (self.end - self.start).days
