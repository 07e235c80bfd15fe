"""Settings for the test suite: the production settings with test-only environment defaults."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_tmp = Path(tempfile.mkdtemp(prefix="shelter-test-"))
os.environ.setdefault("SHELTER_ENV", "test")
os.environ.setdefault("SHELTER_VAR_DIR", str(_tmp))
os.environ.setdefault("SHELTER_MEDIA_ROOT", str(_tmp / "media"))
if not os.environ.get("SHELTER_MASTER_KEY_FILE"):
    from shelter.crypto.keyfile import generate_key_file

    os.environ["SHELTER_MASTER_KEY_FILE"] = str(_tmp / "keys" / "master.json")
    generate_key_file(os.environ["SHELTER_MASTER_KEY_FILE"])

from shelter.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; Argon2 is tested
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests assert on English text; Dutch is exercised explicitly (language switch, catalogue tests).
LANGUAGE_CODE = "en"
