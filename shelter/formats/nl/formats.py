"""Dutch formats: dates in words on pages ("5 januari 2027"), typed as dd-mm-jjjj.

Django merges these over its own Dutch formats; ISO dates (2027-01-05) are always accepted as
input too (Django adds them to every *_INPUT_FORMATS)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y", "%d/%m/%y"]
