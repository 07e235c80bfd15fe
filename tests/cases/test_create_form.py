"""The new-case form tells the truth about what it needs, groups its 23 fields in fieldsets,
and answers an invalid POST with an error summary linking to each field in error."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases.models import Case, Defender

pytestmark = pytest.mark.django_db


def label_of(html: str, field_id: str) -> str:
    match = re.search(rf'<label class="field__label" for="{field_id}">(.*?)</label>', html, re.S)
    assert match, f"no label for {field_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_required_fields_are_not_called_optional(as_user, olaf):
    html = as_user(olaf).get(reverse("cases:create")).content.decode()
    assert label_of(html, "id_code_name") == "Code name (required for a new defender)"
    assert label_of(html, "id_legal_name") == "Legal name (required for a new defender)"
    assert label_of(html, "id_risk_level") == "Risk level"  # required: no marker
    for optional in ("id_phone", "id_nationality", "id_planned_arrival", "id_existing_defender"):
        assert label_of(html, optional).endswith("(optional)"), optional


def test_the_form_is_split_into_fieldsets_with_legends(as_user, olaf):
    html = as_user(olaf).get(reverse("cases:create")).content.decode()
    legends = re.findall(r'<legend class="form-section__legend">(.*?)</legend>', html)
    assert legends == ["Defender", "Contact", "Residency", "Risk"]
    sections = html.split('<legend class="form-section__legend">')
    assert 'id="id_legal_name"' in sections[1] and 'id="id_email"' in sections[2]
    assert 'id="id_planned_arrival"' in sections[3] and 'id="id_risk_level"' in sections[4]


def test_an_invalid_post_shows_a_summary_linking_to_the_fields(as_user, olaf):
    response = as_user(olaf).post(reverse("cases:create"), {
        "risk_level": "low", "email": "not an address"})
    assert response.status_code == 400
    assert not Case.objects.exists() and not Defender.objects.exists()
    html = response.content.decode()
    start = html.index('<div class="error-summary" role="alert"')
    summary = html[start:html.index("</ul>", start)]
    assert "There is a problem" in summary
    links = re.findall(r'<a href="#(id_\w+)">', summary)
    assert links == ["id_code_name", "id_legal_name", "id_email"]
    # Each input in error says so and points at its message (and help text, if any).
    code_input = re.search(r"<input[^>]*id=\"id_code_name\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in code_input and 'aria-describedby="id_code_name_error"' in \
        code_input
    assert html.count('id="id_code_name_error"') == 1
    phone_input = re.search(r"<input[^>]*id=\"id_phone\"[^>]*>", html).group(0)
    assert "aria-invalid" not in phone_input


def test_an_existing_defender_needs_no_new_names(as_user, olaf, case):
    response = as_user(olaf).post(reverse("cases:create"), {
        "existing_defender": case.defender.pk, "risk_level": "low"})
    assert response.status_code == 302 and case.defender.cases.count() == 2


def test_the_dutch_form_says_verplicht_not_optioneel(as_user, olaf):
    client = as_user(olaf)
    client.cookies["django_language"] = "nl"
    html = client.get(reverse("cases:create"), headers={"accept-language": "nl"}).content.decode()
    assert label_of(html, "id_code_name") == "Codenaam (verplicht voor een nieuwe verdediger)"
    assert "(optioneel)" in label_of(html, "id_phone")
    response = client.post(reverse("cases:create"), {"risk_level": "low"},
                           headers={"accept-language": "nl"})
    assert "Er is een probleem" in response.content.decode()


def test_the_residency_edit_form_has_fieldsets(as_user, olaf, case):
    html = as_user(olaf).get(reverse("cases:case_edit", args=[case.pk])).content.decode()
    legends = re.findall(r'<legend class="form-section__legend">(.*?)</legend>', html)
    assert legends == ["Residency", "Risk", "Return and follow-up"]
    response = as_user(olaf).post(reverse("cases:case_edit", args=[case.pk]), {
        "risk_level": "low", "planned_arrival": "2026-05-01", "planned_departure": "2026-04-01"})
    assert response.status_code == 400
    assert '<a href="#id_planned_departure">' in response.content.decode()
    case.refresh_from_db()
    assert str(case.planned_departure) != "2026-04-01"


def test_the_identity_edit_form_has_fieldsets(as_user, olaf, case):
    html = as_user(olaf).get(reverse("cases:defender_edit", args=[case.pk])).content.decode()
    legends = re.findall(r'<legend class="form-section__legend">(.*?)</legend>', html)
    assert legends == ["Defender", "Contact"]
    assert label_of(html, "id_legal_name") == "Legal name"  # required here
