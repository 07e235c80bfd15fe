"""Account events other apps listen to (the audit log records each of them).

Django's own `user_logged_in`, `user_logged_out` and `user_login_failed` cover the password
step; these cover the rest of sign-in.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender=User model; kwargs: user (may be None for an unknown account), request, scope
account_locked = Signal()
# kwargs: user, request, device_kind (a SecondFactor value), method (a Method value), again
# (True for a confirm-again before a dangerous act, False when a sign-in completes)
second_factor_verified = Signal()
# kwargs: user, request, reason ("wrong_code" or "throttled"), device_kind (optional: the
# SecondFactor value, when the step knows which factor was tried)
second_factor_failed = Signal()
# kwargs: user, request
second_factor_enrolled = Signal()
# kwargs: user (the subject), acting_user, action, request (may be None)
account_changed = Signal()
# A sign-in refused after its first step was reached (single sign-on: unknown identity, bad
# token, …). kwargs: user (None when no account is known), request, reason (a short code),
# factor ("password" or "sso")
sign_in_refused = Signal()
