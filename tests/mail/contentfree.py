"""The content-free rule for mail: a mail carries counts and links, never a defender's data.

`assert_content_free(raw)` scans a message's raw bytes, and its decoded text (a base64 or
quoted-printable body would hide a name from a byte scan), for the demo's legal names, passport
numbers, phone numbers and addresses, housing addresses, note texts and document names, and for
any extra needles a test adds (its own marked defender)."""

from __future__ import annotations

import email
from email.message import Message

from cases import demo as case_demo
from housing import demo as housing_demo

DEMO_NOTES = ["Demonotitie: eerste contact via het nationale coördinatiepunt.",
              "Demonotitie (vertrouwelijk): heeft liever een vrouwelijke arts.",
              "Demo: besloten door de selectiecommissie."]
DEMO_DOCUMENTS = ["programma-demo.txt", "Demoprogramma: gesprekken met de gemeenteraad"]


def demo_needles() -> list[str]:
    needles: list[str] = []
    for code, legal_name, passport, *_rest in case_demo.DEMO:
        needles += [legal_name, passport, f"{code.lower()}@example.invalid"]
        needles += legal_name.split()[::2]  # given name and surname alone
    needles += [unit[-1] for unit in housing_demo.UNITS]  # invented street addresses
    needles += [unit[-1].split(",")[0] for unit in housing_demo.UNITS]
    needles += ["+00 000 0000"] + DEMO_NOTES + DEMO_DOCUMENTS
    return needles


def _decoded(message: Message) -> str:
    parts = []
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if payload:
            parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    headers = email.header.make_header(email.header.decode_header(message["Subject"] or ""))
    return str(headers) + "\n" + "\n".join(parts)


def defender_data_in(raw: bytes, extra: list[str] = ()) -> list[str]:
    """The needles found in one message (raw bytes and decoded text); [] when content-free."""
    text = _decoded(email.message_from_bytes(raw))
    return [n for n in [*demo_needles(), *extra]
            if n.encode() in raw or n.encode("utf-8") in raw or n in text]


def assert_content_free(raw: bytes, extra: list[str] = ()) -> None:
    found = defender_data_in(raw, list(extra))
    assert not found, f"defender data in a mail: {found}"
