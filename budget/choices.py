"""The budget's constants: categories, payment methods and statuses, the funders made by the
data migration. A leaf module: it imports nothing from the app, so every other module may."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")


def cents(value: Decimal | int) -> Decimal:
    """`value` in euros rounded to cents, half up (never banker's rounding, never float)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Category(models.TextChoices):
    ALLOWANCE = "allowance", _("Allowance")
    TRAVEL = "travel", _("Travel")
    VISA_PASSPORT = "visa_passport", _("Visa and passport")
    INSURANCE = "insurance", _("Insurance")
    HOUSING = "housing", _("Housing")
    PROGRAMME = "programme", _("Programme")
    MEDICAL = "medical", _("Medical")
    OTHER = "other", _("Other")


class Method(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    OTHER = "other", _("Other")


class PaymentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


# The programme's funders (code, name, order), created by migration 0002.
DEFAULT_FUNDERS = (
    ("municipality", "Municipality", 10),
    ("national_coordinator", "Justice & Peace Netherlands (national coordinator)", 20),
    ("ministry_foreign_affairs", "Ministry of Foreign Affairs", 30),
    ("protectdefenders", "ProtectDefenders.eu", 40),
    ("other", "Other", 90),
)
