"""`sealed_date` writes what logistics/_date.html (kept here as it was) wrote, in English and
Dutch, for a day, no day and a value withheld by its integrity check."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Engine
from django.utils import translation

from shelter.crypto.integrity import Withheld

OLD = Engine().from_string('{% if value.is_withheld %}{{ value }}{% else %}'
                           '{{ value|date:"DATE_FORMAT"|default:"—" }}{% endif %}\n')
NEW = Engine(libraries={"logistics_dates": "cases.logistics.templatetags.logistics_dates"}
             ).from_string("{% load logistics_dates %}{{ value|sealed_date }}\n")


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("value", [datetime.date(2027, 1, 5), None, "", Withheld()])
def test_sealed_date_writes_what_the_include_wrote(value, language):
    with translation.override(language):
        assert NEW.render(Context({"value": value})) == OLD.render(Context({"value": value}))
