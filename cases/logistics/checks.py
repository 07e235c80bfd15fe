"""The logistics checks, pure: fed with plain values (the selectors load and unseal the rows),
they say which document does not cover the stay. Stdlib only, no queries, no model.

- the passport is valid at least N months (SHELTER_PASSPORT_VALID_MONTHS) beyond the
  departure: expiring on departure + N months passes, the day before fails; month arithmetic
  clamps to the month's end (31 August + 6 months = 28 or 29 February);
- the visa covers the stay where one is needed (granted, valid from on or before the arrival,
  valid until on or after the departure); "no visa needed" passes;
- the insurance covers the stay;
- the outbound leg is booked (or flown);
- the same for every accompanying person.

The stay runs from the actual arrival (else the planned one) to the actual departure (else the
planned one). `strict` (the stage guard) also fails what is not recorded yet; otherwise (the
warnings) only what is recorded and no longer covers the stay, or a refused visa.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

BOOKED = frozenset({"booked", "flown"})


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by `months` calendar months, clamped to the last day of the month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Stay:
    arrival: datetime.date | None
    departure: datetime.date | None

    @classmethod
    def of(cls, planned_arrival: datetime.date | None, planned_departure: datetime.date | None,
           actual_arrival: datetime.date | None = None,
           actual_departure: datetime.date | None = None) -> Stay:
        return cls(actual_arrival or planned_arrival, actual_departure or planned_departure)


@dataclass(frozen=True)
class Traveller:
    """One traveller's facts: `number` 0 is the defender, n the n-th accompanying person."""

    number: int = 0
    passport_expires_on: datetime.date | None = None
    visa_type: str = ""
    visa_decision: str = ""
    visa_valid_from: datetime.date | None = None
    visa_valid_until: datetime.date | None = None
    insurance_from: datetime.date | None = None
    insurance_until: datetime.date | None = None
    outbound_statuses: tuple[str, ...] = field(default=())

    @property
    def who(self) -> str:
        return "defender" if self.number == 0 else f"companion_{self.number}"

    def label(self) -> str:
        if self.number == 0:
            return str(_("The defender"))
        return str(_("Accompanying person %(number)d") % {"number": self.number})


@dataclass(frozen=True)
class Failure:
    """A failed check: `code` ("passport:defender", "visa:companion_1") goes to the access log
    and the dashboard; `message` (translated, no personal data) to the page."""

    check: str
    who: str
    message: str

    @property
    def code(self) -> str:
        return f"{self.check}:{self.who}"


def _fail(traveller: Traveller, check: str, message: object) -> Failure:
    return Failure(check, traveller.who, f"{traveller.label()}: {message}")


def check_passport(t: Traveller, stay: Stay, months: int, strict: bool) -> Failure | None:
    if t.passport_expires_on is None:
        return _fail(t, "passport", _("the passport's expiry date is not recorded.")) \
            if strict else None
    if stay.departure is None:
        return None
    needed = add_months(stay.departure, months)
    if t.passport_expires_on < needed:
        return _fail(t, "passport", _(
            "the passport must be valid until at least %(months)d months after the "
            "departure.") % {"months": months})
    return None


def check_visa(t: Traveller, stay: Stay, strict: bool) -> Failure | None:
    if t.visa_type == "none":
        return None
    if not t.visa_type or t.visa_decision in ("", "pending"):
        return _fail(t, "visa", _("no visa has been granted yet.")) if strict else None
    if t.visa_decision == "refused":
        return _fail(t, "visa", _("the visa was refused."))
    if t.visa_valid_from is None or t.visa_valid_until is None:
        return _fail(t, "visa", _("the visa's validity is not recorded.")) if strict else None
    if stay.arrival and t.visa_valid_from > stay.arrival \
            or stay.departure and t.visa_valid_until < stay.departure:
        return _fail(t, "visa", _("the visa does not cover the whole stay."))
    return None


def check_insurance(t: Traveller, stay: Stay, strict: bool) -> Failure | None:
    if t.insurance_from is None or t.insurance_until is None:
        return _fail(t, "insurance", _("the insurance cover is not recorded.")) \
            if strict else None
    if stay.arrival and t.insurance_from > stay.arrival \
            or stay.departure and t.insurance_until < stay.departure:
        return _fail(t, "insurance", _("the insurance does not cover the whole stay."))
    return None


def check_outbound(t: Traveller) -> Failure | None:
    if not BOOKED & set(t.outbound_statuses):
        return _fail(t, "outbound", _("the outbound journey is not booked."))
    return None


def evaluate(stay: Stay, travellers: list[Traveller], *, months: int, strict: bool,
             outbound: bool = True) -> list[Failure]:
    """Every failed check of every traveller, the defender first. `outbound`: also require
    the outbound leg booked (the guard of "In residence", and warnings once arrival is being
    prepared)."""
    failures = []
    if strict and (stay.arrival is None or stay.departure is None):
        # Without both ends of the stay no document can be shown to cover it.
        failures.append(Failure("stay", "dates", str(_(
            "The stay's arrival and departure dates must be recorded before the documents "
            "can be checked against them."))))
    for traveller in travellers:
        found = [check_passport(traveller, stay, months, strict),
                 check_visa(traveller, stay, strict),
                 check_insurance(traveller, stay, strict),
                 check_outbound(traveller) if outbound else None]
        failures += [f for f in found if f is not None]
    return failures
