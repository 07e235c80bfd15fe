"""sweep_orphan_files cannot delete another installation's documents.

Two databases sharing one media folder used to see each other's documents as orphans, and the
sweep deleted them. The store now carries its installation's id: the other installation can
neither sweep it nor store into it.
"""

from __future__ import annotations

import pytest

from shelter.crypto import keyfile
from shelter.crypto.storagemark import MARKER_NAME
from tests.crypto.processes import environment, manage, shell

STORE = (
    "import io\n"
    "from cases.models import Case, Defender, Document\n"
    "from shelter.crypto.api import store_document\n"
    "d = Defender(code_name='Kite', legal_name='x'); d.save()\n"
    "c = Case(defender=d); c.save()\n"
    "for i in range(3):\n"
    "    doc = Document(case=c)\n"
    "    stored = store_document(c.id, io.BytesIO(b'content' * 100), document_id=doc.id)\n"
    "    doc.apply_stored_file(stored, filename='a.pdf', content_type='application/pdf')\n"
    "    doc.save()\n"
    "print('stored')\n"
)


def files(media) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


@pytest.fixture
def two_installations(tmp_path):
    """Two databases (SQLite files), each with its own key file, sharing one media folder."""
    envs = []
    for name in ("one", "two"):
        key = tmp_path / name / "master.json"
        keyfile.generate_key_file(key)
        env = environment(tmp_path / name, f"sqlite:///{tmp_path / name / 'db.sqlite3'}", key)
        env["SHELTER_MEDIA_ROOT"] = str(tmp_path / "media")
        result = manage(env, "migrate", "--noinput")
        assert result.returncode == 0, result.stderr
        envs.append(env)
    return envs, tmp_path / "media"


def test_the_second_installation_sweeps_nothing_and_stores_nothing(two_installations):
    (first, second), media = two_installations
    stored = shell(first, STORE)
    assert stored.returncode == 0, stored.stderr
    before = files(media)
    swept = manage(second, "sweep_orphan_files", "--min-age", "0")
    assert files(media) == before  # the first installation's three documents are all there
    assert f"documents/{MARKER_NAME}" in before and len(before) == 4
    assert swept.returncode != 0 and "belongs to another installation" in swept.stderr
    assert "Nothing was deleted" in swept.stderr
    refused = shell(second, STORE)
    assert refused.returncode != 0 and "stored" not in refused.stdout
    assert "belongs to another installation" in refused.stderr
    assert files(media) == before

    own = manage(first, "sweep_orphan_files", "--min-age", "0")
    assert own.returncode == 0 and "0 orphaned file(s) deleted" in own.stdout
    assert files(media) == before


def test_a_store_without_a_marker_is_not_swept_until_marked(two_installations):
    (first, second), media = two_installations
    assert shell(first, STORE).returncode == 0
    (media / "documents" / MARKER_NAME).unlink()  # as on a store from before the marker
    before = files(media)
    swept = manage(second, "sweep_orphan_files", "--min-age", "0")
    assert swept.returncode != 0 and "carries no installation marker" in swept.stderr
    assert files(media) == before
    marked = manage(first, "sweep_orphan_files", "--mark-storage")
    assert marked.returncode == 0, marked.stderr
    assert manage(second, "sweep_orphan_files", "--mark-storage").returncode != 0
    assert manage(second, "sweep_orphan_files", "--min-age", "0").returncode != 0
    assert files(media) == before | {f"documents/{MARKER_NAME}"}
