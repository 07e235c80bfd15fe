"""Search by any whole name token (blind indexes of each token), and code names by prefix.

Which cases match and which do not: given name, family name, other name, two tokens (AND),
case and accents, partial token (no match), code-name prefix, never a case the reader may not
see; the tokens are HMACs in the database, recomputed on change, gone when shredded."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import selectors, services
from cases.models import Defender
from shelter.crypto.api import blind_index_hex, name_tokens
from tests.factories import make_case, make_share


@pytest.fixture
def people(carla, olaf):
    amina = make_case(carla, code_name="Falcon", legal_name="Amina Wanjiru",
                      passport_number="K100", officer=olaf)
    services.defender_update(defender=amina.defender, acting_user=carla,
                             other_names="Mama Shujaa, A. W. Kamau")
    return {
        "amina": amina,
        "amani": make_case(carla, code_name="Falconet", legal_name="Amani Otieno",
                           passport_number="K200"),
        "jose": make_case(carla, code_name="Heron", legal_name="José-María O'Brien Núñez",
                          passport_number="C300"),
        "grace": make_case(carla, code_name="Kestrel", legal_name="Grace Wanjiru",
                           passport_number="K400"),
    }


def found(user, query) -> set[str]:
    return {c.defender.code_name for c in selectors.cases_search(user, query)}


@pytest.mark.parametrize(("query", "expected"), [
    ("Amina", {"Falcon"}),                       # a given name
    ("Wanjiru", {"Falcon", "Kestrel"}),          # a family name two defenders share
    ("Kamau", {"Falcon"}),                       # from the other names
    ("Shujaa", {"Falcon"}),
    ("Amina Wanjiru", {"Falcon"}),               # two tokens: both must be there
    ("Wanjiru Amina", {"Falcon"}),               # in any order
    ("Grace Wanjiru", {"Kestrel"}),
    ("Amina Otieno", set()),                     # tokens of two different people: no match
    ("AMINA", {"Falcon"}), ("wanjiru", {"Falcon", "Kestrel"}),
    ("jose", {"Heron"}), ("JOSÉ", {"Heron"}), ("nunez", {"Heron"}), ("Núñez", {"Heron"}),
    ("maria", {"Heron"}), ("O'Brien", {"Heron"}), ("obrien", {"Heron"}),
    ("José-María", {"Heron"}),
])
def test_a_whole_name_token_finds_its_defenders(olaf, people, query, expected):
    assert found(olaf, query) == expected


@pytest.mark.parametrize("query", ["Ami", "Wanj", "anjiru", "Amin", "Jos", "Nuñ", "Brie"])
def test_a_partial_name_token_finds_nobody(olaf, people, query):
    assert found(olaf, query) == set()


@pytest.mark.parametrize(("query", "expected"), [
    ("Falc", {"Falcon", "Falconet"}), ("falcon", {"Falcon", "Falconet"}),
    ("FALCONE", {"Falconet"}), ("Her", {"Heron"}), ("k", {"Kestrel"}),
    ("alcon", set()), ("eron", set()),
])
def test_code_names_are_found_by_their_beginning(olaf, people, query, expected):
    assert found(olaf, query) == expected


def test_the_full_legal_name_and_passport_number_still_match(olaf, people):
    assert found(olaf, "aminawanjiru") == {"Falcon"}
    assert found(olaf, "k 100") == {"Falcon"}


def test_cases_the_reader_may_not_see_are_never_returned(olaf, pia, paul, carla, people):
    assert found(pia, "Wanjiru") == set()  # a partner without shares
    make_share(people["grace"], carla, user=pia, sections=("basic", "identity"))
    make_share(people["amina"], carla, user=paul, sections=("basic",))
    as_seen = {c.defender.code_name for c in selectors.cases_search_results(pia, "Wanjiru")}
    assert as_seen == {"Kestrel"}
    # A partner who sees only "basic" finds the case by code name, never by a name.
    assert selectors.cases_search_results(paul, "Amina") == []
    assert [c.defender.code_name for c in selectors.cases_search_results(paul, "Falc")] == [
        "Falcon"]


def test_the_database_holds_hmacs_of_tokens_never_the_names(people):
    defender = Defender.objects.get(pk=people["amina"].defender_id)
    stored = defender.name_tokens
    for token in ("amina", "wanjiru", "mama", "shujaa", "a", "w", "kamau"):
        assert f" {blind_index_hex('defender.name_token', token)} " in stored
    assert len(stored.split()) == 7
    assert stored.split() == sorted(stored.split())  # the order of the names is not kept
    assert "amina" not in stored.lower() and "wanjiru" not in stored.lower()


def test_changing_a_name_changes_its_tokens_in_the_same_save(carla, olaf, people):
    services.defender_update(defender=people["amina"].defender, acting_user=carla,
                             legal_name="Amina Achieng")
    assert found(olaf, "Achieng") == {"Falcon"}
    assert found(olaf, "Wanjiru") == {"Kestrel"}
    assert found(olaf, "Kamau") == {"Falcon"}  # other names unchanged, still indexed
    services.defender_update(defender=people["amina"].defender, acting_user=carla,
                             other_names="")
    assert found(olaf, "Kamau") == set()


def test_a_shredded_defender_has_no_tokens_and_is_not_found(carla, olaf, people):
    services.case_shred(case=people["grace"], acting_user=carla, reason="request")
    assert Defender.objects.get(pk=people["grace"].defender_id).name_tokens is None
    assert found(olaf, "Wanjiru") == {"Falcon"}
    assert found(olaf, "Grace") == set()


def test_reindex_names_rebuilds_lost_tokens_and_skips_shredded_defenders(carla, olaf, people,
                                                                         capsys):
    services.case_shred(case=people["grace"], acting_user=carla, reason="request")
    Defender.objects.update(name_tokens=None)
    assert found(olaf, "Amina") == set()
    call_command("reindex_names")
    assert "3 defender(s)" in capsys.readouterr().out
    assert found(olaf, "Amina") == {"Falcon"} and found(olaf, "Jose") == {"Heron"}
    assert Defender.objects.get(pk=people["grace"].defender_id).name_tokens is None


def test_name_tokens_fold_case_accents_and_punctuation():
    assert name_tokens("José-María  O’Brien, Núñez") == ["jose", "maria", "obrien", "nunez"]
    assert name_tokens(" ,; ") == []


def test_the_search_page_explains_whole_names_and_finds_by_a_given_name(as_user, olaf, people):
    response = as_user(olaf).post(reverse("cases:search"), {"query": "Amina"})
    page = response.content.decode()
    assert response.status_code == 200
    assert ">Falcon<" in page and ">Falconet<" not in page and ">Kestrel<" not in page
    assert "Whole names" in page


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_tokens_of_defenders_already_on_record(carla, olaf):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets(executor) if callable(targets) else targets)

    amina = make_case(carla, code_name="Falcon", legal_name="Amina Wanjiru", passport_number="1")
    grace = make_case(carla, code_name="Kestrel", legal_name="Grace Wanjiru", passport_number="2")
    services.case_shred(case=grace, acting_user=carla, reason="request")
    try:
        migrate([("cases", "0009_task_own_title")])  # no token column before 0010
        with connection.cursor() as cursor:
            columns = [c.name for c in connection.introspection.get_table_description(
                cursor, "cases_defender")]
        assert "name_tokens" not in columns
    finally:
        migrate(lambda executor: executor.loader.graph.leaf_nodes())
    assert Defender.objects.get(pk=amina.defender_id).name_tokens
    assert Defender.objects.get(pk=grace.defender_id).name_tokens is None
    assert found(olaf, "Wanjiru") == {"Falcon"}
