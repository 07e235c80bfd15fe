"""The housing reminder kind (raised daily by `housing.jobs.raise_booking_reminders`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shelter.notifications.kinds import Kind, register


def case_housing(params: dict[str, Any]) -> str:
    """The case's housing page (it checks access itself)."""
    return reverse("housing:case", args=[params["case"]]) if params.get("case") \
        else reverse("housing:schedule")


register(Kind(
    key="booking_unconfirmed", label=_("Tentative bookings not confirmed"),
    summary=lambda n: ngettext(
        "%(count)d tentative booking is not confirmed 14 days before arrival",
        "%(count)d tentative bookings are not confirmed 14 days before arrival",
        n) % {"count": n},
    link=case_housing, default="daily"))
