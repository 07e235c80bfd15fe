"""Compile gettext catalogues (.po → .mo) in pure Python, so a fresh machine needs no gettext."""

from __future__ import annotations

import ast
import struct
from pathlib import Path


def _join_entry(entry: dict[str, list[str]]) -> tuple[str, str] | None:
    if "msgid" not in entry:
        return None
    msgid = "".join(entry["msgid"])
    if "msgctxt" in entry:
        msgid = "".join(entry["msgctxt"]) + "\x04" + msgid
    if "msgid_plural" in entry:
        msgid += "\x00" + "".join(entry["msgid_plural"])
        forms = sorted((k for k in entry if k.startswith("msgstr[")), key=lambda k: int(k[7:-1]))
        msgstr = "\x00".join("".join(entry[k]) for k in forms)
    else:
        msgstr = "".join(entry.get("msgstr", []))
    if not msgstr.replace("\x00", "") and msgid:
        return None  # untranslated: gettext falls back to the msgid
    return msgid, msgstr


def parse_po(text: str) -> dict[str, str]:
    """The translated, non-fuzzy messages of a .po file, keyed as gettext expects."""
    messages: dict[str, str] = {}
    entry: dict[str, list[str]] = {}
    key, fuzzy = "", False

    def flush() -> None:
        nonlocal entry, fuzzy
        joined = None if fuzzy else _join_entry(entry)
        if joined:
            messages[joined[0]] = joined[1]
        entry, fuzzy = {}, False

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            if any(k.startswith("msgstr") for k in entry):
                flush()
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
        elif line.startswith('"'):
            entry[key].append(ast.literal_eval(line))
        elif line:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in entry):
                flush()
            key = keyword
            entry[key] = [ast.literal_eval(rest)]
    flush()
    return messages


def write_mo(messages: dict[str, str], path: Path) -> None:
    """Write a GNU .mo file: header, two offset tables, then the NUL-terminated strings."""
    keys = sorted(messages)
    ids, strs, table = b"", b"", []
    for key in keys:
        k, v = key.encode(), messages[key].encode()
        table.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\x00"
        strs += v + b"\x00"
    count = len(keys)
    key_start = 7 * 4 + 16 * count
    value_start = key_start + len(ids)
    key_offsets = b"".join(struct.pack("<2I", length, key_start + off)
                           for off, length, _, _ in table)
    value_offsets = b"".join(struct.pack("<2I", length, value_start + off)
                             for _, _, off, length in table)
    header = struct.pack("<7I", 0x950412DE, 0, count, 7 * 4, 7 * 4 + 8 * count, 0, 0)
    path.write_bytes(header + key_offsets + value_offsets + ids + strs)


def compile_catalogues(root: Path) -> list[Path]:
    """Compile every .po under root (outside the virtualenv) next to itself."""
    written = []
    for po in sorted(root.rglob("*.po")):
        if ".venv" in po.parts or "node_modules" in po.parts:
            continue
        mo = po.with_suffix(".mo")
        write_mo(parse_po(po.read_text(encoding="utf-8")), mo)
        written.append(mo)
    return written
