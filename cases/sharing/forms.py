"""Forms of sharing: grant a share, revoke one, break the glass."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import choices
from cases.forms import DateInput
from cases.sharing.labels import section_label
from cases.sharing.models import CaseShare
from cases.sharing.services import max_share_days
from shelter.accounts.models import Organisation, User
from shelter.accounts.roles import Role


class ShareGrantForm(forms.Form):
    """Who, which sections, how, until when, why, and the defender's consent (or override)."""

    grantee = forms.ChoiceField(label=_("Share with"))
    sections = forms.MultipleChoiceField(
        label=_("Sections"), widget=forms.CheckboxSelectMultiple,
        help_text=_("The basic section is always included. Medical and security notes are "
                    "shared only when ticked."))
    mode = forms.ChoiceField(label=_("Mode"), choices=CaseShare.Mode.choices,
                             initial=CaseShare.Mode.READ)
    expires_on = forms.DateField(label=_("Until (inclusive)"), widget=DateInput())
    reason = forms.CharField(label=_("Reason for sharing"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    consent_on = forms.DateField(label=_("Defender consented on"), required=False,
                                 widget=DateInput())

    def __init__(self, *args: Any, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [(s, section_label(s)) for s in choices.SHARE_SECTIONS]
        people = (User.objects.filter(is_active=True, groups__name=Role.PARTNER)
                  .order_by("full_name"))
        organisations = Organisation.objects.filter(is_active=True).exclude(
            kind=Organisation.Kind.MUNICIPALITY)
        self.fields["grantee"].choices = [
            (_("People"), [(f"user:{u.pk}", u.full_name) for u in people]),
            (_("Organisations"), [(f"org:{o.pk}", o.name) for o in organisations])]
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(days=30)
        self.fields["expires_on"].help_text = _("At most %(days)d days from today.") % {
            "days": max_share_days()}
        if acting_user.is_coordinator:
            self.fields["override_reason"] = forms.CharField(
                label=_("Coordinator override: why share without consent"), required=False,
                max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, _sep, pk = data["grantee"].partition(":")
        return {
            "grantee_user": User.objects.get(pk=pk) if kind == "user" else None,
            "grantee_organisation": Organisation.objects.get(pk=pk) if kind == "org" else None,
            "sections": data["sections"], "mode": data["mode"],
            "expires_on": data["expires_on"], "reason": data["reason"],
            "consent_on": data.get("consent_on"),
            "override_reason": data.get("override_reason") or None,
        }


class ShareRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the restricted notes?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your reason is recorded, every coordinator sees this opening on their "
                    "dashboard, and it ends by itself."))
