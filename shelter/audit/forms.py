"""The auditors' filter form (GET only)."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shelter.accounts.methods import Method
from shelter.accounts.models import Organisation, User
from shelter.audit import labels, selectors
from shelter.audit.actions import Action, Outcome
from shelter.forms import DateInput, Listed, QuickSelect

# A code name's prefix may match several cases; more than this asks for a longer prefix.
MAX_CASES = 50
FACT_CASES = 10


class _SharedChoices:
    """For a choice field whose choices are constants of this module (actions, outcomes,
    methods): every form instance shares them. Django's ChoiceField deep-copies its choices
    into each form, a hundred (value, lazy label) pairs for the actions alone; nothing here
    changes a field's choices (the form sets its widgets' lists, see `__init__`)."""

    def __deepcopy__(self, memo: dict) -> forms.Field:
        return forms.Field.__deepcopy__(self, memo)


class SharedChoiceField(_SharedChoices, forms.ChoiceField):
    pass


class SharedTypedChoiceField(_SharedChoices, forms.TypedChoiceField):
    pass


class EventFilterForm(forms.Form):
    code_name = forms.RegexField(
        regex=r"^[\w .'\-]{1,80}$", required=False, strip=True, label=_("Case code name"),
        help_text=_("The whole code name or its beginning."),
        error_messages={"invalid": _("A code name has letters, digits, spaces, dots, "
                                     "apostrophes and hyphens only.")})
    # The lists are read once per form (`__init__`), not through the fields' querysets; a
    # submitted id is still checked against the queryset.
    actor = forms.ModelChoiceField(User.objects.all(), required=False, label=_("User"),
                                   widget=QuickSelect)
    organisation = forms.ModelChoiceField(Organisation.objects.all(), required=False,
                                          label=_("Organisation"), widget=QuickSelect)
    target_id = forms.RegexField(regex=r"^[A-Za-z0-9_.:\-]{1,64}$", required=False,
                                 label=_("Case or object id"))
    action = SharedTypedChoiceField(choices=[("", "—"), *Action.choices()], coerce=int,
                                    empty_value=None, required=False, label=_("Action"),
                                    widget=QuickSelect)
    outcome = SharedChoiceField(choices=[("", "—"), *Outcome.choices], required=False,
                                label=_("Outcome"), widget=QuickSelect)
    method = SharedChoiceField(choices=[("", "—"), *Method.choices], required=False,
                               label=_("Sign-in method"), widget=QuickSelect)
    date_from = forms.DateField(required=False, label=_("From"),
                                widget=DateInput())
    date_to = forms.DateField(required=False,
                              label=pgettext_lazy("last day of a period, included", "Until"),
                              widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users, self.user_names = selectors.user_choices_and_names()
        organisations = selectors.organisation_choices()
        # Every organisation is listed: the page names its entries' organisations from here.
        self.organisation_names = dict(organisations)
        for name, choices in (("actor", users), ("organisation", organisations)):
            field = self.fields[name]
            field.widget.choices = Listed([("", field.empty_label), *choices])
        for name, choices in _fixed_choices(get_language()).items():
            self.fields[name].widget.choices = choices

    def clean_code_name(self) -> str:
        code_name = self.cleaned_data.get("code_name", "")
        if not code_name:
            self.cleaned_data["cases"] = None
            return code_name
        cases = labels.find_cases(code_name, MAX_CASES + 1)
        if not cases:
            raise forms.ValidationError(_("No case has this code name, or one starting with it."))
        if len(cases) > MAX_CASES:
            raise forms.ValidationError(_("More than %(n)s cases match: type more of the code "
                                          "name.") % {"n": MAX_CASES})
        self.cleaned_data["cases"] = cases
        return code_name

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
            # The matching cases' ids, not the code name typed (facts hold ids and codes only;
            # at most FACT_CASES of them, to stay within the 1 KiB of facts).
            "cases": data["cases"][:FACT_CASES] if data.get("cases") else None,
            "case_count": len(data["cases"]) if data.get("cases") else None,
            "actor": data["actor"].pk if data.get("actor") else None,
            "organisation": data["organisation"].pk if data.get("organisation") else None,
            "target_id": data.get("target_id") or None,
            "action": data.get("action"),
            "outcome": data.get("outcome") or None,
            "method": data.get("method") or None,
            "date_from": data["date_from"].isoformat() if data.get("date_from") else None,
            "date_to": data["date_to"].isoformat() if data.get("date_to") else None,
        }
        # Prefixed: `actor`, `action` and `outcome` are record()'s own parameters.
        return {f"filter_{k}": v for k, v in facts.items() if v is not None}


@functools.lru_cache(maxsize=8)
def _fixed_choices(language: str | None) -> dict[str, Listed]:
    """The lists that never change (actions, outcomes, sign-in methods) with their labels
    translated into `language`, once per process: a lazy label was translated again for each
    of its hundred options on every page. Django, too, loads a language's catalogue once per
    process. The fields keep their own choices, which validate a submitted value."""
    return {name: Listed([(value, str(label)) for value, label in
                          EventFilterForm.base_fields[name].choices])
            for name in ("action", "outcome", "method")}


class ProcessingLogForm(forms.Form):
    """Whose processing log, and for which period (the end day included)."""

    case = forms.UUIDField(label=_("Case id"),
                           help_text=_("The case's id, as on its page; its defender's log is "
                                       "exported, from all their cases."))
    since = forms.DateField(label=_("From"), required=False,
                            widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False,
                            widget=DateInput)

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end comes before the start."))
        return data
