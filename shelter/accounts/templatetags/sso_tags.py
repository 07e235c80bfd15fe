"""`{% sso_link_form %}`: the single sign-on part of the "Sign-in and security" page.

Shows whether the account is linked to the municipality's identity provider, and to a staff
member whose account is not linked yet, the button that links it (accounts:sso_link). Shows
nothing when single sign-on is off or to partners (they do not use it)."""

from __future__ import annotations

from django import template

from shelter.accounts import sso

register = template.Library()


@register.inclusion_tag("accounts/includes/sso_link.html", takes_context=True)
def sso_link_form(context: template.Context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = bool(sso.enabled() and user is not None and user.is_authenticated
                 and not user.is_partner)
    return {"shown": shown, "linked": shown and bool(user.oidc_subject),
            "next": request.get_full_path() if request is not None else "",
            "csrf_token": context.get("csrf_token")}
