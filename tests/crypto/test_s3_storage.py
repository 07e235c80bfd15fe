"""Documents on S3-compatible object storage (django-storages' S3Storage, S3 simulated by moto).

The same code path as production with `STORAGES["documents"]` pointed at a bucket: the raw
objects hold ciphertext only, no temporary file (plaintext or not) is created on the way in or
out, multipart uploads round-trip, tampering is detected and aborted uploads leave nothing.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.management import CommandError, call_command
from moto import mock_aws

from cases.models import Document
from shelter.crypto.api import open_document
from shelter.crypto.documents import EncryptingWriter, document_storage, store_document
from shelter.crypto.exceptions import DecryptionFailed, StorageNotOurs
from shelter.crypto.storagemark import MARKER_NAME
from shelter.crypto.stream import CHUNK
from tests.factories import MARKER, make_marked_document

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "shelter-documents-test"
REGION = "eu-west-1"
PART = 5 * 2**20  # S3's smallest multipart part: django-storages' default write buffer


@pytest.fixture
def bucket(settings, monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                        # the simulated server keeps objects in memory, not in temp files
                        "MOTO_S3_DEFAULT_KEY_BUFFER_SIZE": str(64 * 2**20)}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET,
                             CreateBucketConfiguration={"LocationConstraint": REGION})
        settings.STORAGES = {**settings.STORAGES, "documents": {
            "BACKEND": "shelter.crypto.s3.TracedS3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "region_name": REGION, "location": "documents",
                        "file_overwrite": False, "default_acl": "private"},
        }}
        yield client


@pytest.fixture
def no_temp_files(monkeypatch):
    """Creating a temporary file on disk fails the test (django-storages' in-memory part
    buffer, a SpooledTemporaryFile that never rolls over, is allowed)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a temporary file was created")

    for name in ("TemporaryFile", "NamedTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    return refuse


def raw_objects(client) -> dict[str, bytes]:
    """Every object but the installation marker (see test_the_marker_claims_the_bucket)."""
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            for item in listing if item["Key"] != f"documents/{MARKER_NAME}"}


def read_all(doc: Document) -> bytes:
    return b"".join(open_document(Document.objects.get(pk=doc.pk), actor=None))


def test_the_documents_storage_is_the_bucket(bucket):
    from storages.backends.s3 import S3Storage

    storage = document_storage()
    assert type(storage).__name__ == "TracedS3Storage" and isinstance(storage, S3Storage)
    assert storage.transfer_config.use_threads is False


