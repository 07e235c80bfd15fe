"""Scheduled work: a registry of jobs, a runner that runs what is due once, and its log.

`manage.py run_due_jobs` is the one entry point (a systemd timer or cron in production, a loop
in `make run`, the tests). See docs/ARCHITECTURE.md, "Scheduled jobs".
"""
