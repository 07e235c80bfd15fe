"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the mail tests: fixture `smtp_server`.

The server can be stopped and started again on the same port, so a test can have the mail
server down, then up."""

from __future__ import annotations

import email
import socket
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[Message]:
        return [email.message_from_bytes(e.content) for e in self.envelopes]

    def raw(self) -> list[bytes]:
        return [bytes(e.original_content or e.content) for e in self.envelopes]


class SMTPServer:
    def __init__(self) -> None:
        self.inbox, self.port = Inbox(), free_port()
        self.controller: Controller | None = None

    @property
    def envelopes(self) -> list:
        return self.inbox.envelopes

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def settings(self) -> dict:
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": self.port, "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False, "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "",
                "EMAIL_TIMEOUT": 2, "SHELTER_MAIL_ATTEMPT_TIMEOUT": 2,
                "DEFAULT_FROM_EMAIL": "shelter@municipality.example"}
