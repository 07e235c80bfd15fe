"""The UNION over a case's parts is written once per process from the models' names: it finds
the same ids, in the form the log stores them, as the ORM finds per part (SQLite and
PostgreSQL), and only the case id is a parameter."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from cases import services
from shelter.audit import selectors
from tests.factories import make_case, make_share, sent_queries

pytestmark = pytest.mark.django_db


def _orm_ids(case) -> dict:
    found = {}
    for model in selectors._case_parts():
        ids = [str(pk) for pk in model._default_manager.filter(case_id=case.pk)
               .values_list("pk", flat=True)]
        if ids:
            found[model] = sorted(ids)
    return found


def test_the_parts_ids_are_the_orms(carla, olaf, pia):
    heron, plover = make_case(carla, officer=olaf), make_case(carla, code_name="Plover",
                                                              officer=olaf)
    for case in (heron, plover):
        services.note_create(case=case, category="general", body="x", acting_user=olaf)
        services.task_create(case=case, title="A task", acting_user=olaf)
    make_share(heron, carla, user=pia)
    make_share(heron, carla, user=pia, sections=["basic", "housing"])
    services.case_transition(case=heron, to="under_review", acting_user=olaf)
    services.activity_create(case=heron, acting_user=olaf, day=datetime.date.today(),
                             starts="10:00", title="Lecture", kind="lecture")

    for case in (heron, plover):
        found = {model: sorted(ids) for model, ids in selectors._part_ids(str(case.pk)).items()}
        assert found == _orm_ids(case)
    assert len(found) >= 2 and len(_orm_ids(heron)) >= 5


def test_one_statement_with_the_case_id_as_its_only_parameter(carla, olaf):
    heron = make_case(carla, officer=olaf)
    sql, models = selectors._part_ids_sql(connection.vendor)
    assert sql.count("%s") == len(models) == sql.count("SELECT")
    assert str(heron.pk) not in sql and heron.pk.hex not in sql
    assert len(sent_queries(lambda: selectors._part_ids(str(heron.pk)))) == 1
