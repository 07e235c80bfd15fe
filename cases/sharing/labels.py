"""The names of share sections in the active language (forms, the partner's list, the
Sharing section)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cases.models import Document, Note
from shelter.audit import labels as log_labels

SECTION_LABELS = {
    "basic": _("Basic: code name, stage, dates"),
    "identity": _("Identity: legal name, birth date, passport"),
    "contact": _("Contact details"),
    "residency": _("Residency and programme"),
    "logistics": _("Logistics: passport and visa dates, travel, insurance"),
    "budget": _("Budget: planned and actual amounts (no payments)"),
    "housing": _("Housing: unit code and dates"),
    "housing_address": _("Housing address"),
}
CATEGORY_LABELS = {"documents": (_("Documents: %(category)s"), Document.Category),
                   "notes": (_("Notes: %(category)s"), Note.Category)}


def section_label(section: str) -> str:
    """The section's label in the active language (computed per call, not at import)."""
    if section in SECTION_LABELS:
        return str(SECTION_LABELS[section])
    kind, _dot, category = section.partition(".")
    if kind in CATEGORY_LABELS and category in CATEGORY_LABELS[kind][1].values:
        pattern, choices = CATEGORY_LABELS[kind]
        return str(pattern) % {"category": choices(category).label}
    # Any other page section (a whole "documents", "tasks", ...) in the access log's words.
    return log_labels.section_label(section)
