"""Each field is declared once, on its model: the forms, the services and the subject-access
export take their fields from it."""

from __future__ import annotations

import pytest
from django import forms
from django.utils.text import capfirst

from cases import services, subject_access
from cases.forms import ActivityForm, CaseForm, DefenderForm, IntakeRoundForm
from cases.models import Activity, Case, Defender, IntakeRound
from housing import services as housing_services
from housing.forms import UnitForm
from housing.models import Unit
from tests.factories import make_case


@pytest.mark.parametrize(("form", "accepted"), [
    (DefenderForm, services.DEFENDER_FIELDS),
    (IntakeRoundForm, services.ROUND_FIELDS),
    (ActivityForm, services.ACTIVITY_FIELDS),
    (UnitForm, housing_services.UNIT_FIELDS),
])
def test_a_form_offers_exactly_what_its_service_accepts(form, accepted):
    assert set(form.base_fields) == accepted


def test_the_residency_form_covers_every_case_field_the_service_accepts():
    offered = set(CaseForm.base_fields)
    # The residency's earlier free text is shown read-only on the logistics page.
    for name in services.CASE_FIELDS - services.LEGACY_LOGISTICS_FIELDS:
        assert name in offered, name
    assert not services.LEGACY_LOGISTICS_FIELDS & offered


@pytest.mark.parametrize(("form", "model"), [
    (DefenderForm, Defender), (CaseForm, Case), (UnitForm, Unit), (ActivityForm, Activity),
    (IntakeRoundForm, IntakeRound)])
def test_labels_come_from_the_model_unless_the_form_words_them_itself(form, model):
    declared = set(form.declared_fields) | set(getattr(form.Meta, "labels", {}))
    for name, field in form.base_fields.items():
        if name not in declared:
            assert field.label == capfirst(model._meta.get_field(name).verbose_name), name


def test_free_text_and_dates_follow_the_house_conventions():
    other_names = DefenderForm.base_fields["other_names"]
    assert isinstance(other_names.widget, forms.Textarea)
    assert (other_names.widget.attrs["rows"], other_names.max_length) == (3, 5000)
    assert DefenderForm.base_fields["date_of_birth"].widget.input_type == "text"  # page language
    assert DefenderForm.base_fields["field_of_work"].choices[0] == ("", "—")


def test_the_export_holds_every_value_field_of_the_defender_and_the_case():
    assert set(subject_access.exported_fields(Defender)) == {
        *services.DEFENDER_FIELDS, "created_at", "updated_at"}
    assert set(subject_access.exported_fields(Case)) == {
        *(services.CASE_FIELDS - {"assigned_officer", "intake_round"}), "stage",
        "created_at", "updated_at"}


def test_an_invalid_form_leaves_the_stored_defender_as_it_was(db, carla):
    defender = make_case(carla).defender
    form = DefenderForm({"code_name": "Renamed", "legal_name": "", "email": "not-an-address"},
                        defender=defender, initial=DefenderForm.initial_for(defender))
    assert not form.is_valid()
    assert defender.code_name == "Heron" and defender.legal_name == "Ana María Pérez"
