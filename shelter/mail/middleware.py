"""Mails committed during a request are attempted after its answer has been sent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.http import HttpRequest, HttpResponse

from shelter.mail import outbox

logger = logging.getLogger("shelter.mail")


def _attempt_all(pending: list[int]) -> None:
    # Django's response.close() swallows a closer's exception: log it here, or a database
    # error after the answer would vanish. The job retries whatever is still queued.
    while pending:
        pk = pending.pop(0)
        try:
            outbox.attempt(pk)
        except Exception as error:
            logger.error("mail: #%s attempt after the response failed (%s)", pk,
                         type(error).__name__)


class DeliverAfterResponseMiddleware:
    """The mail server is talked to once the answer is out (the WSGI server closes the
    response after writing it): a slow or absent server never delays a page, and the
    forgotten-password answer does not tell by its timing whether a mail was queued."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with outbox.deferred_to_after_response() as pending:
            response = self.get_response(request)
        if pending:
            response._resource_closers.append(partial(_attempt_all, pending))
        return response
