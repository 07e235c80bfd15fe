"""Shelter settings: one file, driven by the environment (12-factor).

Production is the default and the safe one: DEBUG is off, cookies are secure, HTTPS is enforced,
and the process refuses to start without a secret key and a master key file. Development
(`SHELTER_ENV=development`, set by `make run`) relaxes only what plain-HTTP localhost needs.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from shelter.accounts.roles import roles_from_keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHELTER_VAR_DIR", BASE_DIR / "var"))

SHELTER_ENV = os.environ.get("SHELTER_ENV", "production")
if SHELTER_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured("SHELTER_ENV must be one of: production, development, test.")
PRODUCTION = SHELTER_ENV == "production"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _development_secret_key() -> str:
    """A per-checkout key kept under var/ (never in git), so dev sessions survive restarts."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


def _secret_key() -> str:
    key = os.environ.get("SHELTER_SECRET_KEY", "")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured("SHELTER_SECRET_KEY must be at least 50 random characters.")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SHELTER_SECRET_KEY is not set. Shelter refuses to start in production without a "
            "secret key. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'. "
            "(Production is the default; for local work set SHELTER_ENV=development, "
            "as `make run` and `make test` do.)"
        )
    return _development_secret_key()


SECRET_KEY = _secret_key()
DEBUG = env_bool("SHELTER_DEBUG", False)
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("SHELTER_DEBUG cannot be on with SHELTER_ENV=production.")

ALLOWED_HOSTS = env_list(
    "SHELTER_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("SHELTER_ALLOWED_HOSTS must list the host names in production.")
if PRODUCTION and "*" in ALLOWED_HOSTS:
    # "*" answers for any Host header: password-reset and invitation links, and the redirects
    # after sign-in, could then be built on an attacker's host name.
    raise ImproperlyConfigured(
        "SHELTER_ALLOWED_HOSTS='*' is refused in production: list the site's host names, "
        "e.g. SHELTER_ALLOWED_HOSTS=shelter.example.org.")
CSRF_TRUSTED_ORIGINS = env_list("SHELTER_CSRF_TRUSTED_ORIGINS")

# Master keys (key-encryption keys) live outside the database, in a key file (or a KMS later).
SHELTER_MASTER_KEY_FILE = os.environ.get("SHELTER_MASTER_KEY_FILE", "")
if not SHELTER_MASTER_KEY_FILE:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SHELTER_MASTER_KEY_FILE is not set. Shelter refuses to start in production without "
            "a master key file (see SECURITY.md, 'Keys')."
        )
    SHELTER_MASTER_KEY_FILE = str(VAR_DIR / "keys" / "master.json")
elif PRODUCTION and not Path(SHELTER_MASTER_KEY_FILE).is_file():
    raise ImproperlyConfigured(
        f"SHELTER_MASTER_KEY_FILE points to {SHELTER_MASTER_KEY_FILE}, which does not exist."
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp_webauthn",
    "guardian",
    "django_countries",
    "shelter.accounts",
    "shelter.crypto",
    "shelter.audit",
    "shelter.register",
    "shelter.mail",
    "shelter.notifications",
    "cases",
    "cases.sharing",
    "cases.logistics",
    "housing",
    "budget",
    "shelter.jobs",  # last: its ready() imports every app's jobs.py
]

MIDDLEWARE = [
    # /health/live and /health/ready are answered first: no session, host check or audit entry.
    "shelter.health.HealthMiddleware",
    "shelter.middleware.RequestContextMiddleware",
    "shelter.mail.middleware.DeliverAfterResponseMiddleware",
    "shelter.crypto.middleware.KeyCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shelter.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check reads the form: files are stored only for views that take them.
    "shelter.crypto.middleware.UploadGateMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # django-otp's, remembering the verified device and the role with the session.
    "shelter.accounts.middleware.OTPSessionMiddleware",
    "shelter.accounts.middleware.SessionExpiryMiddleware",
    "shelter.accounts.alerts.DeviceCookieMiddleware",
    "shelter.accounts.middleware.RequireTwoFactorMiddleware",
    "shelter.accounts.middleware.PhishingResistantMiddleware",
    "shelter.middleware.TraceContextMiddleware",
    "shelter.audit.web.AuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cases.sharing.middleware.ShareEndedMiddleware",  # last: sees the guards' 404 first
]
if PRODUCTION:
    # Production serves its static files itself (whitenoise), from STATIC_ROOT as
    # `collectstatic` wrote it: hashed names, compressed, cached for a year. They leave just
    # below Django's security middleware (nosniff), above the pages' CSP and no-store headers.
    # Development and tests serve the source folders through runserver and the test client.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "shelter.urls"
