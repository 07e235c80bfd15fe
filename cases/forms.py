"""Forms of the case workspace. They validate and shape values for services; they never write."""

from __future__ import annotations

import copy
import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cases import policies
from cases.choices import REASON_REQUIRED, DocumentCategory, NoteCategory, Stage, allowed_next
from cases.models import Activity, Case, Defender, IntakeRound
from cases.selectors import CASE_SORT_KEYS, intake_round_choices, officer_choices
from shelter.crypto.api import is_withheld
from shelter.forms import (
    DateInput,
    Fieldsets,
    Listed,
    ModelValuesForm,
    QuickSelect,
    editable_field_names,
    required_when,
)


def _text(label: Any, *, max_length: int = 200, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required)


def country_choices() -> list[tuple[str, str]]:
    """Every country by its name in the active language, sorted by that name (django-countries)."""
    return [("", "—"), *((code, name) for code, name in countries)]


class CountryChoiceField(forms.ChoiceField):
    """A country chosen by its name in the page's language; stores the two-letter ISO code."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=country_choices, **kwargs)

    def to_python(self, value: Any) -> str:
        return super().to_python(value).strip().upper()


IDENTITY_FIELDS = ["code_name", "legal_name", "other_names", "date_of_birth", "nationality",
                   "gender", "languages", "passport_number", "country_of_activity",
                   "field_of_work", "organisation", "special_needs"]
CONTACT_FIELDS = ["phone", "email", "messenger", "emergency_contact"]


class DefenderForm(Fieldsets, ModelValuesForm):
    """Identity and contact details of a defender (the fields of `Defender`)."""

    fieldsets = [(_("Defender"), IDENTITY_FIELDS), (_("Contact"), CONTACT_FIELDS)]

    class Meta(ModelValuesForm.Meta):
        model = Defender
        fields = editable_field_names(Defender)
        field_classes = {"email": forms.EmailField}

    country_of_activity = CountryChoiceField(label=_("Country of activity"), required=False,
                                             help_text=_("Used for statistics."))

    def __init__(self, *args: Any, defender: Defender | None = None, **kwargs: Any) -> None:
        self.defender = defender
        super().__init__(*args, **kwargs)
        # The column may be empty (an encrypted field), a defender on record may not.
        if "legal_name" not in self.withheld:
            self.fields["legal_name"].required = True
        stored = str(self.initial.get("country_of_activity") or "")
        if stored and stored not in countries:  # an old code no longer listed: keep it
            self.fields["country_of_activity"].choices = [*country_choices(), (stored, stored)]

    def clean_code_name(self) -> str:
        code_name = self.cleaned_data["code_name"].strip()
        clash = Defender.objects.filter(code_name__iexact=code_name)
        if self.defender is not None:
            clash = clash.exclude(pk=self.defender.pk)
        if code_name and clash.exists():
            raise forms.ValidationError(_("Another defender already has this code name."))
        return code_name

    def clean_date_of_birth(self) -> datetime.date | None:
        born = self.cleaned_data["date_of_birth"]
        if born and not is_withheld(born) and born >= timezone.localdate():
            raise forms.ValidationError(_("The date of birth must be in the past."))
        return born


def _check_dates(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """Field-level errors for dates out of order or in the future."""
    today = timezone.localdate()
    pairs = [
        ("nominated_on", "decided_on", _("The decision cannot be before the nomination.")),
        ("planned_arrival", "planned_departure",
         _("The planned departure must be after the planned arrival.")),
        ("actual_arrival", "actual_departure",
         _("The actual departure must be after the actual arrival.")),
    ]
    for first, second, message in pairs:
        start, end = cleaned.get(first), cleaned.get(second)
        if start and end and end <= start and not (first == "nominated_on" and end == start):
            form.add_error(second, message)
    for name in ("actual_arrival", "actual_departure"):
        if cleaned.get(name) and cleaned[name] > today:
            form.add_error(name, _("An actual date cannot be in the future."))
    if cleaned.get("actual_departure") and not cleaned.get("actual_arrival"):
        form.add_error("actual_departure", _("Record the actual arrival first."))


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


class CaseForm(Fieldsets, ModelValuesForm):
    """The residency section of a case (dates, officer, risk, return and follow-up).

    Visa, travel, insurance and accompanying persons are the logistics now (`cases.logistics`);
    their earlier free text on the case is shown read-only on the logistics page."""

    fieldsets = [
        (_("Residency"), ["nominated_on", "decided_on", "planned_arrival", "planned_departure",
                          "actual_arrival", "actual_departure", "assigned_officer",
                          "intake_round"]),
        (_("Risk"), ["risk_level", "risk_notes"]),
        (_("Return and follow-up"), ["return_plan", "follow_up"]),
    ]

    class Meta(ModelValuesForm.Meta):
        model = Case
        fields = ["nominated_on", "decided_on", "planned_arrival", "planned_departure",
                  "actual_arrival", "actual_departure", "assigned_officer", "intake_round",
                  "risk_level", "risk_notes", "return_plan", "follow_up"]
        field_classes = {"assigned_officer": OfficerChoiceField}

    def __init__(self, *args: Any, officers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "assigned_officer" in self.fields:
            self.fields["assigned_officer"].queryset = officers

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _check_dates(self, cleaned)
        return cleaned


class CaseCreateForm(DefenderForm):
    """A new case: an existing defender, or a new one described in the same form, and the
    first residency details (fields of `CaseForm`)."""

    existing_defender = forms.ModelChoiceField(
        label=_("Existing defender"), queryset=None, required=False,
        help_text=_("Leave empty to register a new defender below."))

    CASE_FIELDS = ("nominated_on", "planned_arrival", "planned_departure", "assigned_officer",
                   "intake_round", "risk_level")
    fieldsets = [
        (_("Defender"), ["existing_defender", *IDENTITY_FIELDS]),
        (_("Contact"), CONTACT_FIELDS),
        (_("Residency"), ["intake_round", "nominated_on", "planned_arrival", "planned_departure",
                          "assigned_officer"]),
        (_("Risk"), ["risk_level"]),
    ]

    def __init__(self, *args: Any, defenders: Any = None, officers: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update({name: copy.deepcopy(CaseForm.base_fields[name])
                            for name in self.CASE_FIELDS})
        self.fields["existing_defender"].queryset = defenders
        self.fields["assigned_officer"].queryset = officers
        # Required unless an existing defender is chosen (checked in `clean`).
        for name in ("code_name", "legal_name"):
            required_when(self.fields[name], _("required for a new defender"))
        self.order_fields(["existing_defender", *DefenderForm.base_fields, *self.CASE_FIELDS])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("existing_defender"):
            for name in ("code_name", "legal_name"):
                if not cleaned.get(name):
                    self.add_error(name, _("Required for a new defender."))
        _check_dates(self, cleaned)
        return cleaned

    def defender_values(self) -> dict[str, Any]:
        return self.service_values()

    def case_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.CASE_FIELDS}


class TransitionForm(forms.Form):
    """Move a case to one of the stages that may follow its current one."""

    to = forms.ChoiceField(label=_("New stage"))
    reason = forms.CharField(
        label=_("Reason or decision note"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for acceptance, rejection and withdrawal."))

    def __init__(self, *args: Any, case: Case, may_override: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, Stage(s).label) for s in allowed_next(case.stage)]
        required_when(self.fields["reason"], _("required for a decision"))
        if may_override:  # coordinators: pass failed checks that may be overridden
            self.fields["override"] = forms.BooleanField(
                label=_("Override the failed checks"), required=False,
                help_text=_("Only the passport, visa, insurance and flight checks can be "
                            "overridden. The override is recorded."))
            self.fields["override_reason"] = forms.CharField(
                label=_("Reason for overriding the checks"), required=False, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}))
            required_when(self.fields["override_reason"], _("required for an override"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        to = cleaned.get("to")
        if to in REASON_REQUIRED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for this decision."))
        if cleaned.get("override") and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Give the reason for overriding the checks."))
        return cleaned


class NoteForm(forms.Form):
    """A new note; restricted categories are offered only to those who may read them."""

    category = forms.ChoiceField(label=_("Category"))
    body = forms.CharField(label=_("Note"), max_length=20000, widget=forms.Textarea)

    def __init__(self, *args: Any, user: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (value, label) for value, label in NoteCategory.choices
            if policies.can_view_note_category(user, case, value)
            and policies.can_contribute(user, case, f"notes.{value}")]


class DocumentUploadForm(forms.Form):
    """A file for the case; it arrives already encrypted (EncryptingUploadHandler)."""

    file = forms.FileField(label=_("File"))
    category = forms.ChoiceField(label=_("Category"), choices=DocumentCategory.choices)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not hasattr(upload, "commit"):
            raise forms.ValidationError(_("The file could not be stored safely; try again."))
        return upload


class DocumentReplaceForm(forms.Form):
    """A new version of a document."""

    file = forms.FileField(label=_("New version"))
    clean_file = DocumentUploadForm.clean_file


class DocumentDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason for deletion"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CaseSearchForm(forms.Form):
    query = forms.CharField(
        label=_("Name, passport number or code name"), max_length=200,
        help_text=_("Whole names: “Amina” finds Amina Wanjiru, “Ami” does not. "
                    "A code name is found by its beginning. Capitals and accents do not matter."))


class CountryNameField(forms.CharField):
    """A country typed by its name in the page's language, in English, or by its ISO code
    ("Kenia", "Kenya", "KE"); cleans to the two-letter code. Anything else is an error."""

    default_error_messages = {
        "unknown": _("Unknown country: use its name, e.g. “Kenya”, or its two-letter "
                     "code, e.g. KE."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=100, **kwargs)

    def clean(self, value: Any) -> str:
        text = " ".join(str(super().clean(value) or "").split())
        if not text:
            return ""
        code = (countries.by_name(text, language=get_language() or "en")
                or countries.by_name(text, language="en"))
        if not code and len(text) == 2 and text.upper() in countries:
            code = text.upper()
        if not code:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return code


class CaseFilterForm(forms.Form):
    """The case list's filters and sort order. A GET form: the filtered list is an address
    that can be bookmarked, so it takes plain statistics fields only, never a name."""

    # Python-rendered selects over lists read once (QuickSelect): the submitted id is still
    # checked against the field's queryset.
    stage = forms.ChoiceField(label=_("Stage"), required=False, widget=QuickSelect,
                              choices=[("", _("All stages")), *Stage.choices])
    officer = OfficerChoiceField(label=_("Officer"), queryset=None, required=False,
                                 empty_label=_("All officers"), widget=QuickSelect)
    intake_round = forms.ModelChoiceField(label=_("Intake round"), required=False,
                                          queryset=IntakeRound.objects.all(),
                                          empty_label=_("All rounds"), widget=QuickSelect)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    country = CountryNameField(label=_("Country of activity"), required=False,
                               help_text=_("Its name or its two-letter code."))
    sort = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args: Any, officers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        for name, choices in (("officer", officer_choices()),
                              ("intake_round", intake_round_choices())):
            field = self.fields[name]
            field.widget.choices = Listed([("", field.empty_label), *choices])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("sort") and cleaned["sort"].lstrip("-") not in CASE_SORT_KEYS:
            self.add_error(None, _("This list cannot be sorted that way."))
        return cleaned


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class ActivityForm(ModelValuesForm):
    """One programme activity (the fields of `Activity`); times, title and place are stored
    encrypted. The times are sealed as "HH:MM" text: the form reads them as times."""

    starts = forms.TimeField(label=_("Starts"), widget=TimeInput())
    ends = forms.TimeField(label=_("Ends"), widget=TimeInput(), required=False)

    class Meta(ModelValuesForm.Meta):
        model = Activity
        fields = ["day", "starts", "ends", "kind", "title", "place", "details"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = True  # the column may be empty, an activity's title not

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", _("The end must be after the start."))
        return cleaned

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        for name in ("starts", "ends"):
            values[name] = values[name].strftime("%H:%M") if values[name] else None
        return values


class AgendaForm(forms.Form):
    """The agenda's "go to a date": a day typed the page's way (the links carry ISO dates,
    which are accepted too) and two weeks or the whole month."""

    view = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("weeks", _("Two weeks")), ("month", _("The whole month"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.DateField(label=_("Go to a date"), required=False,
                                              widget=DateInput())
        self.order_fields(["from", "view"])

    def clean_from(self) -> datetime.date | None:
        day = self.cleaned_data.get("from")
        if day is not None and not 1900 <= day.year <= 2200:
            raise forms.ValidationError(_("Choose a date between 1900 and 2200."))
        return day


class TaskForm(forms.Form):
    """An officer's own task, or another due date and owner for any task. The title is the
    officer's own words (sealed with the case's key); owners are the staff who may work on the
    case (`owners`, from `selectors.officers`)."""

    title = forms.CharField(label=_("Task"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())
    owner = OfficerChoiceField(label=_("Owner"), queryset=None, required=False,
                               empty_label=_("Nobody yet"))

    def __init__(self, *args: Any, owners: Any, with_title: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = owners  # what a submitted owner is checked against
        # The list shown: (id, name) pairs read once, not a model instance per officer.
        owner.widget.choices = [("", owner.empty_label), *officer_choices()]
        if not with_title:  # a generated task's title is its stage's, not to be rewritten
            del self.fields["title"]

    def clean_due_on(self) -> datetime.date | None:
        due = self.cleaned_data.get("due_on")
        if due and due < timezone.localdate() and due != self.initial.get("due_on"):
            raise forms.ValidationError(_("A due date cannot be in the past."))
        return due

    def service_values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class IntakeRoundForm(ModelValuesForm):
    """A call for nominations (the fields of `IntakeRound`); its name must be unique and its
    dates in order."""

    places = forms.IntegerField(label=_("Places"), min_value=0, max_value=500, initial=0)

    class Meta(ModelValuesForm.Meta):
        model = IntakeRound
        fields = editable_field_names(IntakeRound)

    def __init__(self, *args: Any, intake_round: IntakeRound | None = None,
                 **kwargs: Any) -> None:
        self.intake_round = intake_round
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = IntakeRound.objects.filter(name__iexact=name)
        if self.intake_round is not None:
            clash = clash.exclude(pk=self.intake_round.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another intake round has this name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        opens, closes, decision = (cleaned.get(k) for k in ("opens_on", "closes_on",
                                                            "decision_on"))
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("A round cannot close before it opens."))
        if closes and decision and decision < closes:
            self.add_error("decision_on", _("The committee decides after the round closes."))
        return cleaned


class LegalHoldForm(forms.Form):
    """Place a legal hold: why (sealed with the case key; never in the access log)."""

    reason = forms.CharField(
        label=_("Reason for the hold"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the proceedings or request that needs the file kept. Stored "
                    "encrypted with the case; only coordinators read it."))

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the hold."))
        return reason
