"""Forms of a case's logistics: fields from the models (labels, help, lengths, choices), with
the checks a person can fix on the page (dates in order, IATA codes, money in cents). They
validate and shape values for `cases.logistics.services`; they never write."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import CountryChoiceField, TimeInput
from cases.logistics.models import Companion, TravelDocuments, TravelLeg
from shelter.forms import Fieldsets, ModelValuesForm

IATA = re.compile(r"^[A-Z]{3}$")
CENT = Decimal("0.01")


def _order(form: forms.Form, cleaned: dict[str, Any], first: str, second: str,
           message: Any) -> None:
    start, end = cleaned.get(first), cleaned.get(second)
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
        form.add_error(second, message)


def companion_label(companion: Companion) -> str:
    """"Accompanying person 1 (child)": what anyone who sees the logistics may read."""
    return str(_("Accompanying person %(number)d (%(relationship)s)") % {
        "number": companion.number, "relationship": companion.get_relationship_display()})


class PassportVisaForm(Fieldsets, ModelValuesForm):
    """A traveller's passport (country and dates; the defender's number is on their identity)
    and visa."""

    fieldsets = [
        (_("Passport"), ["passport_country", "passport_issued_on", "passport_expires_on"]),
        (_("Visa"), ["visa_type", "visa_applied_on", "visa_appointment_on",
                     "visa_appointment_at", "visa_decision", "visa_decided_on",
                     "visa_valid_from", "visa_valid_until", "visa_entries"]),
    ]
    passport_country = CountryChoiceField(label=_("Passport issued by"), required=False)
    visa_appointment_at = forms.TimeField(label=_("Visa appointment at"), required=False,
                                          widget=TimeInput())

    class Meta(ModelValuesForm.Meta):
        model = TravelDocuments
        fields = ["passport_country", "passport_issued_on", "passport_expires_on", "visa_type",
                  "visa_applied_on", "visa_appointment_on", "visa_appointment_at",
                  "visa_decision", "visa_decided_on", "visa_valid_from", "visa_valid_until",
                  "visa_entries"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _order(self, cleaned, "passport_issued_on", "passport_expires_on",
               _("The passport must expire after it was issued."))
        _order(self, cleaned, "visa_valid_from", "visa_valid_until",
               _("The visa must be valid until a day after it is valid from."))
        if cleaned.get("visa_decision") == "granted":
            for name in ("visa_valid_from", "visa_valid_until"):
                if not cleaned.get(name) and name not in self.withheld:
                    self.add_error(name, _("A granted visa has a period of validity."))
        if cleaned.get("visa_type") == "none" and cleaned.get("visa_decision"):
            self.add_error("visa_decision", _("No visa is needed: leave the decision empty."))
        return cleaned

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        if "visa_appointment_at" in values:
            at = values["visa_appointment_at"]
            values["visa_appointment_at"] = at.strftime("%H:%M") if at else None
        return values


class InsuranceForm(Fieldsets, ModelValuesForm):
    """A traveller's insurance: provider, policy number (sealed) and the cover."""

    class Meta(ModelValuesForm.Meta):
        model = TravelDocuments
        fields = ["insurance_provider", "insurance_policy_number", "insurance_from",
                  "insurance_until"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _order(self, cleaned, "insurance_from", "insurance_until",
               _("The cover must end after it begins."))
        return cleaned


class TravellerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return companion_label(obj)


class LegForm(ModelValuesForm):
    """One travel leg. Route codes are IATA city or airport codes (three letters, stored
    upper-case); the cost is in euros, rounded half up to the cent."""

    companion = TravellerChoiceField(label=_("Traveller"), queryset=Companion.objects.none(),
                                     required=False, empty_label=_("The defender"))

    class Meta(ModelValuesForm.Meta):
        model = TravelLeg
        fields = ["companion", "direction", "travel_on", "origin", "destination", "carrier",
                  "booking_reference", "status", "cost"]

    def __init__(self, *args: Any, companions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if companions is not None:
            self.fields["companion"].queryset = companions
        for name in ("origin", "destination"):
            self.fields[name].required = True
        self.fields["cost"].widget.attrs.setdefault("inputmode", "decimal")

    def _iata(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip().upper()
        if not IATA.match(value):
            raise forms.ValidationError(_("Give a three-letter IATA code, e.g. AMS."))
        return value

    def clean_origin(self) -> str:
        return self._iata("origin")

    def clean_destination(self) -> str:
        return self._iata("destination")

    def clean_cost(self) -> Decimal | None:
        cost = self.cleaned_data.get("cost")
        if cost is None:
            return None
        if cost < 0:
            raise forms.ValidationError(_("A cost cannot be negative."))
        return cost.quantize(CENT, rounding=ROUND_HALF_UP)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("origin") and cleaned.get("origin") == cleaned.get("destination"):
            self.add_error("destination", _("The journey must go somewhere else."))
        return cleaned


class CompanionForm(Fieldsets, ModelValuesForm):
    """An accompanying person: relationship and identity (all but the relationship sealed)."""

    nationality = CountryChoiceField(label=_("Nationality"), required=False)

    class Meta(ModelValuesForm.Meta):
        model = Companion
        fields = ["relationship", "legal_name", "date_of_birth", "nationality",
                  "passport_number"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "legal_name" not in self.withheld:
            self.fields["legal_name"].required = True

    def clean_date_of_birth(self) -> datetime.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if isinstance(born, datetime.date) and born >= timezone.localdate():
            raise forms.ValidationError(_("The date of birth must be in the past."))
        return born
