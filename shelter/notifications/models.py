"""Notifications and preferences. Neither holds personal data: a notification is a kind, a
count, ids and short codes; the text shown or mailed is rendered from the kind and the count."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("In the daily digest")
    OFF = "off", _("Off")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(max_length=40)
    # A stable key for "this fact" (e.g. "share:12:7d"): ids and short codes, never a name.
    dedupe = models.CharField(max_length=120)
    count = models.PositiveIntegerField(default=1)
    params = models.JSONField(default=dict, blank=True)
    # How it was to be mailed when it was made (the preference then): immediately or in the
    # daily digest. `mailed_at` is set when its mail (or digest) was queued.
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.DAILY)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "dedupe"],
                                               name="notification_once_per_fact")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread"),
                   models.Index(fields=["mode", "mailed_at"], name="notification_undigested")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=40)
    mode = models.CharField(max_length=10, choices=Mode.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.mode}"
