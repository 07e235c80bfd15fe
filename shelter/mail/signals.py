"""What the outbox announces; the access log records it (shelter.audit.receivers).

`mail_finished(mail, outcome, reason)`: a mail of an audited kind was sent (`outcome` "sent"),
dropped or given up (`reason` a short code). Sent inside the transaction that marks the row.
"""

from __future__ import annotations

from django.dispatch import Signal

mail_finished = Signal()
