"""Deny by default, executed: every route names the guard its view calls, or it refuses everyone.

A *guard* is the one function per object type that looks the object up, asks the app's
`policies`, records the decision in the access log and answers 404 where existence is secret
(403 where the user may know the object exists but not do this). Guards live in each app's
`access.py` and are plain functions decorated with `@guard`::

    @guard
    def access_case(request, pk, section, *, write=False) -> Case: ...

A view names the guards it calls with `@guarded_by`::

    @guarded_by(access_case)
    def case_profile(request, pk): case = access_case(request, pk, "basic"); ...

`guarded_by` checks at run time that one of the named guards decided during the request: a view
that returns without its guard having allowed it is refused (404, recorded), so naming a guard
without calling it does not open a route. `deny_unguarded` (applied once, to the whole URLconf
in `shelter.urls`) replaces every view that names no guard with a refusal, so a new route in any
app cannot go live without an explicit decision; `tests/test_routes.py` fails for such a route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver

from shelter.audit.web import record_refusal

GUARDS_ATTR = "shelter_guards"
DECIDED_ATTR = "_shelter_guards_decided"
UNGUARDED = "shelter.route"

View = Callable[..., HttpResponse]


def guard(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark `function` as a guard: once it returns (it allowed), the request counts as guarded.

    A guard that refuses raises (Http404, PermissionDenied, a redirect to sign in) after
    recording the refusal; it never returns a falsy "no".
    """
    @wraps(function)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        result = function(request, *args, **kwargs)
        decided(request, wrapper)
        return result
    return wrapper


def decided(request: HttpRequest, which: Callable[..., Any]) -> None:
    """Note that guard `which` allowed this request (called by `@guard` itself)."""
    found = getattr(request, DECIDED_ATTR, None)
    if found is None:
        found = set()
        setattr(request, DECIDED_ATTR, found)
    found.add(which)


def guarded_by(*guards: Callable[..., Any]) -> Callable[[View], View]:
    """Name the guards `view` calls; refuse the request if none of them decided."""
    if not guards:
        raise TypeError("guarded_by needs at least one guard")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if not getattr(request, DECIDED_ATTR, set()) & set(guards):
                raise refuse(request, kwargs, reason="guard_not_called")
            return response
        setattr(wrapper, GUARDS_ATTR, guards)
        return wrapper
    return decorator


def guards_of(view: Any) -> tuple[Callable[..., Any], ...]:
    """The guards a view (function, or class-based `as_view()`) names; () when none."""
    return getattr(view, GUARDS_ATTR, None) or getattr(
        getattr(view, "view_class", None), GUARDS_ATTR, ())


def refuse(request: HttpRequest, kwargs: dict[str, Any], *, reason: str) -> Http404:
    """Record a refusal of the current route and return the 404 to raise."""
    match = getattr(request, "resolver_match", None)
    target_id = next((kwargs[k] for k in ("pk", "case_id", "id") if k in kwargs), None)
    record_refusal(request, UNGUARDED, target_id, reason=reason,
                   route=((match.view_name if match else "") or "")[:64])
    return Http404()


def _refused(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise refuse(request, kwargs, reason="no_guard")


def walk(patterns: Iterable[URLPattern | URLResolver], prefix: str = "") \
        -> Iterable[tuple[str, URLPattern]]:
    """Every route of `patterns` with its namespaced name ("cases:profile")."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            space = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from walk(pattern.url_patterns, space)
        else:
            yield f"{prefix}{pattern.name or ''}", pattern


def deny_unguarded(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """Routes whose view names no guard keep their URL but refuse everyone (404, recorded)."""
    for _name, pattern in walk(patterns):
        if not guards_of(pattern.callback):
            pattern.callback = _refused
    return patterns


@guard
def public(request: HttpRequest) -> None:
    """Routes anyone may open (sign-in, the language switch): the decision is that there is
    none. The two-factor gate in front of every other page is the middleware's."""


@guard
def signed_in(request: HttpRequest) -> None:
    """Routes every signed-in user with a verified second factor may open (the dashboard),
    which the two-factor middleware has already established."""
    if not request.user.is_authenticated:
        raise refuse(request, {}, reason="not_signed_in")
