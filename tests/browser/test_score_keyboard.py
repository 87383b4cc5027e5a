"""Scoring by keyboard still works beside the touch buttons: Tab reaches a
score's buttons and its input, arrow keys move through the buttons (and write
the value), and a typed value lights the button of that value, if any."""

import pytest
from playwright.sync_api import expect

from scoring.answers import field_name
from scoring.engine import score_choices
from scoring.models import Sheet
from scoring.selectors import sheet_definition

from .test_visit_journey import visit_setup  # noqa: F401  (the same visit)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_arrow_keys_and_typing_beside_the_buttons(log_in, live_server, visit_setup):  # noqa: F811
    visit, claims_clerk, _change_clerk = visit_setup
    sheet = Sheet.objects.get(rubric=visit.campaign.rubric, code="new_business")
    definition = sheet_definition(sheet=sheet)
    section = next(s for p in definition.parts for s in p.sections if s.scoring == "item_points")
    item = section.items[0]
    part = next(p for p in definition.parts if section in p.sections)
    name = field_name(part.key, section.key, item=item.key)
    choices = [str(v) for v in score_choices(item.points)]

    page = log_in("bj-inspector")
    page.goto(
        f"{live_server.url}/visits/{visit.pk}/sheets/new/?sheet={sheet.pk}&specialist={claims_clerk.pk}"
    )
    field = page.locator(f'[name="{name}"]')
    buttons = page.locator(f'[name="pick:{name}"]')
    # The keyboard: focus the first button, arrows move and write the value.
    buttons.first.focus()
    page.keyboard.press("Space")
    expect(field).to_have_value(choices[0])
    page.keyboard.press("ArrowRight")
    expect(field).to_have_value(choices[1])
    expect(buttons.nth(1)).to_be_checked()
    # Tab goes on from the group to the input, which takes any value typed.
    page.keyboard.press("Tab")
    expect(field).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("0")
    expect(buttons.last).to_be_checked()  # 0 is offered: its button lights
    field.fill("0.5" if "0.5" not in choices else "0.1")
    for index in range(len(choices)):
        expect(buttons.nth(index)).not_to_be_checked()
