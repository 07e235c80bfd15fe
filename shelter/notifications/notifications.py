"""The security kinds: always mailed at once and shown in the centre; nobody can turn them off.
Their emitters call `shelter.notifications.api.notify` with these keys."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shelter.notifications.kinds import Kind, register

register(Kind(
    key="break_glass_used", label=_("Break-glass access was used"), security=True,
    summary=lambda n: ngettext("Break-glass access was used %(count)d time",
                               "Break-glass access was used %(count)d times", n) % {"count": n},
    link="notifications:list"))

register(Kind(
    key="audit_chain_failed", label=_("The access log failed its check"), security=True,
    summary=lambda n: ngettext("The access log failed its integrity check",
                               "The access log failed its integrity check %(count)d times",
                               n) % {"count": n},
    link="notifications:list"))

register(Kind(
    key="new_device_sign_in", label=_("A sign-in from a new device"), security=True,
    summary=lambda n: ngettext("%(count)d sign-in to your account from a new device",
                               "%(count)d sign-ins to your account from a new device",
                               n) % {"count": n},
    link="notifications:list"))

register(Kind(
    key="lockout", label=_("Your account was locked after failed sign-ins"), security=True,
    summary=lambda n: ngettext("Your account was locked %(count)d time after failed sign-ins",
                               "Your account was locked %(count)d times after failed sign-ins",
                               n) % {"count": n},
    link="notifications:list"))
