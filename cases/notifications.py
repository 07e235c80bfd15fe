"""The notification kinds the cases app sends (autodiscovered by shelter.notifications)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shelter.notifications.kinds import Kind, register


def _retention_link(params: dict[str, Any]) -> str:
    # The case's legal hold page (coordinators only; it checks access itself): where a hold is
    # placed if the case must outlive retention. An id only, never a name.
    if params.get("case"):
        return reverse("cases:legal_hold", args=[params["case"]])
    return reverse("cases:list")


register(Kind(
    key="retention_due", label=_("A case will be crypto-shredded within 30 days"),
    summary=lambda n: ngettext("%(count)d case will be crypto-shredded within 30 days",
                               "%(count)d cases will be crypto-shredded within 30 days",
                               n) % {"count": n},
    link=_retention_link, default="daily"))
