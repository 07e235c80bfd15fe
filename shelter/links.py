"""Links for tables of many rows: a route reversed once, each row's arguments put in its place.

`reverse()` resolves the route and checks every argument against its converter, for every
call: a table of fifty rows, or a timeline of a few thousand cells, paid that per link. Here
the route is reversed once with sample arguments, and each link is the address with the row's
arguments quoted as `reverse()` quotes them. `kept_link_maker` keeps each such function for the
process (per URLconf and script prefix, as Django keeps one resolver per URLconf), for the
links every request of a page makes again (the case page's tabs).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# What reverse() leaves unescaped in a path segment (RFC 3986 sub-delimiters, ":" and "@").
SAFE = "!$&'()*+,;=~:@"
# Samples each converter accepts and no address contains elsewhere.
SAMPLE_INT = 918273645
SAMPLE_UUID = "00000000-0000-0000-0000-000000000000"
SAMPLE_UUID2 = "00000000-0000-0000-0000-000000000001"  # a route's second UUID
SAMPLE_STR = "SAMPLEARGUMENT"


def link_maker(viewname: str, *samples: object) -> Callable[..., str]:
    """A function of the route's arguments to its address: `reverse(viewname, args=...)` for
    arguments the route's converters accept (the caller's values are ids of that kind).

    `samples` are one value per argument, in order, that the converters accept and that
    appear nowhere else in the address (`SAMPLE_INT`, `SAMPLE_UUID`, `SAMPLE_STR`).
    """
    if not samples:
        raise TypeError("link_maker is for routes with arguments; use reverse()")
    rest, parts = reverse(viewname, args=list(samples)), []
    for sample in samples:
        before, found, rest = rest.partition(str(sample))
        if not found:
            raise ValueError(f"{viewname}: the address does not show {sample!r} as given")
        parts.append(before)
    head, tails = parts[0], [*parts[1:], rest]

    def link(*args: object) -> str:
        if len(args) != len(samples):
            raise TypeError(f"{viewname} takes {len(samples)} argument(s)")
        return head + "".join(quote(str(arg), safe=SAFE) + tail
                              for arg, tail in zip(args, tails, strict=True))

    return link


def kept_link_maker(viewname: str, *samples: object) -> Callable[..., str]:
    """`link_maker(viewname, *samples)`, made once for the URLconf and script prefix in force."""
    return _kept(viewname, samples, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.lru_cache(maxsize=256)
def _kept(viewname: str, samples: tuple, urlconf: str, prefix: str) -> Callable[..., str]:
    return link_maker(viewname, *samples)
