"""Documents on S3-compatible object storage: django-storages' S3Storage, with every request
to the store carrying the current request's W3C `traceparent` (Logboek Dataverwerkingen: the
trace is passed on to outgoing calls), and transfers in the calling thread.

Imported only where STORAGES["documents"] names it (requirements-s3.txt installs boto3).
"""

from __future__ import annotations

from typing import Any

from boto3.s3.transfer import TransferConfig
from storages.backends.s3 import S3Storage

from shelter.context import outgoing_traceparent


def _add_traceparent(request: Any, **_kwargs: Any) -> None:
    """botocore's before-sign hook: the header is signed with the rest of the request."""
    header = outgoing_traceparent()
    if header:
        request.headers["traceparent"] = header


class TracedS3Storage(S3Storage):
    """S3Storage whose client passes the trace on. Transfers run in the calling thread: the
    trace lives in the request's context, which s3transfer's worker threads would not see,
    and a web worker's thread should not start more of its own."""

    def __init__(self, **settings: Any) -> None:
        settings.setdefault("transfer_config", TransferConfig(use_threads=False))
        super().__init__(**settings)

    @property
    def connection(self) -> Any:
        connection = super().connection
        events = connection.meta.client.meta.events
        if not getattr(connection, "_shelter_traced", False):
            events.register("before-sign.s3", _add_traceparent,
                            unique_id="shelter-traceparent")
            connection._shelter_traced = True
        return connection
