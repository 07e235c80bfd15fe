"""The notification centre: in-app notifications, per-user preferences, content-free mail and
the daily digest. Apps declare their kinds in their own `notifications.py` (see `kinds`) and
call `api.notify`; see docs/ARCHITECTURE.md, "Notifications"."""
