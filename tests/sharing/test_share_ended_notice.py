"""A partner whose share of a case ended is sent to "Shared with me" and told that a share of
theirs ended, without the case's name; whoever never had a share keeps the plain 404. The
refusal is recorded as before. A partner asking for a case's Sharing section gets the 404 of
every section not shared with them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.sharing.models import CaseShare
from cases.sharing.services import share_revoke
from shelter.audit import Action
from tests.factories import make_case, make_share, recorded

NOTICE = "A share you had has ended"


def expire(share) -> None:
    CaseShare.objects.filter(pk=share.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_a_partner_whose_share_ended_is_told_without_the_case(as_user, carla, pia, case,
                                                             audit_since, ending):
    share = make_share(case, carla, user=pia, sections=("basic", "identity"))
    share_revoke(share=share, acting_user=carla, reason="done") if ending == "revoked" \
        else expire(share)
    client = as_user(pia)
    response = client.get(reverse("cases:profile", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:shared_with_me")
    refusals = recorded(audit_since, Action.REFUSED)
    assert [(e.target_id, e.section) for e in refusals] == [(str(case.pk), "basic")]
    page = client.get(response["Location"]).content.decode()
    assert NOTICE in page
    assert case.defender.code_name not in page and str(case.pk) not in page


def test_an_organisations_ended_share_is_no_notice_for_its_members(as_user, carla, pia, ngo,
                                                                    case):
    """Members change: someone who joined (or moved to) the organisation after its share ended
    never held it, and must not learn that the case exists. Only personal shares count."""
    share = make_share(case, carla, organisation=ngo, sections=("basic", "housing"))
    expire(share)
    response = as_user(pia).get(reverse("housing:case", args=[case.pk]))
    assert response.status_code == 404 and NOTICE not in response.content.decode()


def test_a_partner_who_never_had_a_share_keeps_the_plain_404(as_user, carla, pia, paul, case):
    make_share(case, carla, user=pia)
    expire(make_share(make_case(carla, code_name="Ibis"), carla, user=paul))
    response = as_user(paul).get(reverse("cases:profile", args=[case.pk]))
    assert response.status_code == 404 and NOTICE not in response.content.decode()


def test_an_unknown_case_keeps_the_plain_404(as_user, pia):
    import uuid

    response = as_user(pia).get(reverse("cases:profile", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_a_partner_holding_a_share_gets_404_for_an_unshared_section(as_user, carla, pia, case):
    share = make_share(case, carla, user=pia, sections=("basic",))
    expire(make_share(case, carla, user=pia, sections=("basic", "identity")))
    assert share.is_active
    response = as_user(pia).get(reverse("cases:residency", args=[case.pk]))
    assert response.status_code == 404  # a share holds: nothing ended for her


def test_staff_are_never_redirected(as_user, otto, carla, pia, case):
    expire(make_share(case, carla, user=pia))
    response = as_user(otto).get(reverse("cases:sharing", args=[case.pk]))
    assert response.status_code == 403


def test_the_sharing_section_answers_a_partner_404_like_other_unshared_sections(
        as_user, carla, pia, case, audit_since):
    make_share(case, carla, user=pia, sections=("basic",))
    client = as_user(pia)
    for name in ("sharing", "residency", "notes", "history"):
        assert client.get(reverse(f"cases:{name}", args=[case.pk])).status_code == 404, name
    assert client.post(reverse("cases:sharing", args=[case.pk]), {}).status_code == 404
    assert [e.section for e in recorded(audit_since, Action.REFUSED)][:1] == ["sharing"]


def test_an_officer_on_another_officers_case_still_gets_403(as_user, otto, case):
    assert as_user(otto).get(reverse("cases:sharing", args=[case.pk])).status_code == 403


def test_only_case_routes_tell_a_share_ended(as_user, carla, pia, case):
    expire(make_share(case, carla, user=pia))
    # a housing unit's route with the case's id as its own: not a case route, plain 404
    response = as_user(pia).get(reverse("housing:unit", args=[case.pk]))
    assert response.status_code == 404
