"""The budget data model: funders and their yearly budgets, a case's budget lines and payments.

Amounts are `Decimal` euros with two decimals (DecimalField(12, 2)), never float. Funders are
organisations, not people: plain. A line's description and a payment's reference may name
people (a flight booking, a bank reference), so they are sealed under the case key. Category,
funder, amounts and dates stay plain: the overview and the funder export aggregate them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from budget.choices import Category, Method, PaymentStatus
from cases.models import Case
from shelter.crypto.fields import EncryptedCharField, EncryptedModel, EncryptedTextField

ZERO = 0


def _money(label) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2,
                               validators=[MinValueValidator(ZERO)])


class Funder(models.Model):
    """Who pays: an organisation. Deactivated when no longer used, never deleted (PROTECT)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=50)

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class FunderBudget(models.Model):
    """What a funder makes available in a calendar year."""

    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="budgets",
                               verbose_name=_("funder"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = _money(_("amount (€)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("yearly budget")
        verbose_name_plural = _("yearly budgets")
        ordering = ["year", "funder__order"]
        constraints = [
            models.UniqueConstraint(fields=["funder", "year"], name="budget_funder_year_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="budget_funderbudget_amount_not_negative"),
        ]


class BudgetLine(EncryptedModel):
    """A planned cost of a residency: category, funder, amount and the day it is planned for
    (which decides the year it counts in)."""

    encryption_key_owner = "case_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="budget_lines",
                             verbose_name=_("case"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="lines",
                               verbose_name=_("funder"))
    planned_amount = _money(_("planned amount (€)"))
    planned_on = models.DateField(_("planned for"),
                                  help_text=_("Decides the year the amount counts in."))
    description = EncryptedTextField(_("description"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["category", "planned_on", "created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(planned_amount__gte=0),
                                              name="budget_line_amount_not_negative")]

    def __str__(self) -> str:
        return str(self.pk)


class Payment(EncryptedModel):
    """A payment of a residency (of a line, where it belongs to one). Actual amounts are the
    paid payments; a cancelled payment stays, as the record of what was planned."""

    encryption_key_owner = "case_id"
    Status = PaymentStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments",
                             verbose_name=_("case"))
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="payments", verbose_name=_("budget line"))
    due_on = models.DateField(_("due on"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    amount = _money(_("amount (€)"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices,
                              default=Method.BANK_TRANSFER)
    reference = EncryptedCharField(_("reference"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=PaymentStatus.choices,
                              default=PaymentStatus.SCHEDULED)
    # Made by the allowance schedule (replaced when the stay moves, while still scheduled).
    allowance = models.BooleanField(_("allowance schedule"), default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["due_on", "created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="budget_payment_amount_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False),
                name="budget_payment_paid_has_date"),
        ]

    def __str__(self) -> str:
        return str(self.pk)
