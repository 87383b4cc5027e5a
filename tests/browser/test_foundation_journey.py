"""The first journey: log in, see your own branch in Chinese, switch to English."""

import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_branch_manager_logs_in_sees_own_branch_and_switches_language(log_in, live_server):
    manager = factories.BranchManagerFactory(
        username="bj", branch=factories.BranchFactory(code="bj", name="北京分公司")
    )
    factories.OfficeFactory(branch=manager.branch, name="海淀支公司")
    factories.OfficeFactory(
        branch=factories.BranchFactory(code="cq", name="重庆分公司"), name="万州中心支公司"
    )

    page = log_in("bj")
    body = page.inner_text("body")
    assert "北京分公司" in body and "海淀支公司" in body
    assert "重庆分公司" not in body and "万州中心支公司" not in body
    assert "退出" in body  # the interface speaks Chinese by default

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "Log out" in page.inner_text("body")
    assert page.locator("html").get_attribute("lang") == "en"


def test_wrong_password_gets_a_clear_message(page, live_server, db):
    factories.UserFactory(username="someone")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "someone")
    page.fill("input[name=password]", "wrong")
    page.click("form button[type=submit].btn-primary")
    assert "请输入一个正确的" in page.inner_text("body")
