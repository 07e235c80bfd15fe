"""The outbox: mails are queued as intentions (a kind, a recipient, ids and counts) and rendered
only when they are sent. See `shelter.mail.outbox` and docs/ARCHITECTURE.md, "Mail"."""
