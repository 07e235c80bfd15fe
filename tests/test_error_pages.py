"""Error pages keep the header, the menu and sign-out for a signed-in user, say nothing about
the failure, and never fail themselves: a failing context processor or template engine falls
back to the minimal page. Run with the test settings (DEBUG off)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.urls import path, reverse

from shelter import urls
from shelter.accounts.models import User

SECRET = "secret detail ZQXJ"
LEAKS = ("ZQXJ", "Traceback", "RuntimeError", "Exception", "File \"")


def _explode(request):
    raise RuntimeError(SECRET)


@pytest.fixture
def exploding_urls(settings):
    settings.ROOT_URLCONF = type("U", (), {
        "urlpatterns": [*urls.urlpatterns, path("explode/", _explode)],
        **{f"handler{code}": getattr(urls, f"handler{code}") for code in (400, 403, 404, 500)},
    })


def _assert_chrome(body: str, user: User, sign_out: str = "Sign out") -> None:
    assert 'class="site-header"' in body
    assert 'class="main-nav"' in body  # the menu
    assert f'action="{reverse("accounts:logout")}"' in body
    assert sign_out in body
    assert user.full_name in body  # the user's own name in the header, as on every page
    assert 'name="language"' in body  # the language switch


def _assert_reveals_nothing(body: str) -> None:
    assert not [leak for leak in LEAKS if leak in body]


def test_settings_have_debug_off():
    assert django_settings.DEBUG is False


def test_a_signed_in_users_404_keeps_header_nav_and_sign_out(carla, as_user):
    response = as_user(carla).get("/cases/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "<h1>Page not found</h1>" in body
    _assert_chrome(body, carla)
    assert "999999" not in body  # the address is not repeated, not even for the language switch
    _assert_reveals_nothing(body)


def test_an_unknown_address_is_a_404_in_the_layout(carla, as_user):
    response = as_user(carla).get("/no-such-page/")
    assert response.status_code == 404
    _assert_chrome(response.content.decode(), carla)


def test_a_signed_in_users_403_keeps_header_nav_and_sign_out(olaf, as_user):
    response = as_user(olaf).get("/accounts/people/")  # coordinators only
    assert response.status_code == 403
    body = response.content.decode()
    assert "<h1>No access</h1>" in body
    _assert_chrome(body, olaf)
    _assert_reveals_nothing(body)


def test_the_404_page_in_dutch(carla, as_user):
    client = as_user(carla)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = client.get("/cases/999999/")
    body = response.content.decode()
    assert response.status_code == 404 and '<html lang="nl">' in body
    assert "<h1>Pagina niet gevonden</h1>" in body
    _assert_chrome(body, carla, sign_out="Uitloggen")


def test_a_signed_in_users_500_keeps_header_nav_and_sign_out(carla, as_user, exploding_urls):
    client = as_user(carla)
    client.raise_request_exception = False
    response = client.get("/explode/")
    assert response.status_code == 500 and "Retry-After" not in response
    body = response.content.decode()
    assert "<h1>Something went wrong</h1>" in body
    _assert_chrome(body, carla)
    _assert_reveals_nothing(body)


def test_the_500_page_renders_when_the_nav_context_processor_raises(carla, as_user,
                                                                   exploding_urls):
    client = as_user(carla)
    client.raise_request_exception = False
    with mock.patch("shelter.accounts.context_processors.reverse",
                    side_effect=RuntimeError("nav broke ZQXJ")):
        response = client.get("/explode/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "<h1>Something went wrong</h1>" in body  # the minimal page
    assert 'class="site-header"' not in body and carla.full_name not in body
    _assert_reveals_nothing(body)


def test_the_404_page_renders_when_the_nav_context_processor_raises(carla, as_user):
    client = as_user(carla)
    with mock.patch("shelter.accounts.context_processors.reverse",
                    side_effect=RuntimeError("nav broke ZQXJ")):
        response = client.get("/cases/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "<h1>Page not found</h1>" in body and 'class="site-header"' not in body
    _assert_reveals_nothing(body)


def test_the_500_page_renders_even_when_no_template_can(carla, as_user, exploding_urls):
    client = as_user(carla)
    client.raise_request_exception = False
    with mock.patch("shelter.views.loader.render_to_string",
                    side_effect=RuntimeError("templates broke ZQXJ")):
        response = client.get("/explode/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "<h1>Something went wrong</h1>" in body and '<a href="/">' in body
    _assert_reveals_nothing(body)


def test_an_anonymous_404_has_no_user_tools(db, client):
    response = client.get("/accounts/no-such-page/")
    body = response.content.decode()
    if response.status_code == 404:  # or the sign-in redirect, which reveals nothing either
        assert "Sign out" not in body and 'class="main-nav"' not in body
    else:
        assert response.status_code == 302


def test_pages_without_a_request_use_the_minimal_layout():
    from django.template import loader

    for template in ("400.html", "403.html", "403_csrf.html", "404.html", "409.html",
                     "410.html", "500.html", "503.html"):
        body = loader.render_to_string(template)
        assert "<h1>" in body and 'class="site-header"' not in body, template
        assert '<a href="/">' in body, template
