from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shelter.register.models import ActivityVersion


class VersionForm(forms.ModelForm):
    """A new version of an activity: every field, prefilled with the version in force."""

    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    change_note = forms.CharField(
        label=_("Reason for the change"), max_length=300,
        help_text=_("Kept with the version, e.g. “New partner agreement with the university”."))

    class Meta:
        model = ActivityVersion
        fields = list(ActivityVersion.TEXT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 3})
                   for name in ActivityVersion.TEXT_FIELDS if name != "name"}

    def clean(self) -> dict:
        data = super().clean()
        for name in ActivityVersion.TEXT_FIELDS:
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        return data
