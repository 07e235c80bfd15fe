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
from shelter.forms import Listed, QuickSelect


class SectionsField(forms.MultipleChoiceField):
    """The sections to tick; "basic" is not offered (always included) but still accepted."""

    def valid_value(self, value: str) -> bool:
        return value == "basic" or super().valid_value(value)


class ShareGrantForm(forms.Form):
    """Who, which sections, how, until when, why, and the defender's consent (or override).

    Nothing is chosen for the user: the recipient starts empty. The basic section is always
    included (the service adds it); the page shows it as included, not as a choice. The same
    form, re-validated, carries the values through the confirmation page (`confirmed=1`).
    """

    grantee = forms.ChoiceField(
        label=_("Share with"), widget=QuickSelect,
        error_messages={"required": _("Choose the person or organisation to share with."),
                        "invalid_choice": _("Choose a person or organisation from the list.")})
    sections = SectionsField(
        label=_("Sections to share"), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Medical and security notes are shared only when ticked."))
    mode = forms.ChoiceField(label=_("Mode"), choices=CaseShare.Mode.choices, widget=QuickSelect,
                             initial=CaseShare.Mode.READ)
    expires_on = forms.DateField(
        label=_("Until (inclusive)"), widget=DateInput(),
        error_messages={"required": _("Enter the last day of the share."),
                        "invalid": _("Enter the last day as a date.")})
    reason = forms.CharField(
        label=_("Reason for sharing"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for sharing.")})
    consent_on = forms.DateField(
        label=_("Defender consented on"), widget=DateInput(),
        error_messages={"required": _("Enter the date the defender consented."),
                        "invalid": _("Enter the consent date as a date.")})

    def __init__(self, *args: Any, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        # Fields required unless another is given: labelled without "(optional)".
        self.conditional = {"consent_on", "override_reason"} if acting_user.is_coordinator \
            else set()
        self.fields["sections"].choices = [(s, section_label(s)) for s in choices.SHARE_SECTIONS
                                           if s != "basic"]
        # Two plain reads of (id, name): a list of hundreds of partners is no model instances.
        people = (User.objects.filter(is_active=True, groups__name=Role.PARTNER)
                  .order_by("full_name").values_list("pk", "full_name"))
        organisations = Organisation.objects.filter(is_active=True).exclude(
            kind=Organisation.Kind.MUNICIPALITY).values_list("pk", "name")
        self.fields["grantee"].choices = Listed([
            ("", _("Choose a person or organisation")),
            (_("People"), [(f"user:{pk}", name) for pk, name in people]),
            (_("Organisations"), [(f"org:{pk}", name) for pk, name in organisations])])
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(days=30)
        self.fields["expires_on"].help_text = _(
            "From today to at most %(days)d days from today.") % {"days": max_share_days()}
        if acting_user.is_coordinator:
            self.fields["consent_on"].required = False
            self.fields["consent_on"].help_text = _(
                "Required, unless you share without consent as a coordinator (below).")
            self.fields["override_reason"] = forms.CharField(
                label=_("Coordinator override: why share without consent"), required=False,
                max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Only when there is no consent date. The override is recorded."))

    def basic_label(self) -> str:
        return section_label("basic")

    def clean_sections(self) -> list[str]:
        # "basic" is always shared; an old form that still sends it is not wrong.
        return ["basic", *(s for s in self.cleaned_data["sections"] if s != "basic")]

    def clean_expires_on(self) -> datetime.date:
        day, today = self.cleaned_data["expires_on"], timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("The end date must be today or later."))
        if day > today + datetime.timedelta(days=max_share_days()):
            raise forms.ValidationError(_("A share must end within %(days)d days.") % {
                "days": max_share_days()})
        return day

    def clean_consent_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("consent_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("The consent date cannot be in the future."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if ("consent_on" in data and data["consent_on"] is None
                and not (data.get("override_reason") or "").strip()):
            self.add_error("consent_on", _("Enter the date the defender consented, or give "
                                           "the reason for a coordinator override."))
        return data

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

    def grantee_name(self) -> str:
        """The chosen person's or organisation's name, as the list shows it."""
        for _group, options in self.fields["grantee"].choices[1:]:
            for value, name in options:
                if value == self.cleaned_data["grantee"]:
                    return name
        return ""


class ShareRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the restricted notes?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your reason is recorded, every coordinator sees this opening on their "
                    "dashboard, and it ends by itself."))
