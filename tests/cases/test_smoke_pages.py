from django.urls import reverse


def test_every_case_page_renders_for_the_assigned_officer(as_user, olaf, case):
    client = as_user(olaf)
    for name in ["profile", "residency", "documents", "notes", "tasks", "history", "transition",
                 "defender_edit", "case_edit"]:
        response = client.get(reverse(f"cases:{name}", args=[case.pk]))
        assert response.status_code == 200, name
    assert client.get(reverse("cases:list")).status_code == 200
    assert client.get(reverse("cases:create")).status_code == 200
