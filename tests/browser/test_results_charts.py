"""The campaign results page in a real browser: static/js/charts.js draws each
chart from its table with ECharts (static/vendor/echarts) under the site's
strict CSP, without a violation or a script error, and a bar leads where its
cell's data-href says."""

import pytest
from playwright.sync_api import expect

from tests.reports import report_data as rd

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_charts_render_under_the_csp(page, log_in, live_server, world, complete_visit):
    rd.approved(world, complete_visit, world.a1)
    rd.approved(world, complete_visit, world.b1)
    console, errors = [], []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in("hq")
    url = f"{live_server.url}/campaigns/{world.campaign.pk}/results/"
    response = page.goto(url)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for table in ("results-branches", "results-distribution", "results-grades"):
        holder = page.locator(f".chart[data-chart-for='{table}']")
        expect(holder.locator("canvas")).to_have_count(1)
        box = holder.bounding_box()
        assert box["height"] > 200 and box["width"] > 200, table
        # The table stays on the page beside its chart.
        expect(page.locator(f"table#{table}")).to_be_visible()
    # A tooltip (drawn on the canvas, never as styled HTML) on hover.
    branches = page.locator(".chart[data-chart-for='results-branches']")
    box = branches.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(300)
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(300)
    refused = [line for line in console if "Content Security Policy" in line or "Refused" in line]
    assert not refused, refused
    assert not errors, errors
    assert not [line for line in console if line.startswith("error")], console


def test_a_bar_leads_to_its_branch(page, log_in, live_server, world, complete_visit):
    rd.approved(world, complete_visit, world.b1)
    log_in("hq")
    page.goto(f"{live_server.url}/campaigns/{world.campaign.pk}/results/")
    branches = page.locator(".chart[data-chart-for='results-branches']")
    expect(branches.locator("canvas")).to_have_count(1)
    # Branch B (scored, full points) has the only bar: find a point on it.
    box = branches.bounding_box()
    for fraction in (0.25, 0.3, 0.7, 0.75):
        page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.8)
        page.wait_for_timeout(200)
        if "branch=" in page.url:
            break
    assert page.url.endswith(f"?branch={world.branch_b.pk}"), page.url
    expect(page.locator("table#results-branches tbody tr")).to_have_count(1)
