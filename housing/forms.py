"""Forms of the housing pages. They validate and shape values for services; they never write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from housing.models import Accessibility, Amenity, Block, Booking, Unit
from housing.selectors import MAX_BUFFER_DAYS
from shelter.forms import DateInput, ModelValuesForm, editable_field_names


def _date(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), help_text=help_text)


class PeriodForm(forms.Form):
    """A half-open period: nights from `start` up to the day before `end`."""

    start = _date(_("From"))
    end = _date(_("Until"), _("The first day not included (the departure day)."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must be after the start."))
        return cleaned


class BlockForm(PeriodForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=Block.Reason.choices)


class StayForm(forms.Form):
    """Arrival and departure of a booking (departure = the day the unit is left)."""

    start = _date(_("Arrival"))
    end = _date(_("Departure"), _("The day the defender leaves; that night is not booked."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The departure must be after the arrival."))
        return cleaned


class BookingForm(StayForm):
    """Book a unit for a case."""

    field_order = ["unit", "start", "end", "status", "reason", "note"]
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=[
        (Booking.Status.TENTATIVE, Booking.Status.TENTATIVE.label),
        (Booking.Status.CONFIRMED, Booking.Status.CONFIRMED.label)])
    reason = forms.ChoiceField(label=_("Reason"), choices=Booking.Reason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Stored encrypted with the case."))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class FindForm(forms.Form):
    """Dates and needs to look for a free unit."""

    start = _date(_("Arrival"))
    end = _date(_("Departure"))
    people = forms.IntegerField(label=_("Number of occupants"), min_value=1, max_value=20,
                                initial=1)
    needs = forms.MultipleChoiceField(label=_("Accessibility needs"), required=False,
                                      choices=Accessibility.choices,
                                      widget=forms.CheckboxSelectMultiple)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and not start < end <= start + datetime.timedelta(days=400):
            self.add_error("end", _("The departure must be after the arrival (at most 400 "
                                    "days)."))
        return cleaned


class AddressField(forms.CharField):
    """An address or a contact: at most 1,000 characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**kwargs, "max_length": 1000})


class UnitForm(ModelValuesForm):
    """A unit's details (the fields of `Unit`); address, host contact and notes are sealed by
    the model. The form adds its limits: capacity, buffer, and the length of an address."""

    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, max_value=20)
    turnover_buffer_days = forms.IntegerField(
        label=_("Turnover buffer (days)"), min_value=0,
        validators=[MaxValueValidator(MAX_BUFFER_DAYS)],
        help_text=_("Days kept free after each departure (cleaning, handover)."))
    accessibility = forms.MultipleChoiceField(
        label=_("Accessibility"), required=False, choices=Accessibility.choices,
        widget=forms.CheckboxSelectMultiple)
    amenities = forms.MultipleChoiceField(label=_("Amenities"), required=False,
                                          choices=Amenity.choices,
                                          widget=forms.CheckboxSelectMultiple)

    class Meta(ModelValuesForm.Meta):
        model = Unit
        fields = editable_field_names(Unit)
        labels = {"is_active": _("In use")}
        widgets = {"host_contact": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"address": AddressField, "host_contact": AddressField}

    def __init__(self, *args: Any, unit: Unit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        if "address" not in self.withheld:  # the column may be empty, a unit's address not
            self.fields["address"].required = True

    def clean_code_name(self) -> str:
        code_name = self.cleaned_data["code_name"].strip()
        others = Unit.objects.filter(code_name__iexact=code_name)
        if self.unit is not None:
            others = others.exclude(pk=self.unit.pk)
        if others.exists():
            raise forms.ValidationError(_("Another unit has this code name."))
        return code_name

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        if self.unit is not None:  # only what changed: unchanged sealed values stay as they are
            values = {k: v for k, v in values.items() if getattr(self.unit, k) != v}
        return values
