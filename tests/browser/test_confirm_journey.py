"""A coordinator, in Dutch and in English, meets every destructive act's confirmation page and
the booking clash: the booking form starts from the case's planned dates; a clash reads as an
error (not booked, and why, the values kept); cancelling a booking, deleting a document,
resetting a colleague's second factor and deactivating her each show what will happen first
(going back changes nothing), and act only once confirmed; reactivating acts at once. axe-core
checks every page on the way, at 1280 px and 390 px (Chromium; skipped without it)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import formats, translation

from cases.models import Document
from housing import services
from housing.models import Booking, Unit
from shelter.accounts.models import AuthenticatorDevice, User
from tests.cases.matrix_world import upload_file
from tests.factories import browser_page, make_case, make_user, verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "locale": "en-GB", "unit": "Unit", "arrival": "Arrival",
        "departure": "Departure", "book": "Book", "not_booked": "Not booked.",
        "already": "The unit is already booked from", "booked": "The unit is booked.",
        "cancel_booking": "Cancel booking", "back": "Cancel, go back",
        "will_happen": "This is what will happen:", "cancelled": "The booking is cancelled.",
        "booking_line": "The booking of unit Linden for case Heron from {start} to {end} is "
                        "cancelled.",
        "delete": "Delete", "reason": "Reason for deletion", "delete_for_good": "Delete for good",
        "deleted": "The document is deleted.", "document_line": "Passport and visa, version 1",
        "code": "Code", "confirm": "Confirm",
        "reset": "Reset second factor", "reset_done": "The second factor is reset",
        "deactivate": "Deactivate and sign out everywhere",
        "no_sign_in": "Olga Officer can no longer sign in.",
        "deactivated": "The user is deactivated and signed out everywhere.",
        "reactivate": "Reactivate", "reactivated": "The user is reactivated.",
    },
    "nl": {
        "locale": "nl-NL", "unit": "Woonruimte", "arrival": "Aankomst",
        "departure": "Vertrek", "book": "Boeken", "not_booked": "Niet geboekt.",
        "already": "De woonruimte is al geboekt van", "booked": "De woonruimte is geboekt.",
        "cancel_booking": "Boeking annuleren", "back": "Annuleren, ga terug",
        "will_happen": "Dit gaat er gebeuren:", "cancelled": "De boeking is geannuleerd.",
        "booking_line": "De boeking van woonruimte Linden voor dossier Heron van {start} tot "
                        "{end} wordt geannuleerd.",
        "delete": "Verwijderen", "reason": "Reden voor verwijderen",
        "delete_for_good": "Definitief verwijderen", "deleted": "Het document is verwijderd.",
        "document_line": "Paspoort en visum, versie 1",
        "code": "Code", "confirm": "Bevestigen",
        "reset": "Tweede factor wissen", "reset_done": "De tweede factor is gewist",
        "deactivate": "Deactiveren en overal uitloggen",
        "no_sign_in": "Olga Officer kan niet meer inloggen.",
        "deactivated": "De gebruiker is gedeactiveerd en overal uitgelogd.",
        "reactivate": "Weer activeren", "reactivated": "De gebruiker is weer actief.",
    },
}


@pytest.fixture
def world(db):
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role

    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    cora = make_user("cora@example.org", Role.COORDINATOR, municipality,
                     full_name="Cora Coordinator")
    olga = make_user("olga@example.org", Role.CASE_OFFICER, municipality,
                     full_name="Olga Officer")
    start = datetime.date.today() + datetime.timedelta(days=20)
    end = start + datetime.timedelta(days=90)
    heron = make_case(cora, code_name="Heron", legal_name="Ana Demo Pérez", officer=olga,
                      planned_arrival=start, planned_departure=end)
    kestrel = make_case(cora, code_name="Kestrel", legal_name="Bilal Demo",
                        passport_number="2")
    unit = services.unit_create(acting_user=cora, code_name="Linden", capacity=2,
                                turnover_buffer_days=0, address="Demostraat 1, Havenstad")
    services.availability_add(unit=unit, start=start - datetime.timedelta(days=30),
                              end=start + datetime.timedelta(days=200), acting_user=cora)
    services.booking_create(unit=unit, case=kestrel, start=start,
                            end=start + datetime.timedelta(days=30), acting_user=cora)
    verified_client(cora).post(f"/cases/{heron.pk}/documents/upload/", {
        "file": upload_file("passport_visa"), "category": "passport_visa"})
    assert Document.objects.filter(case=heron).count() == 1
    return cora, olga, heron, start, end


def _in_words(value: datetime.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_confirm_journey(chromium, live_server, world, language):
    from playwright.sync_api import expect

    cora, olga, heron, start, end = world
    t = WORDS[language]
    a11y = browser_page(chromium, live_server, cora, language)
    context = a11y.page.context
    page = a11y.page
    try:
        _booking_and_its_cancellation(page, a11y, expect, t, heron, start, end, language)
        _document_deletion(page, a11y, expect, t, heron)
        _colleague_second_factor_and_deactivation(page, a11y, expect, t, olga, cora)
    finally:
        context.close()
    a11y.assert_all_checked()


def _booking_and_its_cancellation(page, a11y, expect, t, heron, start, end, language):
    typed = "%d/%m/%Y" if language == "en" else "%d-%m-%Y"  # dates are typed the page's way
    page.goto(f"/housing/case/{heron.pk}/")
    a11y.check()
    # The form starts from the case's planned dates.
    expect(page.get_by_label(t["arrival"])).to_have_value(start.strftime(typed))
    expect(page.get_by_label(t["departure"])).to_have_value(end.strftime(typed))
    page.get_by_label(t["unit"], exact=True).select_option(label="Linden")
    page.get_by_role("button", name=t["book"], exact=True).click()
    a11y.check()
    # Kestrel holds the first 30 nights: an error, not a success, and nothing booked.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(t["not_booked"])
    expect(alert).to_contain_text(t["already"])
    expect(alert).to_contain_text(_in_words(start, language))
    assert "Kestrel" not in page.content()
    expect(page.get_by_text(t["booked"], exact=True)).to_have_count(0)
    expect(page.get_by_label(t["arrival"])).to_have_value(start.strftime(typed))  # kept
    assert not Booking.objects.filter(case=heron).exists()
    later = start + datetime.timedelta(days=30)
    page.get_by_label(t["arrival"]).fill(later.strftime(typed))
    page.get_by_role("button", name=t["book"], exact=True).click()
    page.wait_for_url(f"**/housing/case/{heron.pk}/")
    a11y.check()
    expect(page.get_by_text(t["booked"], exact=True)).to_be_visible()
    booking = Booking.objects.get(case=heron)

    # Cancelling asks first; going back changes nothing.
    page.get_by_role("link", name=t["cancel_booking"]).click()
    page.wait_for_url(f"**/housing/bookings/{booking.pk}/cancel/")
    a11y.check()
    expect(page.get_by_text(t["will_happen"])).to_be_visible()
    expect(page.get_by_text(t["booking_line"].format(
        start=_in_words(later, language), end=_in_words(end, language)))).to_be_visible()
    page.get_by_role("link", name=t["back"]).click()
    page.wait_for_url(f"**/housing/case/{heron.pk}/")
    assert Booking.objects.get(pk=booking.pk).is_active
    page.get_by_role("link", name=t["cancel_booking"]).click()
    page.wait_for_url(f"**/housing/bookings/{booking.pk}/cancel/")
    page.get_by_role("button", name=t["cancel_booking"]).click()
    page.wait_for_url(f"**/housing/case/{heron.pk}/")
    a11y.check()
    expect(page.get_by_text(t["cancelled"], exact=True)).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    assert Unit.objects.count() == 1


def _document_deletion(page, a11y, expect, t, heron):
    page.goto(f"/cases/{heron.pk}/documents/")
    a11y.check()
    document = Document.objects.get(case=heron)
    page.get_by_role("link", name=t["delete"]).click()
    page.wait_for_url(f"**/documents/{document.pk}/delete/")
    a11y.check()
    expect(page.get_by_text(t["will_happen"])).to_be_visible()
    expect(page.locator("[data-marker=confirm-consequences]")).to_contain_text(
        t["document_line"])
    page.get_by_role("link", name=t["back"]).click()
    page.wait_for_url(f"**/cases/{heron.pk}/documents/")
    assert Document.objects.get(pk=document.pk).deleted_at is None
    page.get_by_role("link", name=t["delete"]).click()
    page.get_by_label(t["reason"]).fill("Uploaded twice")
    page.get_by_role("button", name=t["delete_for_good"]).click()
    page.wait_for_url(f"**/cases/{heron.pk}/documents/")
    a11y.check()
    expect(page.get_by_text(t["deleted"], exact=True)).to_be_visible()
    assert Document.objects.get(pk=document.pk).deleted_at is not None


def _colleague_second_factor_and_deactivation(page, a11y, expect, t, olga, cora):
    page.goto("/accounts/people/")
    a11y.check()
    page.get_by_role("link", name="Olga Officer").click()
    page.wait_for_url(f"**/accounts/people/{olga.pk}/")
    a11y.check()
    page.get_by_role("link", name=t["reset"]).click()
    # No code entered yet in this session: resetting someone's factor asks for a fresh one.
    page.wait_for_url("**/accounts/confirm/**")
    a11y.check()
    cora_device = AuthenticatorDevice.objects.get(user=cora)
    page.get_by_label(t["code"]).fill(cora_device.current_code())
    page.get_by_role("button", name=t["confirm"]).click()
    page.wait_for_url(f"**/accounts/people/{olga.pk}/reset-second-factor/")
    a11y.check()
    assert AuthenticatorDevice.objects.filter(user=olga).exists()  # asking changes nothing
    page.get_by_role("button", name=t["reset"]).click()
    page.wait_for_url(f"**/accounts/people/{olga.pk}/")
    a11y.check()
    expect(page.get_by_role("status")).to_contain_text(t["reset_done"])
    assert not AuthenticatorDevice.objects.filter(user=olga).exists()

    page.get_by_role("link", name=t["deactivate"]).click()
    page.wait_for_url(f"**/accounts/people/{olga.pk}/active/")
    a11y.check()
    expect(page.get_by_text(t["no_sign_in"])).to_be_visible()
    page.get_by_role("link", name=t["back"]).click()
    page.wait_for_url(f"**/accounts/people/{olga.pk}/")
    assert User.objects.get(pk=olga.pk).is_active
    page.get_by_role("link", name=t["deactivate"]).click()
    page.get_by_role("button", name=t["deactivate"]).click()
    page.wait_for_url(f"**/accounts/people/{olga.pk}/")
    a11y.check()
    expect(page.get_by_text(t["deactivated"], exact=True)).to_be_visible()
    assert not User.objects.get(pk=olga.pk).is_active
    page.get_by_role("button", name=t["reactivate"]).click()  # not destructive: no page
    page.wait_for_url(f"**/accounts/people/{olga.pk}/")
    a11y.check()
    expect(page.get_by_text(t["reactivated"], exact=True)).to_be_visible()
    assert User.objects.get(pk=olga.pk).is_active
