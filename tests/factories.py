"""Every helper the tests share, in one place: people, cases, shares, units, audit readers.

Conftest modules hold fixtures only and build them from here; tests import helpers from here,
never from a conftest. People are made with factory_boy; cases, shares and units go through the
services (so they carry their audit entries and sealed fields exactly as in production), and the
`make_marked_*` helpers build rows directly, every sealed field carrying a marker the raw-bytes
scans look for.
"""

from __future__ import annotations

import datetime
import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from urllib.parse import urlsplit

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from budget import services as budget_services
from budget.choices import DEFAULT_FUNDERS
from budget.models import Funder
from cases import selectors as case_selectors
from cases import services as case_services
from cases.logistics import services as logistics_services
from cases.logistics.models import TravelLeg
from cases.models import Case, Defender, Document, Note
from cases.sharing.services import share_grant
from housing import services as housing_services
from housing.models import Unit
from shelter.accounts.middleware import SESSION_SEEN, SESSION_STARTED, SESSION_VERIFIED
from shelter.accounts.models import AuthenticatorDevice, Organisation, User
from shelter.audit.models import AuditEvent
from shelter.crypto.api import store_document

PASSWORD = "correct horse battery staple"
MARKER = "ZQXJMARKER"
HOUSING_BASE = datetime.date.today() + datetime.timedelta(days=30)


