"""Dutch is complete: every message in the catalogue is translated, and the catalogue holds
every message the source code uses (when GNU gettext is available to extract them)."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

from shelter.accounts.management.commands.compile_translations import compile_catalogues

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "shelter" / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def _messages(po: polib.POFile) -> set[tuple[str | None, str]]:
    """(context, msgid) of every live entry, the header left out."""
    return {(entry.msgctxt, entry.msgid) for entry in po if entry.msgid and not entry.obsolete}


def test_every_dutch_message_is_translated_and_not_fuzzy():
    po = polib.pofile(str(CATALOGUE))
    missing = [entry.msgid for entry in po.untranslated_entries()]
    assert not missing, f"{len(missing)} untranslated: {missing[:10]}"
    assert not po.fuzzy_entries()


def test_the_compiled_catalogue_serves_django(settings):
    compile_catalogues(CATALOGUE.parents[2])
    with translation.override("nl"):
        assert translation.gettext("Confirm it is you") == "Bevestig dat u het bent"


def test_compiling_leaves_out_fuzzy_and_untranslated_entries(tmp_path):
    source = tmp_path / "nl" / "LC_MESSAGES" / "django.po"
    source.parent.mkdir(parents=True)
    source.write_text('''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Cancel"
msgstr "Annuleren"

#, fuzzy
msgid "Confirm"
msgstr "Bevestig maar"

msgid "Not yet"
msgstr ""

msgctxt "month"
msgid "May"
msgstr "mei"

msgid "%(n)d night"
msgid_plural "%(n)d nights"
msgstr[0] "%(n)d nacht"
msgstr[1] "%(n)d nachten"
''', encoding="utf-8")
    assert compile_catalogues(tmp_path) == [source.with_suffix(".mo")]
    with source.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.gettext("Cancel") == "Annuleren"
    assert compiled.gettext("Confirm") == "Confirm"  # fuzzy: the source text
    assert compiled.gettext("Not yet") == "Not yet"
    assert compiled.pgettext("month", "May") == "mei"
    assert compiled.ngettext("%(n)d night", "%(n)d nights", 3) == "%(n)d nachten"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_catalogue_holds_every_message_in_the_source(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", "var", ".git", "node_modules", "__pycache__", "tests", "bench"))
    env = {"SHELTER_ENV": "development", "SHELTER_VAR_DIR": str(tmp_path / "var"),
           "PATH": "/usr/bin:/bin:/usr/local/bin"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-location",
                    "--ignore=var"], cwd=copy, env=env, check=True, capture_output=True)
    fresh = _messages(polib.pofile(str(copy / CATALOGUE.relative_to(ROOT))))
    known = _messages(polib.pofile(str(CATALOGUE)))
    assert not sorted(fresh - known), f"run `make messages` and translate: {sorted(fresh - known)}"


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def test_every_translation_keeps_the_placeholders_of_its_message():
    """A msgstr that drops or renames a placeholder breaks the page (KeyError) in Dutch only."""
    wrong = []
    for entry in polib.pofile(str(CATALOGUE)):
        if not entry.msgid or entry.obsolete:
            continue
        if entry.msgid_plural:
            allowed = [sorted(PLACEHOLDER.findall(entry.msgid)),
                       sorted(PLACEHOLDER.findall(entry.msgid_plural))]
            wrong += [entry.msgid for text in entry.msgstr_plural.values()
                      if sorted(PLACEHOLDER.findall(text)) not in allowed]
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr)):
            wrong.append(entry.msgid)
    assert not wrong, f"placeholders differ: {wrong[:10]}"


def test_djangos_messages_the_app_shows_are_dutch_too(settings):
    """Django's own catalogue can lag behind its source (5.2 renamed the minimum-length
    message): every password rule's message and help text must come out in Dutch."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    compile_catalogues(CATALOGUE.parents[2])

    def words(language: str) -> list[str]:
        with translation.override(language):
            said = []
            for validator in password_validation.get_default_password_validators():
                said.append(str(validator.get_help_text()))
                try:
                    validator.validate("1234", user=None)
                except ValidationError as error:
                    said += error.messages
            return said

    english, dutch = words("en"), words("nl")
    assert len(english) == len(dutch) > len(settings.AUTH_PASSWORD_VALIDATORS)
    untranslated = [text for text, same in zip(english, dutch, strict=True) if text == same]
    assert not untranslated, f"English on the Dutch page: {untranslated}"
