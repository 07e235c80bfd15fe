"""Users (signing in by e-mail), their organisation, and sign-in throttling state."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from shelter.accounts.roles import Role
from shelter.crypto.exceptions import DecryptionFailed
from shelter.crypto.fields import EncryptedCharField, EncryptedModel
from shelter.crypto.integrity import is_withheld


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        COORDINATING_NGO = "coordinating_ngo", _("National coordinating NGO")
        UNIVERSITY = "university", _("University")
        PSYCHOLOGIST = "psychologist", _("Psychologist")
        SHELTER_CITY = "shelter_city", _("Other Shelter City")
        OTHER = "other", _("Other partner")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_municipality(self) -> bool:
        return self.kind == self.Kind.MUNICIPALITY


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="members",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)
    # Single sign-on: SHA-256 of the identity provider's issuer and stable subject (`sub`), set
    # once when the account is linked. Unique, so one identity reaches one account at most.
    oidc_subject = models.CharField(_("single sign-on identity"), max_length=64, unique=True,
                                    null=True, blank=True, editable=False)
    # Counts every change to the user's second-factor devices and role (`shelter.accounts.stamps`).
    # A session keeps its verified device and the role with the stamp it saw; the user row is
    # read on every request anyway, so a changed stamp sends the session back to the database.
    access_stamp = models.PositiveBigIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def role(self) -> str | None:
        """The user's one role (group name), cached per instance."""
        if not hasattr(self, "_role_cache"):
            names = [g.name for g in self.groups.all()]
            self._role_cache = next((r.value for r in Role if r.value in names), None)
        return self._role_cache

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @property
    def is_coordinator(self) -> bool:
        return self.has_role(Role.COORDINATOR)

    @property
    def is_case_officer(self) -> bool:
        return self.has_role(Role.CASE_OFFICER)

    @property
    def is_partner(self) -> bool:
        return self.has_role(Role.PARTNER)

    @property
    def is_auditor(self) -> bool:
        return self.has_role(Role.AUDITOR)


class SignInThrottle(models.Model):
    """Failed sign-in counter for one account or one client address.

    The key is a keyed hash of the e-mail address or IP, never the value itself.
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("address")
        # Not a failure counter: password-reset links sent to one address in the last hour.
        PASSWORD_RESET = "password_reset", _("password reset")

    scope = models.CharField(max_length=16, choices=Scope.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="signin_throttle_scope_key")
        ]


class BackupCodeDevice(ThrottlingMixin, Device):
    """One-time backup codes, stored only as SHA-256 digests (django-otp's static plugin keeps
    them in the clear). Codes are 10 random base32 characters, so a plain digest suffices."""

    class Meta(Device.Meta):
        verbose_name = _("backup codes")

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    @staticmethod
    def digest(code: str) -> str:
        normalised = "".join(code.split()).replace("-", "").upper()
        return hashlib.sha256(normalised.encode()).hexdigest()

    def verify_token(self, token: str) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        match = self.codes.filter(digest=self.digest(str(token))).first()
        if match is None:
            self.throttle_increment(commit=True)
            return False
        match.delete()
        self.throttle_reset(commit=True)
        return True


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, EncryptedModel, Device):
    """An authenticator app (TOTP, RFC 6238: 30-second steps, 6 digits, SHA-1).

    Replaces django-otp's TOTPDevice, which stores the shared secret in the clear: here it is
    an encrypted field under the programme key (AAD binds table, column and row), so a copy of
    the database or of a backup does not let anyone compute a user's codes.
    """

    STEP = 30
    DIGITS = 6
    TOLERANCE = 1  # one step either side: clocks and typing take time

    encryption_key_owner = "programme"

    encryption_row_field = "uid"  # django-otp needs integer ids; the AAD binds this instead

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    secret = EncryptedCharField(_("secret"), max_length=80, editable=False)  # 20 bytes, hex
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)  # step of the last accepted code: no replay

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")

    def save(self, *args, **kwargs) -> None:
        if not self.__dict__.get("secret"):
            self.secret = secrets.token_hex(20)
        super().save(*args, **kwargs)

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def bin_key(self) -> bytes:
        secret = self.secret
        if is_withheld(secret):  # failed its integrity check (recorded): no code from it
            raise DecryptionFailed(f"Authenticator {self.uid} has no readable secret.",
                                   reason=secret.reason)
        return bytes.fromhex(secret)

    @property
    def base32_secret(self) -> str:
        return b32encode(self.bin_key).decode()

    @property
    def config_url(self) -> str:
        """The otpauth:// URI for the QR code (Key Uri Format); never sent over HTTP."""
        issuer = getattr(settings, "OTP_TOTP_ISSUER", "Shelter")
        label = quote(f"{issuer}:{self.user.get_username()}")
        query = urlencode({"secret": self.base32_secret, "issuer": issuer, "algorithm": "SHA1",
                           "digits": self.DIGITS, "period": self.STEP})
        return f"otpauth://totp/{label}?{query}"

    def _totp(self) -> TOTP:
        totp = TOTP(self.bin_key, self.STEP, 0, self.DIGITS, self.drift)
        totp.time = time.time()
        return totp

    def current_code(self) -> str:
        """The code an authenticator app shows now (tests and browser journeys sign in with it)."""
        return f"{self._totp().token():0{self.DIGITS}d}"

    def verify_token(self, token: str) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed or is_withheld(self.secret):  # a broken secret accepts nothing
            return False
        token = str(token).strip()
        totp = self._totp()
        well_formed = token.isascii() and token.isdigit() and len(token) == self.DIGITS
        if not (well_formed and totp.verify(int(token), self.TOLERANCE, self.last_t + 1)):
            self.throttle_increment(commit=True)
            return False
        self.last_t, self.drift = totp.t(), totp.drift
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save(update_fields=["last_t", "drift", "throttling_failure_count",
                                 "throttling_failure_timestamp", "last_used_at"])
        return True


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)


