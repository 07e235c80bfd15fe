"""share_grant / share_revoke / expire_shares: guardian rows, validity at query time, audit."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import remove_perm

from cases import policies, selectors
from cases.selectors import visible_cases
from cases.sharing import grants
from cases.sharing import policies as sharing_policies
from cases.sharing.models import CaseGroupObjectPermission, CaseShare, CaseUserObjectPermission
from cases.sharing.services import ShareError, share_grant, share_revoke
from shelter.accounts.models import User
from shelter.audit import Action
from tests.factories import make_case, make_share, recorded


def test_a_share_writes_one_audit_event_without_the_reason(carla, pia, case, audit_since):
    share = make_share(case, carla, user=pia, sections=["identity"])
    events = recorded(audit_since, Action.SHARE_GRANT)
    assert len(events) == 1 and events[0].case_id == str(case.pk)
    assert events[0].facts["sections"] == ["basic", "identity"]
    assert "Psychological" not in str(events[0].facts)
    assert CaseShare.objects.get().reason == "Psychological support"
    assert share.sections == ["basic", "identity"]


def test_a_share_is_a_guardian_permission_in_the_direct_table(carla, pia, case):
    make_share(case, carla, user=pia, mode="contribute")
    perms = set(CaseUserObjectPermission.objects.filter(user=pia, content_object=case)
                .values_list("permission__codename", flat=True))
    assert perms == {"view_case", "contribute_case"}


def test_an_expired_share_grants_nothing_even_if_no_job_ran(carla, pia, case):
    share = make_share(case, carla, user=pia)
    assert list(visible_cases(pia)) == [case]
    CaseShare.objects.filter(pk=share.pk).update(expires_at=timezone.now()
                                                 - datetime.timedelta(seconds=1))
    pia.refresh_from_db()
    assert CaseUserObjectPermission.objects.filter(user=pia).exists()  # still there
    assert not visible_cases(pia).exists()
    assert not policies.can_view_case(type(pia).objects.get(pk=pia.pk), case)


def test_revoking_takes_effect_on_the_next_request(as_user, carla, pia, case, audit_since):
    share = make_share(case, carla, user=pia)
    client = as_user(pia)
    url = reverse("cases:profile", args=[case.pk])
    assert client.get(url).status_code == 200
    share_revoke(share=share, acting_user=carla, reason="Done")
    response = client.get(url)  # refused; she is told on "Shared with me" that a share ended
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:shared_with_me")
    assert [e.section for e in recorded(audit_since, Action.REFUSED)] == ["basic"]
    assert not CaseUserObjectPermission.objects.filter(user=pia).exists()
    assert len(recorded(audit_since, Action.SHARE_REVOKE)) == 1


def test_expire_shares_removes_stale_permissions_and_records_them(carla, pia, case,
                                                                  audit_since, capsys):
    share = make_share(case, carla, user=pia)
    CaseShare.objects.filter(pk=share.pk).update(expires_at=timezone.now()
                                                 - datetime.timedelta(minutes=1))
    call_command("expire_shares")
    assert str(share.pk) in capsys.readouterr().out
    assert not CaseUserObjectPermission.objects.exists()
    assert [e.target_id for e in recorded(audit_since, Action.SHARE_EXPIRE)] == [str(share.pk)]
    call_command("expire_shares")
    assert len(recorded(audit_since, Action.SHARE_EXPIRE)) == 1


def test_an_organisation_share_reaches_every_member_through_its_group(carla, pia, ngo, case,
                                                                      paul, university):
    from tests.factories import make_user

    colleague = make_user("pim@example.org", "Partner", ngo)
    make_share(case, carla, organisation=ngo, sections=["basic", "identity"])
    assert CaseGroupObjectPermission.objects.filter(content_object=case).count() == 1
    later = make_user("pam@example.org", "Partner", ngo)  # joins after the share
    for member in (pia, colleague, later):
        assert list(visible_cases(member)) == [case]
    assert not visible_cases(paul).exists()
    later.organisation = university  # moves: loses the old organisation's shares at once
    later.save()
    assert not visible_cases(later).exists()


@pytest.mark.parametrize("days", [-1, 181])
def test_a_share_must_end_within_the_maximum(carla, pia, case, days):
    with pytest.raises(ShareError):
        make_share(case, carla, user=pia, days=days)


def test_only_a_coordinator_may_share_without_consent(carla, olaf, pia, case, audit_since):
    with pytest.raises(ShareError):
        make_share(case, olaf, user=pia, consent=False)
    share = make_share(case, carla, user=pia, consent=False)
    assert share.is_override and share.override_reason == "Urgent medical need"
    assert recorded(audit_since, Action.SHARE_GRANT)[-1].facts["override"] is True


def test_shares_only_with_partners(carla, otto, municipality, case):
    with pytest.raises(ShareError):
        make_share(case, carla, user=otto)
    with pytest.raises(ShareError):
        make_share(case, carla, organisation=municipality)
    with pytest.raises(ShareError):
        share_grant(case=case, sections=["basic"], mode="read", reason="x",
                    expires_on=datetime.date.today(), consent_on=datetime.date.today(),
                    acting_user=carla)


def test_restricted_notes_are_never_implied(carla, pia, case):
    share = make_share(case, carla, user=pia, sections=["notes"])
    assert share.sections == ["basic", "notes.general", "notes.programme"]


def test_who_may_share(carla, olaf, otto, pia, aud, case):
    assert sharing_policies.can_share(carla, case) and sharing_policies.can_share(olaf, case)
    assert not any(sharing_policies.can_share(u, case) for u in (otto, pia, aud))


def test_search_finds_a_shared_case_by_legal_name_only_with_identity(carla, pia, paul, case):
    other = make_case(carla, code_name="Ibis", legal_name="Juan Gómez", passport_number="X1")
    make_share(case, carla, user=pia, sections=["basic"])
    make_share(other, carla, user=paul, sections=["identity"])
    assert selectors.cases_search_results(pia, "Ana María Pérez") == []
    assert selectors.cases_search_results(pia, "Heron") == [case]
    assert selectors.cases_search_results(paul, "juan gomez") == [other]
    assert selectors.cases_search_results(paul, "Ana María Pérez") == []


def test_a_deactivated_organisation_loses_its_shares_at_once(carla, pia, ngo, case):
    make_share(case, carla, organisation=ngo)
    assert visible_cases(pia).exists()
    ngo.is_active = False
    ngo.save()
    assert not visible_cases(pia).exists()


def test_guardian_is_the_store_of_grants_a_share_without_its_row_opens_nothing(carla, pia,
                                                                             case):
    """Reads ask guardian: its own checker agrees, and removing the guardian row through
    guardian's API closes the case although the share's terms are still in force."""
    make_share(case, carla, user=pia, sections=["identity"], mode="contribute")
    assert ObjectPermissionChecker(pia).has_perm("cases.view_case", case)
    assert grants.grant_for(pia, case).contribute
    remove_perm("cases.contribute_case", pia, case)
    fresh = User.objects.get(pk=pia.pk)  # the next request
    assert grants.grant_for(fresh, case).sections == {"basic", "identity"}
    assert not grants.grant_for(fresh, case).contribute
    remove_perm("cases.view_case", pia, case)
    fresh = User.objects.get(pk=pia.pk)
    assert CaseShare.objects.active().exists()
    assert grants.grant_for(fresh, case) == grants.NOTHING
    assert not visible_cases(fresh).exists()


def test_a_stale_group_membership_does_not_carry_the_old_organisations_shares(carla, pia, ngo,
                                                                             university,
                                                                             case):
    make_share(case, carla, organisation=ngo)
    User.objects.filter(pk=pia.pk).update(organisation=university)  # no signal: still in group
    moved = User.objects.get(pk=pia.pk)
    assert ObjectPermissionChecker(moved).has_perm("cases.view_case", case)  # guardian: yes
    assert not visible_cases(moved).exists()  # but the terms name the old one
    assert grants.grant_for(moved, case) == grants.NOTHING
