"""A kind's summary rendered late: in the language active when it is shown (each language of
a mail, the reader's page), not when the mail or page context was built."""

from __future__ import annotations

from shelter.notifications.kinds import Kind


class Summary:
    def __init__(self, spec: Kind, count: int) -> None:
        self.spec, self.count = spec, count

    def __str__(self) -> str:
        return str(self.spec.summary(self.count))