class ProviderMFADevice(Device):
    """The identity provider's own multi-factor authentication, as a django-otp device.

    django-otp marks a session verified with a device; this one stands for "the ID token proved
    MFA" (`amr` has "mfa", or `acr` is one of SHELTER_OIDC_MFA_ACR). It verifies no token itself
    (`verify_token` is always False): only the single sign-on callback, after checking the ID
    token, signs a session in with it. One per user, made (confirmed: django-otp ignores an
    unconfirmed device in a session) at their first such sign-in. Its existence also means
    "this person signs in with the provider's MFA": a later token without MFA must not lead to
    enrolling an authenticator (`shelter.accounts.sso`), and the code step never accepts it.
    """

    class Meta(Device.Meta):
        verbose_name = _("identity provider's multi-factor authentication")

    def verify_token(self, token) -> bool:
        return False
class RecoveryPasskey(models.Model):
    """A passkey added in a recovery session (signed in by code though the role must use a
    passkey). Until `usable_for_removal_after`, a session signed in with it may not remove other
    passkeys: someone who phished a code must not add their own key, sign in with it and remove
    the owner's keys at once (`shelter.accounts.phishing`)."""

    credential = models.OneToOneField("django_otp_webauthn.WebAuthnCredential",
                                      on_delete=models.CASCADE, related_name="recovery_mark",
                                      verbose_name=_("passkey"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    usable_for_removal_after = models.DateTimeField(_("may remove other passkeys after"))

    class Meta:
        verbose_name = _("passkey added in a recovery session")
        verbose_name_plural = _("passkeys added in recovery sessions")

    def __str__(self) -> str:
        return f"recovery passkey {self.credential_id}"


class KnownDevice(models.Model):
    """A browser someone completed a sign-in from: the SHA-256 of the random id in its signed
    `shelter_device` cookie, and nothing else (no user agent, no address). A sign-in from a
    browser whose id is not known for that person raises the `new_device_sign_in` alert
    (`shelter.accounts.alerts`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="known_devices", verbose_name=_("user"))
    digest = models.CharField(_("device id hash"), max_length=64)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")
        constraints = [models.UniqueConstraint(fields=["user", "digest"],
                                               name="accounts_known_device_once")]

    def __str__(self) -> str:
        return f"device {self.pk}"
