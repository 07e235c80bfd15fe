"""gunicorn's configuration for Shelter: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be changed through the environment (the systemd unit's EnvironmentFile);
deploy/.env.example lists them. gunicorn reads this file as Python, so it stays free of
Django: nothing here imports the project.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import traceback

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "shelter.wsgi:application"
# The app's own log (JSON lines in production, shelter.logs) goes to stdout with the access log.
os.environ.setdefault("SHELTER_LOG_STREAM", "stdout")

# Listen on loopback only by default: the TLS-terminating proxy in front connects here.
bind = os.environ.get("SHELTER_BIND", "127.0.0.1:8000").split(",")

# Threaded workers (gthread): CPUs + 1 processes of 4 threads each, chosen by measurement
# (`make bench`, bench/bench_load.py; the figures are in the README's Production section).
# The proxy passes request bodies through unbuffered (no plaintext in its temp files), so an
# upload holds its thread for as long as the line takes. With one request per process (sync
# workers), as many slow uploads as processes stop the site for everyone; with 12 threads on
# 2 CPUs, pages stay fast meanwhile. On plain page load the threads cost a little throughput
# against sync workers (the GIL), which the database connection reuse more than repays.
workers = _int("SHELTER_WEB_WORKERS", multiprocessing.cpu_count() + 1)
threads = _int("SHELTER_WEB_THREADS", 4)
# A worker is recycled after this many requests (with jitter, so they do not all restart at
# once): long-lived processes return the memory that big pages and uploads left behind.
max_requests = _int("SHELTER_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = _int("SHELTER_WEB_MAX_REQUESTS_JITTER", 200)

# A worker that stops answering its master's heartbeat for this long is killed and replaced.
# With threads (the default) the heartbeat runs beside the requests, so a long upload over a
# slow line is not cut off; the proxy's timeouts bound idle clients (deploy/nginx.conf.example).
# With sync workers (SHELTER_WEB_THREADS=1) it is the limit of each request.
timeout = _int("SHELTER_WEB_TIMEOUT", 60)
# On SIGTERM (systemctl stop / restart) workers finish the requests they have, for this long.
graceful_timeout = _int("SHELTER_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("SHELTER_WEB_KEEPALIVE", 5)

# Request line and header limits: a request line longer than this is refused with 414, and a
# request with more or longer headers with 400 (gunicorn's defaults written out, so they are
# reviewed rather than inherited).
limit_request_line = _int("SHELTER_WEB_LIMIT_REQUEST_LINE", 4094)
limit_request_fields = _int("SHELTER_WEB_LIMIT_REQUEST_FIELDS", 100)
limit_request_field_size = _int("SHELTER_WEB_LIMIT_REQUEST_FIELD_SIZE", 8190)

# Only the proxy may say which scheme and client address a request came with
# (X-Forwarded-Proto / -For). Loopback by default: the proxy runs on the same machine.
forwarded_allow_ips = os.environ.get("SHELTER_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log to stdout (the journal). The request is logged by its path only (%(U)s), never
# with its query string (%(q)s, %(r)s): searches and filters can hold a name. Paths carry
# only ids, except the one-time links of invitations and password resets, whose token is in
# the path: the logger below masks it. The X-Request-ID links a line to the app's own log.
accesslog = os.environ.get("SHELTER_WEB_ACCESS_LOG", "-") or None
access_log_format = ('%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms '
                     '"%({x-request-id}o)s"')
errorlog = "-"

# The one-time links (/accounts/invitation/<uid>/<token>/, /accounts/password/reset/<uid>/<token>/)
# would hand an unopened invitation to whoever reads the log: their last two segments are masked.
_ONE_TIME = ("/accounts/invitation/", "/accounts/password/reset/")
_QUERY = re.compile(r"\?[^\s\"']*")
_ONE_TIME_PATH = re.compile(r"(/accounts/(?:invitation|password/reset)/)[^\s\"'?]*")


def _masked(text: str) -> str:
    """A line of gunicorn's own without query strings or one-time tokens: its messages quote
    the request line ("Error handling request GET /cases/?q=…", "Invalid request from …")."""
    return _ONE_TIME_PATH.sub(r"\1…/…/", _QUERY.sub("?…", text))


class _MaskingFilter(logging.Filter):
    """Masks a record of gunicorn's error log, message and traceback (rendered here, so the
    handler never formats the unmasked one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = _masked(record.getMessage()), ()
        if record.exc_info:
            record.exc_text = _masked("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        return True


def _json_wanted() -> bool:
    chosen = os.environ.get("SHELTER_LOG_FORMAT", "").strip().lower()
    if chosen:
        return chosen == "json"
    return os.environ.get("SHELTER_ENV", "production") == "production"


class _MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):  # noqa: ANN001, ANN201 (gunicorn's API)
        atoms = super().atoms(resp, req, environ, request_time)
        path = atoms.get("U", "")
        for prefix in _ONE_TIME:
            if path.startswith(prefix):
                atoms["U"] = prefix + "…/…/"
        return atoms

    def setup(self, cfg):  # noqa: ANN001, ANN201 (gunicorn's API)
        super().setup(cfg)
        if not any(isinstance(f, _MaskingFilter) for f in self.error_log.filters):
            self.error_log.addFilter(_MaskingFilter())
        if _json_wanted():
            # Production's journal gets JSON lines from gunicorn too, like the app's own
            # (shelter.logs, imported only now: this file stays importable without the app).
            from shelter.logs import JsonFormatter

            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())


logger_class = _MaskingLogger
loglevel = os.environ.get("SHELTER_WEB_LOG_LEVEL", "info")

# Heartbeat files of the workers in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# TLS directly in gunicorn only for `make serve` (a throw-away self-signed certificate on
# 127.0.0.1); production terminates TLS at the proxy (deploy/nginx.conf.example).
certfile = os.environ.get("SHELTER_WEB_CERTFILE") or None
keyfile = os.environ.get("SHELTER_WEB_KEYFILE") or None

proc_name = "shelter"
# No runtime control socket (gunicornc): systemd's reload (HUP) and stop (TERM) are the only
# controls, and nothing is created in the service account's home or runtime directory.
control_socket_disable = True
