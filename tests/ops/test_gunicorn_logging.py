"""gunicorn's own log lines (deploy/gunicorn.conf.py's logger): query strings and one-time
tokens masked in messages and tracebacks, and JSON lines in production."""

from __future__ import annotations

import io
import json
import logging
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("gunicorn")


def gunicorn_logger(monkeypatch, **env: str):
    """The configured logger class, set up as gunicorn's arbiter does, writing into a buffer."""
    from gunicorn.config import Config

    for name in ("SHELTER_LOG_FORMAT", "SHELTER_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("gunicorn.error", "gunicorn.access"):  # a fresh logger for each test
        log = logging.getLogger(name)
        monkeypatch.setattr(log, "handlers", [])
        monkeypatch.setattr(log, "filters", [])
    settings = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config = Config()
    config.set("errorlog", "-")
    config.set("accesslog", None)
    config.set("loglevel", "debug")
    logger = settings["logger_class"](config)
    buffer = io.StringIO()
    for handler in logger.error_log.handlers:
        handler.setStream(buffer)
    return logger, buffer


def test_error_lines_lose_query_strings_and_one_time_tokens(monkeypatch):
    logger, buffer = gunicorn_logger(monkeypatch, SHELTER_ENV="development")
    logger.warning("Invalid request from ip=10.0.0.1: Invalid HTTP request line: "
                   "'GET /cases/?q=Ana+Demo+P%C3%A9rez HTTP/1.1'")
    logger.info("Error handling request %s %s", "GET", "/accounts/invitation/MTIz/tok-4f9c/")
    text = buffer.getvalue()
    assert "Ana" not in text and "q=" not in text and "tok-4f9c" not in text
    assert "GET /cases/?…" in text and "/accounts/invitation/…/…/" in text


def test_a_traceback_is_masked_too(monkeypatch):
    logger, buffer = gunicorn_logger(monkeypatch, SHELTER_ENV="development")
    try:
        raise ValueError("/accounts/password/reset/MTIz/secret-token/?email=olaf@example.org")
    except ValueError:
        logger.exception("Error handling request %s", "/cases/?q=Heron+Name")
    text = buffer.getvalue()
    assert "Traceback" in text and "ValueError" in text
    assert "secret-token" not in text and "olaf@example.org" not in text
    assert "Heron" not in text


def test_production_writes_json_lines(monkeypatch):
    logger, buffer = gunicorn_logger(monkeypatch, SHELTER_ENV="production")
    logger.info("Booting worker with pid: %s", 1234)
    logger.error("Error handling request GET /cases/?q=Name")
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [r["message"] for r in records] == ["Booting worker with pid: 1234",
                                               "Error handling request GET /cases/?…"]
    assert {r["logger"] for r in records} == {"gunicorn.error"}
    assert [r["level"] for r in records] == ["INFO", "ERROR"]
