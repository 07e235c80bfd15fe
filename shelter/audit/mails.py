"""The mail the access log sends: the day's checkpoint, to every active auditor.

The checkpoint (sequence number, head hash, MAC) is no personal data; it is what an auditor
keeps outside the system, so a later `verify_audit_log --checkpoint` can show the log was not
cut short or rewritten. The queued mail holds only the day and the sequence number: the hash
and MAC are read from that day's file in SHELTER_CHECKPOINT_DIR when the mail goes out (and
its MAC checked), so the outbox row carries nothing a forger could use.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shelter.audit.chain import CheckpointInvalid, parse_checkpoint
from shelter.audit.checkpoints import checkpoint_path
from shelter.mail.outbox import Drop
from shelter.mail.registry import MailKind, register


def _checkpoint_context(user: Any, params: dict[str, Any]) -> dict[str, Any]:
    if not user.is_auditor:  # no longer an auditor (or deactivated) since it was queued
        raise Drop("not_auditor")
    try:
        path = checkpoint_path(str(params["day"]))
        checkpoint = parse_checkpoint(path.read_text())
    except (KeyError, ValueError, OSError, CheckpointInvalid):
        raise Drop("no_checkpoint") from None
    if checkpoint.seq != params.get("seq"):
        raise Drop("no_checkpoint")
    base = (settings.SHELTER_SITE_URL or "http://localhost:8000").rstrip("/")
    return {"day": params["day"], "seq": checkpoint.seq, "hash": checkpoint.hash,
            "mac": checkpoint.mac, "line": checkpoint.as_json(),
            "link": base + reverse("audit:chain")}


register(MailKind(
    name="audit_checkpoint", subject=_("Shelter access log checkpoint"),
    template="audit/email/checkpoint.txt", context=_checkpoint_context))