@pytest.mark.parametrize("size", [0, CHUNK - 1, PART + CHUNK + 3])
def test_objects_hold_ciphertext_only_and_round_trip(bucket, case, size):
    content = (MARKER.encode() * (size // len(MARKER) + 1))[:size]
    doc = make_marked_document(case, content)
    objects = raw_objects(bucket)
    assert list(objects) == [f"documents/{doc.storage_name}"]
    assert MARKER.encode() not in objects[f"documents/{doc.storage_name}"]
    assert len(objects[f"documents/{doc.storage_name}"]) > size  # header and tags
    assert read_all(doc) == content


def test_a_large_document_goes_in_and_out_without_a_file_on_disk(bucket, case, no_temp_files,
                                                                 monkeypatch):
    content = os.urandom(2 * PART + 12345)  # three multipart parts
    doc = make_marked_document(case, content)
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", no_temp_files)  # reads: not even that
    assert read_all(doc) == content


def test_a_flipped_bit_in_the_object_aborts_the_download(bucket, case):
    doc = make_marked_document(case, os.urandom(3 * CHUNK))
    key = f"documents/{doc.storage_name}"
    data = bytearray(raw_objects(bucket)[key])
    data[CHUNK + 50] ^= 1
    bucket.put_object(Bucket=BUCKET, Key=key, Body=bytes(data))
    with pytest.raises(DecryptionFailed):
        read_all(doc)


def test_a_cut_object_never_completes(bucket, case):
    doc = make_marked_document(case, os.urandom(2 * CHUNK + 10))
    key = f"documents/{doc.storage_name}"
    bucket.put_object(Bucket=BUCKET, Key=key, Body=raw_objects(bucket)[key][:-20])
    with pytest.raises(DecryptionFailed):
        read_all(doc)


def test_an_aborted_upload_leaves_no_object(bucket, case):
    writer = EncryptingWriter()
    writer.write(os.urandom(PART + 1))  # one part already sent
    writer.abort()
    assert raw_objects(bucket) == {}


def test_a_failing_source_leaves_no_object(bucket, case):
    class Broken(io.RawIOBase):
        calls = 0

        def readable(self):
            return True

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 3:
                raise OSError("client went away")
            return b"x" * 65536

    with pytest.raises(OSError):
        store_document(case.id, Broken(), document_id=uuid.uuid4())
    assert raw_objects(bucket) == {}


def test_verify_encryption_and_the_orphan_sweep_work_on_the_bucket(bucket, case, capsys):
    doc = make_marked_document(case, b"kept" * 1000)
    orphan = EncryptingWriter()
    orphan.write(b"never committed")
    orphan.finish()
    call_command("verify_encryption")
    assert "documents ok: 1" in capsys.readouterr().out
    call_command("sweep_orphan_files", "--min-age", "0")
    assert list(raw_objects(bucket)) == [f"documents/{doc.storage_name}"]


def _documents_setting(**env: str) -> subprocess.CompletedProcess:
    code = ("import json; from django.conf import settings; "
            "print(json.dumps(settings.STORAGES['documents']))")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("SHELTER_DOCUMENTS_S3")}
    environment.update(SHELTER_ENV="development", DJANGO_SETTINGS_MODULE="shelter.settings", **env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_a_bucket_in_the_environment_moves_documents_to_s3():
    result = _documents_setting(SHELTER_DOCUMENTS_S3_BUCKET="cases-eu",
                                SHELTER_DOCUMENTS_S3_ENDPOINT_URL="https://s3.example.nl")
    storage = json.loads(result.stdout)
    assert storage["BACKEND"] == "shelter.crypto.s3.TracedS3Storage"
    assert storage["OPTIONS"]["region_name"] is None
    assert {k: storage["OPTIONS"][k] for k in ("bucket_name", "endpoint_url", "location",
                                               "default_acl", "file_overwrite")} == {
        "bucket_name": "cases-eu", "endpoint_url": "https://s3.example.nl",
        "location": "documents", "default_acl": "private", "file_overwrite": False}


def test_without_a_bucket_documents_stay_on_the_file_system():
    result = _documents_setting()
    assert json.loads(result.stdout)["BACKEND"] == \
        "django.core.files.storage.FileSystemStorage"


def _marker(client) -> dict:
    body = client.get_object(Bucket=BUCKET, Key=f"documents/{MARKER_NAME}")["Body"].read()
    return json.loads(body)


def test_the_marker_claims_the_bucket_and_another_installation_cannot_sweep_it(bucket, case):
    from shelter.crypto.models import Installation
    from shelter.crypto.storagemark import forget_claims

    doc = make_marked_document(case, b"kept" * 1000)
    ours = str(Installation.objects.get().installation_id)
    assert _marker(bucket) == {"format": "shelter-storage/1", "installation": ours}
    orphan = EncryptingWriter()
    orphan.write(b"never committed")
    orphan.finish()
    before = raw_objects(bucket)
    Installation.objects.update(installation_id=uuid.uuid4())  # as another database would be
    forget_claims()
    with pytest.raises(CommandError, match="belongs to another installation"):
        call_command("sweep_orphan_files", "--min-age", "0")
    with pytest.raises(StorageNotOurs):
        make_marked_document(case, b"not here")
    assert raw_objects(bucket) == before and _marker(bucket)["installation"] == ours
    assert f"documents/{doc.storage_name}" in before


def test_an_unmarked_bucket_is_swept_only_after_it_is_marked(bucket, case):
    doc = make_marked_document(case, b"kept" * 1000)
    orphan = EncryptingWriter()
    orphan.write(b"never committed")
    orphan.finish()
    bucket.delete_object(Bucket=BUCKET, Key=f"documents/{MARKER_NAME}")
    before = raw_objects(bucket)
    with pytest.raises(CommandError, match="carries no installation marker"):
        call_command("sweep_orphan_files", "--min-age", "0")
    assert raw_objects(bucket) == before
    call_command("sweep_orphan_files", "--mark-storage", stdout=io.StringIO())
    call_command("sweep_orphan_files", "--min-age", "0", stdout=io.StringIO())
    assert list(raw_objects(bucket)) == [f"documents/{doc.storage_name}"]


def test_requests_to_the_store_carry_the_trace(bucket):
    """The current request's traceparent goes with every call to the bucket (signed with it)."""
    from shelter.context import RequestInfo, current_request

    storage = document_storage()
    seen = []
    storage.connection.meta.client.meta.events.register(
        "before-sign.s3", lambda request, **kwargs: seen.append(request.headers.get("traceparent")))
    storage.save("untraced.bin", io.BytesIO(b"x"))
    token = current_request.set(RequestInfo("a" * 32, None, "", span_id="b" * 16))
    try:
        storage.save("traced.bin", io.BytesIO(b"y"))
        assert storage.exists("traced.bin")
    finally:
        current_request.reset(token)
    assert seen[0] is None
    assert seen[-1] == f"00-{'a' * 32}-{'b' * 16}-00"
    assert all(header in (None, f"00-{'a' * 32}-{'b' * 16}-00") for header in seen)
