"""The base of every app's role × route permission matrix.

Each app's `test_permission_matrix.py` writes its expectations by hand (from the role table,
never derived from the policies it tests), one row per route of its URL namespace, and runs
every row for every persona below and both share states. The pieces they share:

- `PERSONAS`: who asks. Staff (coordinator, the same with break-glass open, the officer assigned
  to the case and another officer), partners (a personal share, a share to their organisation,
  a share to another organisation), the auditor, an inactive account and an anonymous visitor.
- `SHARE_STATES`: a partner's share is "active" or "ended" (expired or revoked: both must grant
  nothing at once); `ENDINGS` lists the two ways a share ends.
- `make_persona(...)`: the user for a persona, with its share of the world's case made through
  the services (None for the anonymous visitor), and `client_for(user)`.
- `routes(namespace)`: every route of an app from the URL configuration (so a new route is in
  the list the moment it exists); `every_route_has_a_row(namespace, rows)` makes the test that
  fails for a route without an expectation row.
- Outcome helpers (`SIGN_IN`, `gone(persona)`) and `run(...)` to request a cell and describe a
  mismatch.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from cases.sharing.models import CaseShare
from cases.sharing.services import break_glass_open, share_revoke
from shelter.access import walk
from tests.factories import fresh_client, make_share, make_user, verified_client

SHARE_STATES = ("active", "ended")
ENDINGS = ("expired", "revoked")
STAFF_KINDS = frozenset({"coordinator", "coordinator_break_glass", "officer_assigned",
                         "officer_other"})
PARTNER_KINDS = frozenset({"partner", "partner_organisation", "partner_other_organisation"})
SIGN_IN = (302,)  # the two-factor gate sends anonymous visitors and ended sessions to sign in


@dataclass(frozen=True)
class Persona:
    """Who asks. `share` names the sections of the persona's share of the world's case (for
    partners), `mode` whether it may contribute, `ending` how an ended share ended."""

    name: str
    kind: str
    share: tuple[str, ...] = ()
    mode: str = "read"
    ending: str = "expired"

    @property
    def is_staff(self) -> bool:
        return self.kind in STAFF_KINDS

    @property
    def is_coordinator(self) -> bool:
        return self.kind in ("coordinator", "coordinator_break_glass")

    @property
    def is_partner(self) -> bool:
        return self.kind in PARTNER_KINDS

    @property
    def signed_out(self) -> bool:
        """Anonymous, or an account that is no longer active (its session is not accepted)."""
        return self.kind in ("anonymous", "inactive")

    def holds_share(self, state: str) -> bool:
        """Does the persona hold a share of the world's case that grants something now?"""
        return (self.kind in ("partner", "partner_organisation") and bool(self.share)
                and state == "active")


PERSONAS = (
    Persona("coordinator", "coordinator"),
    Persona("coordinator_break_glass", "coordinator_break_glass"),
    Persona("officer_assigned", "officer_assigned"),
    Persona("officer_other", "officer_other"),
    Persona("partner", "partner", ("identity", "residency", "housing", "documents.other",
                                   "notes.general")),
    Persona("partner_revoked", "partner", ("identity", "housing"), ending="revoked"),
    Persona("partner_via_organisation", "partner_organisation", ("identity", "housing")),
    Persona("partner_other_organisation", "partner_other_organisation", ("identity",)),
    Persona("auditor", "auditor"),
    Persona("inactive", "inactive"),
    Persona("anonymous", "anonymous"),
)


def gone(persona: Persona) -> tuple[int, ...]:
    """What an object the persona may not know of answers: 404; signed out: to sign-in."""
    return SIGN_IN if persona.signed_out else (404,)


def forbidden(persona: Persona) -> tuple[int, ...]:
    """A page the persona may know of but not use: 403; signed out: to sign-in."""
    return SIGN_IN if persona.signed_out else (403,)


def told_share_ended(persona: Persona, state: str) -> bool:
    """A partner whose own share of the world's case ended is not shown a bare 404 on that
    case's pages: they are sent to "Shared with me" (302), told only that a share ended. An
    organisation's ended share is no notice for its members (they keep the 404)."""
    return persona.kind == "partner" and bool(persona.share) and state == "ended"


# --- the people and their shares ------------------------------------------------------------
_emails = itertools.count()


def end_share(share: CaseShare, how: str, acting_user: Any) -> None:
    """End `share` the way `how` ("expired" or "revoked") says."""
    if how == "revoked":
        share_revoke(share=share, acting_user=acting_user, reason="ended")
    else:
        CaseShare.objects.filter(pk=share.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1))


