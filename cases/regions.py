"""The region of a country: the five regions of the UN's M49 standard (Africa, Americas, Asia,
Europe, Oceania), for statistics that must not get down to single countries.

Why a table here: the maintained sources either do not ship the containment data (Babel ships
CLDR's names of regions but not which countries they contain) or pull in a data-frame stack
for one lookup (country_converter needs pandas). M49 changes rarely; tests check that every
country the forms offer (django-countries) has a region, so a new code cannot go unnoticed.
Taiwan and Kosovo, which M49 does not list, are placed as CLDR places them (Asia, Europe);
Antarctica belongs to no region.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AFRICA, AMERICAS, ASIA, EUROPE, OCEANIA = "002", "019", "142", "150", "009"
UNKNOWN = ""

REGIONS = {
    AFRICA: _("Africa"), AMERICAS: _("Americas"), ASIA: _("Asia"), EUROPE: _("Europe"),
    OCEANIA: _("Oceania"), UNKNOWN: _("Region unknown"),
}

_MEMBERS = {
    AFRICA: (
        "DZ EG LY MA SD TN EH "  # Northern Africa
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW "  # Eastern
        "AO CM CF TD CG CD GQ GA ST "  # Middle
        "BW SZ LS NA ZA "  # Southern
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"),  # Western
    AMERICAS: (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "
        "BZ CR SV GT HN MX NI PA "  # Central America
        "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE "  # South America
        "BM CA GL PM US"),  # Northern America
    ASIA: (
        "KZ KG TJ TM UZ "  # Central Asia
        "CN HK MO KP JP MN KR TW "  # Eastern
        "BN KH ID LA MY MM PH SG TH TL VN "  # South-eastern
        "AF BD BT IN IR MV NP PK LK "  # Southern
        "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE"),  # Western
    EUROPE: (
        "BY BG CZ HU PL MD RO RU SK UA "  # Eastern Europe
        "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "  # Northern
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK "  # Southern
        "AT BE FR DE LI LU MC NL CH"),  # Western
    OCEANIA: (
        "AU NZ HM NF CX CC "  # Australia and New Zealand
        "FJ NC PG SB VU "  # Melanesia
        "GU KI MH FM NR MP PW UM "  # Micronesia
        "AS CK PF NU PN WS TK TO TV WF"),  # Polynesia
}

REGION_OF: dict[str, str] = {
    code: region for region, codes in _MEMBERS.items() for code in codes.split()}


def region_of(country_code: str | None) -> str:
    """The M49 region code of an ISO 3166 alpha-2 country code ("" when unknown or blank)."""
    return REGION_OF.get((country_code or "").upper(), UNKNOWN)
