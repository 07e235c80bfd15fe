"""The auditors' filter form (GET only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shelter.accounts.models import Organisation, User
from shelter.audit.actions import Action, Outcome


class EventFilterForm(forms.Form):
    actor = forms.ModelChoiceField(User.objects.all(), required=False, label=_("User"))
    organisation = forms.ModelChoiceField(Organisation.objects.all(), required=False,
                                          label=_("Organisation"))
    target_id = forms.RegexField(regex=r"^[A-Za-z0-9_.:\-]{1,64}$", required=False,
                                 label=_("Case or object id"))
    action = forms.TypedChoiceField(choices=[("", "—"), *Action.choices()], coerce=int,
                                    empty_value=None, required=False, label=_("Action"))
    outcome = forms.ChoiceField(choices=[("", "—"), *Outcome.choices], required=False,
                                label=_("Outcome"))
    date_from = forms.DateField(required=False, label=_("From"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False,
                              label=pgettext_lazy("last day of a period, included", "Until"),
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The last day is before the first day."))
        return data

    def error_fields(self) -> list[str]:
        """The names of the fields whose value was refused (for the audit facts)."""
        return sorted(name for name in self.errors if name in self.fields)

    def facts(self) -> dict:
        """The active filters as audit facts (ids, codes and dates only)."""
        data = self.cleaned_data
        facts = {
            "actor": data["actor"].pk if data.get("actor") else None,
            "organisation": data["organisation"].pk if data.get("organisation") else None,
            "target_id": data.get("target_id") or None,
            "action": data.get("action"),
            "outcome": data.get("outcome") or None,
            "date_from": data["date_from"].isoformat() if data.get("date_from") else None,
            "date_to": data["date_to"].isoformat() if data.get("date_to") else None,
        }
        # Prefixed: `actor`, `action` and `outcome` are record()'s own parameters.
        return {f"filter_{k}": v for k, v in facts.items() if v is not None}