# --- people -------------------------------------------------------------------------------
class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.MUNICIPALITY


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a password, a role (a group name, or None) and a confirmed authenticator."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.LazyAttribute(lambda user: user.email.split("@")[0])
    organisation = factory.SubFactory(OrganisationFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password=PASSWORD, **kwargs)

    @factory.post_generation
    def role(user, create, role, **kwargs):  # noqa: N805 (factory_boy passes the object)
        if create and role:
            user.groups.set([Group.objects.get(name=role)])

    @factory.post_generation
    def authenticator(user, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is not False:
            AuthenticatorDevice.objects.create(user=user, name="authenticator", confirmed=True)


def make_user(email: str, role: str | None, organisation: Organisation, **extra) -> User:
    return UserFactory(email=email, role=role, organisation=organisation, **extra)


def verified_client(user: User) -> Client:
    """A client whose session has passed both factors, as after a real sign-in and a first
    page (which remembers the device and the role: see `OTPSessionMiddleware`)."""
    client = Client()
    client.force_login(user)
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    fresh = User.objects.get(pk=user.pk)
    session[SESSION_VERIFIED] = {"device": device.persistent_id, "stamp": fresh.access_stamp,
                                 "role": fresh.role}
    session[SESSION_STARTED] = session[SESSION_SEEN] = time.time()
    session.save()
    return client


def fresh_client(user: User) -> Client:
    """A verified client whose second factor was entered just now (for dangerous acts)."""
    client = verified_client(user)
    session = client.session
    session["shelter_otp_verified_at"] = time.time()
    session.save()
    return client


# --- cases and shares (through the services) -----------------------------------------------
def make_case(acting_user, *, code_name: str = "Heron", legal_name: str = "Ana María Pérez",
              passport_number: str = "NL-12 345", officer=None, **case_values) -> Case:
    defender = case_services.defender_create(
        acting_user=acting_user, code_name=code_name, legal_name=legal_name,
        passport_number=passport_number, country_of_activity="CO", phone="+57 300 000 0000",
        date_of_birth=datetime.date(1985, 4, 12))
    return case_services.case_create(defender=defender, acting_user=acting_user,
                                     assigned_officer=officer, **case_values)


def make_share(case, acting_user, *, user=None, organisation=None, sections=("basic",),
               mode="read", days: int = 30, consent: bool = True):
    """A share granted through the service (consent recorded today unless `consent=False`)."""
    return share_grant(case=case, grantee_user=user, grantee_organisation=organisation,
                       sections=list(sections), mode=mode,
                       expires_on=datetime.date.today() + datetime.timedelta(days=days),
                       reason="Psychological support", acting_user=acting_user,
                       consent_on=datetime.date.today() if consent else None,
                       override_reason=None if consent else "Urgent medical need")


# --- logistics (through the services) ------------------------------------------------------
def covering_documents(arrival: datetime.date, departure: datetime.date) -> dict:
    """Passport, visa and insurance values that cover the stay `arrival`..`departure`."""
    return {"passport_country": "CO", "passport_issued_on": datetime.date(2020, 1, 1),
            "passport_expires_on": departure + datetime.timedelta(days=400),
            "visa_type": "c", "visa_decision": "granted",
            "visa_valid_from": arrival - datetime.timedelta(days=7),
            "visa_valid_until": departure + datetime.timedelta(days=7), "visa_entries": "single"}


def make_logistics(case, acting_user, *, companion=None, booked: bool = True,
                   **overrides) -> None:
    """Record a traveller's passport, visa, insurance and outbound journey covering the case's
    planned stay (each value may be overridden; `booked=False` leaves the journey to book)."""
    arrival, departure = case.planned_arrival, case.planned_departure
    documents = {**covering_documents(arrival, departure),
                 **{k: v for k, v in overrides.items() if k.startswith(("passport_", "visa_"))}}
    logistics_services.passport_visa_update(case=case, acting_user=acting_user,
                                            companion=companion, **documents)
    insurance = {"insurance_provider": "Demo Assurance", "insurance_policy_number": "POL-1",
                 "insurance_from": arrival, "insurance_until": departure,
                 **{k: v for k, v in overrides.items() if k.startswith("insurance_")}}
    logistics_services.insurance_update(case=case, acting_user=acting_user,
                                        companion=companion, **insurance)
    logistics_services.leg_create(
        case=case, acting_user=acting_user, companion=companion,
        direction=TravelLeg.Direction.OUTBOUND, travel_on=arrival, origin="BOG",
        destination="AMS", carrier="KL", booking_reference="ABC123",
        status=TravelLeg.Status.BOOKED if booked else TravelLeg.Status.TO_BOOK)


# --- sealed rows full of markers (built directly, for the at-rest scans) --------------------
def make_marked_defender(marker: str = MARKER, **extra) -> Defender:
    defender = Defender(
        code_name=extra.pop("code_name", "Heron"),
        legal_name=f"Ana {marker} Pérez", other_names=f"alias {marker}",
        date_of_birth=datetime.date(1985, 4, 12), nationality=f"nat {marker}",
        languages=f"es {marker}", gender=f"g {marker}", phone=f"+31 {marker}",
        email=f"{marker}@example.org", messenger=f"@{marker}",
        emergency_contact=f"mother {marker}", passport_number=f"P-{marker}",
        special_needs=f"needs {marker}", **extra,
    )
    defender.save()
    return defender


def make_marked_case(defender: Defender, marker: str = MARKER) -> Case:
    case = Case(
        defender=defender, risk_notes=f"risk {marker}", visa_status={"status": marker},
        travel={"flight": marker}, insurance=f"ins {marker}", allowance=f"allow {marker}",
        accompanying_persons=[{"name": marker}], return_plan=f"return {marker}",
        follow_up=f"follow {marker}",
    )
    case.save()
    return case


def make_marked_note(case: Case, marker: str = MARKER) -> Note:
    note = Note(case=case, body=f"note {marker}")
    note.save()
    return note


def make_marked_document(case: Case, content: bytes, marker: str = MARKER) -> Document:
    doc = Document(case=case, delete_reason=f"reason {marker}")
    stored = store_document(case.id, io.BytesIO(content), document_id=doc.id)
    doc.apply_stored_file(stored, filename=f"{marker}.pdf", content_type=f"application/{marker}")
    doc.save()
    return doc


# --- housing -------------------------------------------------------------------------------
def day(n: int) -> datetime.date:
    """A day `n` days after a fixed base in the future (so "today" never gets in the way)."""
    return HOUSING_BASE + datetime.timedelta(days=n)


def make_unit(acting_user, code_name: str = "Linden", *, buffer: int = 0,
              offered: tuple[int, int] = (-60, 400), **values) -> Unit:
    values.setdefault("address", "Kerkstraat 12-III, 1017 GC Amsterdam")
    unit = housing_services.unit_create(acting_user=acting_user, code_name=code_name,
                                        turnover_buffer_days=buffer, **values)
    housing_services.availability_add(unit=unit, start=day(offered[0]), end=day(offered[1]),
                                      acting_user=acting_user)
    return unit


# --- the database and the access log -------------------------------------------------------
def sent_queries(call) -> list[str]:
    """The statements sent while `call()` runs. (CaptureQueriesContext misses a test client's
    request: the request_started signal resets the query log it reads.)"""
    sent: list[str] = []

    def wrapper(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        call()
    return sent


def count_queries(call) -> int:
    """How many statements were sent while `call()` runs."""
    return len(sent_queries(call))


def head_seq() -> int:
    """The current head; the table is never flushed, so tests count from here."""
    latest = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return latest or 0


def events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def recorded(since: int, action=None) -> list[AuditEvent]:
    return [e for e in events_after(since) if action is None or e.action == int(action)]


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


AUDIT_TRIGGERS = {
    "sqlite": ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"],
    "postgresql": ["DROP TRIGGER audit_event_no_change ON audit_auditevent",
                   "DROP TRIGGER audit_event_no_truncate ON audit_auditevent"],
}


@contextmanager
def triggers_dropped() -> Iterator[None]:
    """Play the attacker with DDL rights. Only inside a test transaction (rolled back after)."""
    for sql in AUDIT_TRIGGERS[connection.vendor]:
        raw(sql)
    yield


# --- the browser ---------------------------------------------------------------------------
class A11yPage:
    """A page whose every visited address must pass axe-core before the test ends."""

    def __init__(self, page) -> None:
        from axe_playwright_python.sync_playwright import Axe  # only where Chromium runs

        self.page, self.axe = page, Axe()
        self.visited: set[str] = set()
        self.checked: set[str] = set()
        # Pages of another site the journey passes through (the test OpenID provider's login
        # and logout pages) are not Shelter's: `foreign` origins are not tracked.
        self.foreign: set[str] = set()
        page.on("framenavigated", lambda frame: frame == page.main_frame
                and _origin(frame.url) not in self.foreign
                and self.visited.add(urlsplit(frame.url).path))

    # WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
    AXE_OPTIONS = {"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]},
        "resultTypes": ["violations"]}
    WIDTHS = (1280, 390)  # a laptop and a phone

    def check(self) -> None:
        """Run axe-core on the current page at each width; fail on any violation."""
        self.page.wait_for_load_state("load")
        before = self.page.viewport_size
        try:
            for width in self.WIDTHS:
                self.page.set_viewport_size({"width": width, "height": 800})
                results = self.axe.run(self.page, options=self.AXE_OPTIONS)
                assert results.violations_count == 0, (
                    f"at {width} px on {urlsplit(self.page.url).path}:\n"
                    + results.generate_report())
        finally:
            if before:
                self.page.set_viewport_size(before)
        self.checked.add(urlsplit(self.page.url).path)

    def assert_all_checked(self) -> None:
        unchecked = self.visited - self.checked
        assert not unchecked, f"pages visited without an accessibility check: {unchecked}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


BROWSER_LOCALES = {"en": "en-GB", "nl": "nl-NL"}


def add_session(context, live_server, user: User) -> None:
    """Give a browser context a session that passed both factors (the sign-in journey is
    tested on its own)."""
    cookie = verified_client(user).cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                          "url": live_server.url}])