def make_persona(persona: Persona, state: str, case: Any, people: Mapping[str, Any]) -> Any:
    """The user for `persona` in share state `state` ("active" or "ended"), with its share of
    `case` (made by `people["carla"]`). `people` holds carla (coordinator, not assigned), olaf
    (officer assigned to `case`), otto (another officer), aud (auditor) and the organisations
    municipality, ngo and university. None for the anonymous visitor."""
    carla, kind = people["carla"], persona.kind
    if kind == "anonymous":
        return None
    if kind in ("coordinator", "coordinator_break_glass"):
        if kind == "coordinator_break_glass":
            break_glass_open(case=case, acting_user=carla, reason="matrix")
        return carla
    if kind in ("officer_assigned", "officer_other", "auditor"):
        return people[{"officer_assigned": "olaf", "officer_other": "otto",
                       "auditor": "aud"}[kind]]
    number = next(_emails)
    if kind == "inactive":
        return make_user(f"inactive{number}@example.org", "Case officer", people["municipality"],
                         is_active=False)
    organisation = people["university"] if kind == "partner_other_organisation" \
        else people["ngo"]
    user = make_user(f"{persona.name}{number}@example.org", "Partner", organisation)
    if kind == "partner_other_organisation":
        make_share(case, carla, organisation=people["ngo"], sections=list(persona.share))
        return user
    share = make_share(case, carla, sections=list(persona.share), mode=persona.mode,
                       **({"organisation": organisation} if kind == "partner_organisation"
                          else {"user": user}))
    if state == "ended":
        end_share(share, persona.ending, carla)
    return user


def client_for(user: Any, *, fresh: bool = False) -> Client:
    """A signed-in client with both factors (just entered, with `fresh`); anonymous for None."""
    if user is None:
        return Client()
    return fresh_client(user) if fresh else verified_client(user)


# --- routes and rows ------------------------------------------------------------------------
def routes(namespace: str) -> dict[str, URLPattern]:
    """Every route of the app `namespace` ("cases", "housing", …) by its name, from the URLconf;
    namespace "" lists the project's own routes (the dashboard, the language switch)."""
    prefix = f"{namespace}:" if namespace else ""
    return {name[len(prefix):]: pattern for name, pattern in walk(get_resolver().url_patterns)
            if (name.startswith(prefix) and ":" not in name[len(prefix):])}


def route_of(row: str) -> str:
    """A row "notes:create" exercises route "notes" (one route may have several rows)."""
    return row.split(":")[0]


def every_route_has_a_row(namespace: str, rows: Iterable[str],
                          elsewhere: Iterable[str] = ()) -> Callable[[], None]:
    """A test that fails for any route of `namespace` without an expectation row (deny by
    default: a new route fails until the matrix says who may use it) and for any row naming a
    route that does not exist. `elsewhere`: routes whose rows live in another app's matrix."""
    def test_every_route_has_a_row() -> None:
        names = set(routes(namespace))
        covered = {route_of(r) for r in rows} | set(elsewhere)
        missing, unknown = names - covered, covered - names
        assert not missing, f"{namespace} routes without a matrix row: {sorted(missing)}"
        assert not unknown, f"matrix rows for routes that do not exist: {sorted(unknown)}"
    test_every_route_has_a_row.__doc__ = (
        f"Every route of {namespace!r} has a row in its permission matrix.")
    return test_every_route_has_a_row


def url_for(namespace: str, row: str, values: Mapping[str, Any]) -> str:
    """The URL of `row`'s route with each of its path arguments taken from `values`."""
    pattern = routes(namespace)[route_of(row)]
    kwargs = {key: values[key] for key in pattern.pattern.converters}
    name = f"{namespace}:{route_of(row)}" if namespace else route_of(row)
    return reverse(name, kwargs=kwargs)


def request(client: Client, method: str, url: str, data: Mapping[str, Any] | None = None):
    return client.get(url, data or {}) if method == "get" else client.post(url, data or {})


def mismatch(label: str, response, statuses: tuple[int, ...],
             leaks: Iterable[bytes] = ()) -> str | None:
    """A description of what is wrong with `response` (None when it is as expected): its status
    must be one of `statuses`, and no byte string of `leaks` may appear in its body."""
    problems = []
    if response.status_code not in statuses:
        problems.append(f"status {response.status_code}, expected {statuses}")
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) \
        else response.content
    shown = [marker.decode() for marker in leaks if marker in body]
    if shown:
        problems.append(f"LEAKS {shown}")
    return f"{label}: " + "; ".join(problems) if problems else None