WSGI_APPLICATION = "shelter.wsgi.application"
ASGI_APPLICATION = "shelter.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shelter" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shelter.accounts.context_processors.navigation",
                "shelter.notifications.context_processors.bell",
            ],
            "libraries": {"form_fields": "shelter.form_fields"},
        },
    },
]
# Django's form renderer, with the common widgets written in Python (the same HTML).
FORM_RENDERER = "shelter.form_renderer.QuickRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shelter.sqlite3'}"),
        # Production keeps a connection per worker thread for a minute (measured in
        # bench/bench_load.py: 1.5x the requests per second of a new connection per request),
        # checked before reuse, so a restarted database costs one failed check, not a 500.
        conn_max_age=env_int("SHELTER_DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=env_bool("SHELTER_DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Serialise writers up front (BEGIN IMMEDIATE) so concurrent writes queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # secure_delete zeroes freed pages, so shredded keys leave no remnants in the file;
        # WAL makes each commit (one audit entry per request) a single cheap append.
        {"transaction_mode": "IMMEDIATE", "timeout": 20,
         "init_command": "PRAGMA secure_delete=ON; PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The password backend stays first: the invitation and password pages sign in with
# AUTHENTICATION_BACKENDS[0]. The single sign-on backend authenticates nobody through
# `authenticate()` (only its callback signs in); it is listed so its sessions stay valid.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
    "shelter.accounts.sso.ShelterOIDCBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in protection: lock an account (and, separately, an IP address) after repeated failures.
SHELTER_LOCKOUT_ATTEMPTS = env_int("SHELTER_LOCKOUT_ATTEMPTS", 5)
SHELTER_LOCKOUT_IP_ATTEMPTS = env_int("SHELTER_LOCKOUT_IP_ATTEMPTS", 20)
SHELTER_LOCKOUT_MINUTES = env_int("SHELTER_LOCKOUT_MINUTES", 15)
OTP_TOTP_ISSUER = "Shelter"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
SHELTER_BACKUP_CODES = 10
SHELTER_RECENT_OTP_MINUTES = env_int("SHELTER_RECENT_OTP_MINUTES", 15)
# Case shares expire after at most this many days; break-glass openings last this long.
SHELTER_SHARE_MAX_DAYS = env_int("SHELTER_SHARE_MAX_DAYS", 180)
SHELTER_BREAK_GLASS_MINUTES = env_int("SHELTER_BREAK_GLASS_MINUTES", 60)
# A defender's (and companion's) passport must be valid this many months beyond the departure.
SHELTER_PASSPORT_VALID_MONTHS = env_int("SHELTER_PASSPORT_VALID_MONTHS", 6)
# The monthly allowance in euros (a decimal string; the budget's schedule form starts from it
# and may change it per generation).
SHELTER_MONTHLY_ALLOWANCE = os.environ.get("SHELTER_MONTHLY_ALLOWANCE", "1000.00")

# Sessions: idle expiry (refreshed on every request) and an absolute limit.
SHELTER_SESSION_IDLE_MINUTES = env_int("SHELTER_SESSION_IDLE_MINUTES", 30)
SHELTER_SESSION_MAX_HOURS = env_int("SHELTER_SESSION_MAX_HOURS", 12)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = SHELTER_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False  # touched at most once a minute (SessionExpiryMiddleware)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# Transport security: on unless explicitly in development/test over plain HTTP.
# SHELTER_HTTPS=off in production is accepted only behind a TLS-terminating proxy that says so
# (SHELTER_BEHIND_PROXY): the proxy then redirects to HTTPS, while browsers still reach the site
# over TLS, so cookies stay secure and HSTS stays on.
BEHIND_PROXY = env_bool("SHELTER_BEHIND_PROXY", False)
HTTPS = env_bool("SHELTER_HTTPS", PRODUCTION)
if PRODUCTION and not HTTPS and not BEHIND_PROXY:
    raise ImproperlyConfigured(
        "SHELTER_HTTPS is off in production and SHELTER_BEHIND_PROXY is not set: sign-in "
        "cookies would travel over plain HTTP. Serve over HTTPS (leave SHELTER_HTTPS unset), "
        "or, if a TLS-terminating proxy is in front and sets X-Forwarded-Proto, set "
        "SHELTER_BEHIND_PROXY=1.")
TLS_AT_BROWSER = HTTPS or (PRODUCTION and BEHIND_PROXY)
SESSION_COOKIE_SECURE = TLS_AT_BROWSER
CSRF_COOKIE_SECURE = TLS_AT_BROWSER
LANGUAGE_COOKIE_SECURE = TLS_AT_BROWSER
SECURE_SSL_REDIRECT = HTTPS and env_bool("SHELTER_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SHELTER_HSTS_SECONDS", 31536000) if TLS_AT_BROWSER else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = TLS_AT_BROWSER
SECURE_HSTS_PRELOAD = TLS_AT_BROWSER and env_bool("SHELTER_HSTS_PRELOAD", True)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if PRODUCTION and not SECURE_SSL_REDIRECT:
        SILENCED_SYSTEM_CHECKS = ["security.W008"]  # the proxy redirects to HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Single sign-on for staff (OpenID Connect, shelter.accounts.sso). Without an issuer it is off:
# no button, and its pages answer 404. Endpoints come from the issuer's discovery document.
SHELTER_OIDC_ISSUER = os.environ.get("SHELTER_OIDC_ISSUER", "").strip()
SHELTER_OIDC_CLIENT_ID = os.environ.get("SHELTER_OIDC_CLIENT_ID", "").strip()
SHELTER_OIDC_CLIENT_SECRET = os.environ.get("SHELTER_OIDC_CLIENT_SECRET", "")
SHELTER_OIDC_SCOPES = os.environ.get("SHELTER_OIDC_SCOPES", "openid email profile").strip()
SHELTER_OIDC_GROUPS_CLAIM = os.environ.get("SHELTER_OIDC_GROUPS_CLAIM", "").strip()
SHELTER_OIDC_REQUIRED_GROUP = os.environ.get("SHELTER_OIDC_REQUIRED_GROUP", "").strip()
SHELTER_OIDC_MFA_ACR = env_list("SHELTER_OIDC_MFA_ACR")
SHELTER_OIDC_BUTTON_LABEL = os.environ.get("SHELTER_OIDC_BUTTON_LABEL", "").strip()
if SHELTER_OIDC_ISSUER:
    _issuer = urlsplit(SHELTER_OIDC_ISSUER)
    if PRODUCTION and _issuer.scheme != "https":
        raise ImproperlyConfigured("SHELTER_OIDC_ISSUER must be an https:// URL in production: "
                                   "ID tokens and keys must not travel over plain HTTP.")
    if _issuer.scheme not in {"https", "http"} or not _issuer.netloc:
        raise ImproperlyConfigured("SHELTER_OIDC_ISSUER must be the provider's issuer URL.")
    if not SHELTER_OIDC_CLIENT_ID or not SHELTER_OIDC_CLIENT_SECRET:
        raise ImproperlyConfigured("SHELTER_OIDC_ISSUER is set: set SHELTER_OIDC_CLIENT_ID and "
                                   "SHELTER_OIDC_CLIENT_SECRET too.")
    if "openid" not in SHELTER_OIDC_SCOPES.split():
        raise ImproperlyConfigured("SHELTER_OIDC_SCOPES must include openid.")
if bool(SHELTER_OIDC_GROUPS_CLAIM) != bool(SHELTER_OIDC_REQUIRED_GROUP):
    raise ImproperlyConfigured("Set both SHELTER_OIDC_GROUPS_CLAIM and "
                               "SHELTER_OIDC_REQUIRED_GROUP, or neither.")

# With single sign-on on, the security-headers middleware adds the provider's origin to
# form-action (sign-out posts a form that redirects to the provider's logout page).
SHELTER_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "shelter" / "locale"]
# Dates in words ("5 januari 2027" / "5 January 2027") and date inputs typed the local way
# ("05-01-2027" / "05/01/2027", ISO accepted too): shelter/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["shelter.formats"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "shelter" / "static"]
STATIC_ROOT = Path(os.environ.get("SHELTER_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("SHELTER_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"  # documents are only ever streamed through views, decrypted
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "documents"), "base_url": None},
    },
    # Production: `collectstatic` writes hashed, compressed copies and a manifest, so a file's
    # name changes with its content and it can be cached for a year (whitenoise serves them).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Documents on S3-compatible object storage instead (requirements-s3.txt). Credentials come