def browser_page(chromium, live_server, user: User | None, language: str) -> A11yPage:
    """A page in a new browser context that speaks `language` (the browser's locale and
    Shelter's language cookie), signed in as `user` unless None. Close it with
    `page.page.context.close()`."""
    context = chromium.new_context(base_url=live_server.url,
                                   locale=BROWSER_LOCALES[language])
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                          "url": live_server.url}])
    if user is not None:
        add_session(context, live_server, user)
    return A11yPage(context.new_page())


# --- policies, asked as a page asks them ---------------------------------------------------
class HandedPolicies:
    """A policies module whose functions get the case the way a guard hands it over: fetched
    for that user through `cases.selectors.case_get_for`, with the facts the policies decide on
    (a partner's grant, a coordinator's break-glass opening). A case the user may not know
    exists is handed over bare, and the policies must refuse it."""

    def __init__(self, module) -> None:
        self.module = module

    def __getattr__(self, name: str):
        found = getattr(self.module, name)
        if not callable(found):
            return found

        def asked(user, case=None, *args, **kwargs):
            if isinstance(case, Case):
                case = case_selectors.case_get_for(user, case.pk) or case
            return found(user, *(() if case is None else (case,)), *args, **kwargs)
        return asked


def make_hosted_case(acting_user, *, code_name: str, country: str, arrival: datetime.date,
                     departure: datetime.date | None = None, stage: str = "departed",
                     actual: bool = True) -> Case:
    """A residency that was (or is) hosted from `country`: the stage and dates are set directly,
    as the lifecycle's guards are not what a statistics test is about."""
    case = make_case(acting_user, code_name=code_name, legal_name=f"Name {code_name}",
                     passport_number=code_name)
    case_services.defender_update(defender=case.defender, acting_user=acting_user,
                                  country_of_activity=country)
    dates = ({"actual_arrival": arrival, "actual_departure": departure} if actual
             else {"planned_arrival": arrival, "planned_departure": departure})
    Case.objects.filter(pk=case.pk).update(stage=stage, **dates)
    case.refresh_from_db()
    return case


# --- the budget (through its services) ------------------------------------------------------
def ensure_funders() -> None:
    """The programme's funders, as the budget's data migration makes them: a test database
    flushed by a transactional test (the browser journeys) has lost them."""
    for code, name, order in DEFAULT_FUNDERS:
        if not Funder.objects.filter(code=code).exists():
            budget_services.funder_create(acting_user=None, code=code, name=name, order=order)


def funder(code: str):
    """One of the programme's funders made by the budget's data migration."""
    ensure_funders()
    return Funder.objects.get(code=code)


def make_line(case, acting_user, *, funder_code: str = "municipality",
              category: str = "travel", amount: str = "100.00",
              on: datetime.date | None = None, description: str = ""):
    return budget_services.budget_line_create(
        case=case, acting_user=acting_user, category=category, funder=funder(funder_code),
        planned_amount=Decimal(amount), planned_on=on or datetime.date.today(),
        description=description)


def make_paid(case, acting_user, line=None, *, amount: str = "100.00",
              on: datetime.date | None = None, reference: str = ""):
    """A payment of `case` (on `line`) paid on `on` (today)."""
    day_paid = on or datetime.date.today()
    return budget_services.payment_record(
        case=case, acting_user=acting_user, line=line, due_on=day_paid, paid_on=day_paid,
        amount=Decimal(amount), status="paid", reference=reference)
