"""English formats: dates in words on pages ("5 January 2027"), typed day first as dd/mm/yyyy
(the British way: the programme is in Europe, and 05/01 must not mean 1 May to one person and
5 January to another). ISO dates (2027-01-05) are always accepted too."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y", "%d-%m-%y"]
