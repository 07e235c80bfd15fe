"""The notification kinds of cases and sharing: the retention warning (`warn_retention`) and
the reminders (raised daily by `cases.jobs.raise_reminders`). Summaries are counts only; links
carry a case id at most, to pages that check access."""

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


def case_page(params: dict[str, Any]) -> str:
    """The case's own page (it answers 404 to anyone who may no longer see the case)."""
    return reverse("cases:profile", args=[params["case"]]) if params.get("case") \
        else reverse("cases:list")


register(Kind(
    key="tasks_due", label=_("Tasks due and overdue"),
    summary=lambda n: ngettext("%(count)d of your tasks is due within 7 days or overdue",
                               "%(count)d of your tasks are due within 7 days or overdue",
                               n) % {"count": n},
    link="dashboard", default="daily"))

register(Kind(
    key="arrival_soon", label=_("Arrivals within 7 days"),
    summary=lambda n: ngettext("%(count)d arrival within 7 days",
                               "%(count)d arrivals within 7 days", n) % {"count": n},
    link=case_page, default="daily"))

register(Kind(
    key="departure_soon", label=_("Departures within 7 days"),
    summary=lambda n: ngettext("%(count)d departure within 7 days",
                               "%(count)d departures within 7 days", n) % {"count": n},
    link=case_page, default="daily"))

# Raised by `raise_reminders` for the assigned officer when a logistics check fails for an
# active case (`cases.logistics.selectors.failing_active_cases`).
register(Kind(
    key="travel_documents_ending", label=_("Passport, visa or insurance ends before the stay"),
    summary=lambda n: ngettext(
        "%(count)d passport, visa or insurance ends before the stay does",
        "%(count)d passports, visas or insurances end before the stay does", n) % {"count": n},
    link=case_page, default="daily"))

register(Kind(
    key="share_ending", label=_("A share ends soon"),
    summary=lambda n: ngettext("%(count)d share ends within 7 days",
                               "%(count)d shares end within 7 days", n) % {"count": n},
    link=case_page, default="daily"))
