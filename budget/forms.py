"""Forms of the budget pages. They validate and shape values for the services; never write.

Amounts are typed in the page's language ("12,50" on the Dutch page), at most two decimals,
never negative: anything else is a form error and nothing changes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from budget.choices import PaymentStatus
from budget.models import BudgetLine, Funder, Payment
from shelter.forms import ModelValuesForm, required_when


def money(label: Any, **kwargs: Any) -> forms.DecimalField:
    """An amount in euros: 0 or more, at most two decimals, typed in the page's language."""
    return forms.DecimalField(label=label, min_value=Decimal("0"), max_digits=12,
                              decimal_places=2, localize=True, **kwargs)


class LineForm(ModelValuesForm):
    """A budget line: category, funder, planned amount, the day it is planned for."""

    planned_amount = money(_("Planned amount (€)"))

    class Meta(ModelValuesForm.Meta):
        model = BudgetLine
        fields = ["category", "funder", "planned_amount", "planned_on", "description"]

    def __init__(self, *args: Any, funders: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders


class PaymentForm(ModelValuesForm):
    """A payment: what, when, how; a paid one needs the day it was paid."""

    amount = money(_("Amount (€)"))
    status = forms.ChoiceField(label=_("Status"), choices=[
        (PaymentStatus.SCHEDULED, PaymentStatus.SCHEDULED.label),
        (PaymentStatus.PAID, PaymentStatus.PAID.label)])

    class Meta(ModelValuesForm.Meta):
        model = Payment
        fields = ["line", "due_on", "amount", "status", "paid_on", "method", "reference"]

    def __init__(self, *args: Any, lines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        self.fields["line"].label_from_instance = lambda line: (
            f"{line.get_category_display()} · {line.funder.name}")
        required_when(self.fields["paid_on"], _("required when paid"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status") == PaymentStatus.PAID and not cleaned.get("paid_on"):
            self.add_error("paid_on", _("Enter the day it was paid."))
        return cleaned


class AllowanceForm(forms.Form):
    """Generate the monthly allowance from the stay's dates."""

    rate = money(_("Monthly allowance (€)"),
                 help_text=_("A month partly in the stay is paid for its days."))
    funder = forms.ModelChoiceField(label=_("Funder"), queryset=Funder.objects.none())

    def __init__(self, *args: Any, funders: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("rate", Decimal(settings.SHELTER_MONTHLY_ALLOWANCE))
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders


class FunderForm(ModelValuesForm):
    """A funder: an organisation. One in use is deactivated, never deleted."""

    class Meta(ModelValuesForm.Meta):
        model = Funder
        fields = ["code", "name", "active", "order"]

    def __init__(self, *args: Any, funder: Funder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.funder = funder

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        others = Funder.objects.filter(code=code)
        if self.funder is not None:
            others = others.exclude(pk=self.funder.pk)
        if others.exists():
            raise forms.ValidationError(_("Another funder has this code."))
        return code


class FunderBudgetForm(forms.Form):
    """A funder's budget for a year (empty: no budget set)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = money(_("Budget (€)"), required=False,
                   help_text=_("Leave empty to remove the budget of this year."))


class YearForm(forms.Form):
    """The overview's and the export's filters: a year and, optionally, an intake round."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    round = forms.ModelChoiceField(label=_("Intake round"), required=False,
                                   queryset=None, empty_label=_("All rounds"))

    def __init__(self, *args: Any, rounds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds

    def chosen(self) -> tuple[int, Any]:
        """(year, round or None): this year when the filters are missing or invalid."""
        today = datetime.date.today().year
        if not self.is_valid():
            return today, None
        return self.cleaned_data.get("year") or today, self.cleaned_data.get("round")