# from boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or an instance role),
# never from these settings. Objects hold ciphertext only.
if _s3_bucket := os.environ.get("SHELTER_DOCUMENTS_S3_BUCKET", "").strip():
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "SHELTER_DOCUMENTS_S3_BUCKET is set but django-storages is not installed: "
            "pip install -r requirements-s3.txt")
    STORAGES["documents"] = {
        "BACKEND": "shelter.crypto.s3.TracedS3Storage",
        "OPTIONS": {
            "bucket_name": _s3_bucket,
            "location": os.environ.get("SHELTER_DOCUMENTS_S3_PREFIX", "documents"),
            "endpoint_url": os.environ.get("SHELTER_DOCUMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("SHELTER_DOCUMENTS_S3_REGION") or None,
            "file_overwrite": False, "default_acl": "private", "querystring_auth": True,
            "max_memory_size": 0,  # the 5 MiB part buffer stays in memory (ciphertext only)
        },
    }
SHELTER_MAX_UPLOAD_MB = env_int("SHELTER_MAX_UPLOAD_MB", 100)
# Closed cases are crypto-shredded this long after they end (apply_retention); about 24 months.
SHELTER_RETENTION_DAYS = env_int("SHELTER_RETENTION_DAYS", 730)
# Scheduled jobs (manage.py run_due_jobs): a runner's lease on a job lasts this long, so a
# crashed runner's lock frees itself. The daily audit checkpoint is written, one file a day, to
# SHELTER_CHECKPOINT_DIR: outside the database, readable by the service account only.
SHELTER_JOB_LEASE_MINUTES = env_int("SHELTER_JOB_LEASE_MINUTES", 30)
# Successful job runs older than this are forgotten (each job's last success is kept).
SHELTER_JOB_LOG_DAYS = env_int("SHELTER_JOB_LOG_DAYS", 90)
SHELTER_CHECKPOINT_DIR = os.environ.get("SHELTER_CHECKPOINT_DIR", "").strip()
if not SHELTER_CHECKPOINT_DIR:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SHELTER_CHECKPOINT_DIR is not set. Production needs a directory outside the "
            "database (and outside its backups) for the daily audit checkpoints "
            "(see SECURITY.md, 'Audit checkpoints').")
    SHELTER_CHECKPOINT_DIR = str(VAR_DIR / "checkpoints")
