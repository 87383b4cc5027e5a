"""Issue 13, point 7: every error page in the user's language and the site's
layout. 400, 403 and 404 (with DEBUG off as in production, and on as in the
demo) show the whole navigation; 500 and 503 the layout rendered without the
request, so without a database query, and a plain page should even that fail;
a refused form (CSRF) says how to send it again."""

import re

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils import translation

from config import errors, safe_pages
from config import urls as site_urls

pytestmark = pytest.mark.django_db


# A URL configuration with the site's URLs and handlers, plus two views that fail.
def boom(request):
    raise RuntimeError("a bug: traceback detail 0xDEADBEEF")


def database_down(request):
    raise OperationalError('connection to server at "10.0.0.5", port 5432 failed')


urlpatterns = [
    path("boom/", boom),
    path("database-down/", database_down),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


@pytest.fixture
def failing_views(settings):
    settings.ROOT_URLCONF = __name__


NAV_LINKS = ("campaign-list", "visit-list", "action-list", "specialist-list")


def has_navigation(body: str) -> bool:
    nav = re.search(r'<nav class="navbar.*?</nav>', body, re.S)
    return nav is not None and all(f'href="{reverse(name)}"' in nav.group(0) for name in NAV_LINKS)


def error_card(body: str, status: int) -> str:
    card = re.search(
        rf'<div[^>]*data-testid="error-page" data-status="{status}">.*?</div>\s*</div>', body, re.S
    )
    assert card, body[:500]
    return card.group(0)


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


# --- 403 and 404: the whole layout, with the user's navigation ------------------------


def test_a_404_is_in_chinese_with_the_navigation(client, world, debug):
    client.force_login(world.manager_a)
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in error_card(body, 404)
    assert has_navigation(body) and 'data-testid="current-user"' in body
    assert "Page not found at" not in body and "URLconf" not in body  # Django's debug page


def test_a_404_raised_by_a_view_is_the_site_s_page_and_still_logged(
    client, world, visit_b, debug, caplog
):
    client.force_login(world.manager_a)
    response = client.get(reverse("visit-detail", args=[visit_b.pk]))
    body = response.content.decode()
    assert response.status_code == 404 and has_navigation(body)
    assert "乙一支公司" not in body
    assert "access denied (404): user=manager-a" in caplog.text


def test_with_debug_on_a_missing_slash_is_still_added(client, world, debug):
    client.force_login(world.manager_a)
    response = client.get("/visits")
    assert response.status_code == 301 and response["Location"] == "/visits/"


def test_a_403_is_in_chinese_with_the_navigation(client, world, debug):
    client.force_login(world.manager_a)
    response = client.get(reverse("action-stats"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "无权操作" in error_card(body, 403)
    assert has_navigation(body)
    assert "403 Forbidden" not in body


def test_the_error_pages_follow_the_language_switch(client, world, settings):
    client.force_login(world.manager_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/no-such-page/").content.decode()
    assert "Page not found" in error_card(body, 404) and '<html lang="en">' in body


def test_a_refused_form_says_how_to_send_it_again(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.inspector_a)
    response = client.post(reverse("set_language"), {"language": "en"})
    body = response.content.decode()
    assert response.status_code == 403
    card = error_card(body, 403)
    assert "表单已过期" in card and "刷新页面" in card
    assert has_navigation(body)


# --- 500 and 503: the layout without the database ----------------------------------------


def test_a_500_is_in_chinese_in_the_site_s_layout(world, failing_views):
    client = Client(raise_request_exception=False)
    client.force_login(world.manager_a)
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    card = error_card(body, 500)
    assert "系统错误" in card and "请稍后重试" in card
    assert has_navigation(body)
    assert "0xDEADBEEF" not in body and "Traceback" not in body
    # Rendered without the request: no user name, no session read for it.
    assert 'data-testid="current-user"' not in body


def test_a_503_is_in_chinese_in_the_site_s_layout(world, failing_views):
    client = Client(raise_request_exception=False)
    client.force_login(world.manager_a)
    response = client.get("/database-down/")
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    card = error_card(body, 503)
    assert "系统暂时无法连接数据库，请稍后重试" in card
    assert has_navigation(body)
    assert "10.0.0.5" not in body and "OperationalError" not in body


@pytest.mark.parametrize("status", [500, 503])
def test_the_500_and_503_pages_make_no_database_query(status, django_assert_num_queries):
    request = RequestFactory().get("/visits/")
    with translation.override("zh-hans"), django_assert_num_queries(0):
        response = errors.server_error(request) if status == 500 else safe_pages.safe_page(503)
    assert response.status_code == status
    assert has_navigation(response.content.decode())


@pytest.mark.parametrize(("status", "text"), [(500, "系统错误"), (503, "系统暂时无法连接数据库")])
def test_an_error_page_that_cannot_render_falls_back_to_a_plain_page(
    status, text, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry for 'css/app.css'")

    monkeypatch.setattr(safe_pages.loader, "render_to_string", broken)
    with translation.override("zh-hans"):
        response = safe_pages.safe_page(status)
    body = response.content.decode()
    assert response.status_code == status
    assert text in body and '<a href="/">返回首页</a>' in body
    assert "manifest" not in body
    assert f"the {status} page could not be rendered" in caplog.text