# Never spool uploads to a plaintext temp file: the encrypting handler seals chunks as they arrive.
# Files are refused unless the upload gate (shelter.crypto.middleware.UploadGateMiddleware)
# lets a marked view have the encrypting handler; plaintext never reaches a temp file.
FILE_UPLOAD_HANDLERS = ["shelter.crypto.uploads.RefusingUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Outgoing mail: invitations and password-reset links. Production sends over SMTP (STARTTLS on
# by default); development prints each mail on the console. Never the file backend: it would
# leave working sign-in links on disk.
EMAIL_BACKEND = os.environ.get(
    "SHELTER_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    raise ImproperlyConfigured("SHELTER_EMAIL_BACKEND: the file backend would store invitation "
                               "and password-reset links on disk; use SMTP or the console.")
EMAIL_HOST = os.environ.get("SHELTER_EMAIL_HOST", "localhost")
EMAIL_USE_TLS = env_bool("SHELTER_EMAIL_TLS", PRODUCTION)
EMAIL_USE_SSL = env_bool("SHELTER_EMAIL_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set one of SHELTER_EMAIL_TLS (STARTTLS) and SHELTER_EMAIL_SSL.")
EMAIL_PORT = env_int("SHELTER_EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = os.environ.get("SHELTER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SHELTER_EMAIL_PASSWORD", "")
EMAIL_TIMEOUT = env_int("SHELTER_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("SHELTER_FROM_EMAIL", "shelter@localhost")
EMAIL_SUBJECT_PREFIX = ""
# The outbox (shelter.mail): a mail is queued with the business event and attempted once after
# the commit with this short timeout (the request's answer never waits for it); the
# send_queued_mail job retries with backoff (1, 2, 4 ... minutes, at most 6 hours), at most
# SHELTER_MAIL_PER_RUN mails a run, and gives up after SHELTER_MAIL_MAX_ATTEMPTS.
SHELTER_MAIL_ATTEMPT_TIMEOUT = env_int("SHELTER_MAIL_ATTEMPT_TIMEOUT", 3)
SHELTER_MAIL_MAX_ATTEMPTS = env_int("SHELTER_MAIL_MAX_ATTEMPTS", 8)
SHELTER_MAIL_PER_RUN = env_int("SHELTER_MAIL_PER_RUN", 100)
# A run of the job stops starting new mails after this many seconds (the rest wait a minute).
SHELTER_MAIL_BATCH_SECONDS = env_int("SHELTER_MAIL_BATCH_SECONDS", 60)
# A password-reset link works for this long, once; at most this many links per address an hour.
# The forgotten-password form answers no faster than SHELTER_PASSWORD_RESET_MIN_SECONDS, whether
# or not the address has an account (a mail sent takes time; an unknown address would not).
SHELTER_PASSWORD_RESET_MINUTES = env_int("SHELTER_PASSWORD_RESET_MINUTES", 60)
SHELTER_PASSWORD_RESET_PER_HOUR = env_int("SHELTER_PASSWORD_RESET_PER_HOUR", 3)
SHELTER_PASSWORD_RESET_MIN_SECONDS = float(
    os.environ.get("SHELTER_PASSWORD_RESET_MIN_SECONDS", "1.5"))

SHELTER_SITE_URL = os.environ.get("SHELTER_SITE_URL", "")
# Where the municipality publishes its register of processing activities: the base of each
# version's URI in the processing log (dpl.core.processing_activity_id); the site's own
# /register/ pages when empty.
SHELTER_REGISTER_BASE_URI = os.environ.get("SHELTER_REGISTER_BASE_URI", "").strip()
# The site's own address: the passkeys' relying party and the links in mails (sent by a job,
# with no request to take a host from) depend on it, so production names it, over https.
if PRODUCTION and urlsplit(SHELTER_SITE_URL).scheme != "https":
    raise ImproperlyConfigured(
        "SHELTER_SITE_URL must be set to the site's https address in production, e.g. "
        "https://shelter.leiden.nl (passkeys and the links in mails depend on it).")

# Passkeys and security keys (django-otp-webauthn) are a second factor only, never a way in on
# their own. The relying party is the site: its host name is the RP id, its origin the only
# origin allowed (development and tests: http://localhost:8000).
_SITE = urlsplit(SHELTER_SITE_URL or "http://localhost:8000")
OTP_WEBAUTHN_RP_ID = _SITE.hostname
OTP_WEBAUTHN_RP_NAME = "Shelter"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"{_SITE.scheme}://{_SITE.netloc}"]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Our helper: user verification required, attestation "none", registrations saved by a service.
OTP_WEBAUTHN_HELPER_CLASS = "shelter.accounts.webauthn.ShelterWebAuthnHelper"
# Failures a browser can cause are answered (400) and logged by us, briefly, never at ERROR.
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = ""

# Roles that must sign in with a passkey or security key, or single sign-on with the provider's
# proven MFA (role keys: coordinator, case_officer, partner, auditor). For them an authenticator
# or backup code is a recovery: allowed, recorded loudly, shown to coordinators. A passkey added
# in such a recovery session may not remove other passkeys for SHELTER_RECOVERY_PASSKEY_DAYS.
SHELTER_REQUIRE_PHISHING_RESISTANT = roles_from_keys(
    env_list("SHELTER_REQUIRE_PHISHING_RESISTANT", "coordinator,auditor" if PRODUCTION else ""),
    "SHELTER_REQUIRE_PHISHING_RESISTANT")
SHELTER_RECOVERY_PASSKEY_DAYS = env_int("SHELTER_RECOVERY_PASSKEY_DAYS", 7)

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors get nothing

# Logs: one JSON object per line in production (shelter.logs: time, level, logger,
# message, request id; the request line adds method, route name, status and duration), readable
# lines in development (SHELTER_LOG_FORMAT=json or plain to choose). Request details (URLs with
# query strings, POST data) and exception messages can carry personal data: never logged.
# The web service logs to stdout (deploy/gunicorn.conf.py sets SHELTER_LOG_STREAM=stdout);
# management commands to stderr, so that what they print (a checkpoint, a report) stays clean.
SHELTER_LOG_FORMAT = os.environ.get("SHELTER_LOG_FORMAT", "json" if PRODUCTION else "plain")
if SHELTER_LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("SHELTER_LOG_FORMAT must be json or plain.")
SHELTER_LOG_STREAM = os.environ.get("SHELTER_LOG_STREAM", "stderr")
if SHELTER_LOG_STREAM not in {"stdout", "stderr"}:
    raise ImproperlyConfigured("SHELTER_LOG_STREAM must be stdout or stderr.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "shelter.logs.RequestIdFilter"},
                "request_details": {"()": "shelter.logs.RequestDetailsFilter"}},
    "formatters": {
        "json": {"()": "shelter.logs.JsonFormatter"},
        "plain": {"()": "shelter.logs.PlainFormatter",
                  "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": f"ext://sys.{SHELTER_LOG_STREAM}",
                             "formatter": SHELTER_LOG_FORMAT,
                             "filters": ["request_id", "request_details"]}},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # One line per request only where it is wanted: production, or SHELTER_REQUEST_LOG=1.
        "shelter.request": {"handlers": ["console"], "propagate": False,
                            "level": "INFO" if env_bool("SHELTER_REQUEST_LOG", PRODUCTION)
                            else "WARNING"},
        "shelter": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}
