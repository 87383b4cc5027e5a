"""Two people editing the same sheet: the later save from a stale page is refused."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections import services
from inspections.models import SheetRecord
from scoring.models import Sheet
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_save_from_a_stale_page_is_refused_and_nothing_is_overwritten(world, visit):
    sheet = Sheet.objects.get(rubric=world.campaign.rubric, code="new_business")
    parts = factories.full_sheet_parts(sheet)
    common = {
        "user": world.inspector_a,
        "visit": visit,
        "specialist": world.generalist,
        "sheet": sheet,
        "selection_method": "followed_live",
    }
    record = services.save_sheet(parts=parts, expected_version=0, **common)
    assert record.version == 1
    # A second page, opened at version 1, saves first.
    services.save_sheet(parts=parts, expected_version=1, **common)
    # The first page, still at version 1, is refused with a clear message.
    with pytest.raises(ValidationError) as caught:
        services.save_sheet(parts={}, expected_version=1, **common)
    assert services.has_code(caught.value, services.STALE)
    record = SheetRecord.objects.get()
    assert record.version == 2 and record.score == 100
    # A page that opened a new sheet cannot overwrite one saved meanwhile.
    with pytest.raises(ValidationError) as caught:
        services.save_sheet(parts=parts, expected_version=0, **common)
    assert services.has_code(caught.value, services.STALE)


def _post_sheet(client, url, rubric_sheet, version, **extra):
    data = factories.sheet_post_data(factories.full_sheet_parts(rubric_sheet)) | extra
    if version is not None:
        data["version"] = version
    return client.post(url, data)


def test_the_stale_page_says_so_keeps_what_was_typed_and_offers_a_reload(client, world, visit):
    sheet = Sheet.objects.get(rubric=world.campaign.rubric, code="new_business")
    client.force_login(world.inspector_a)
    new = reverse("visit-sheet-new", args=[visit.pk])
    pick = {"sheet": str(sheet.pk), "specialist": str(world.generalist.pk)}
    assert _post_sheet(client, new, sheet, 0, **pick).status_code == 302
    record = SheetRecord.objects.get()
    url = reverse("visit-sheet", args=[visit.pk, record.pk])
    assert _post_sheet(client, url, sheet, 1).status_code == 302  # another tab saves: v2

    field = next(
        name
        for name in factories.sheet_post_data(factories.full_sheet_parts(sheet))
        if name.endswith("-score") or "-item-" in name
    )
    response = _post_sheet(client, url, sheet, 1, **{field: "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "他人" in html and 'data-testid="reload"' in html and f'href="{url}"' in html
    assert re.search(f'name="{field}" id="[^"]*" value="1"', html)  # what was typed stays
    record.refresh_from_db()
    assert record.version == 2 and record.score == 100

    # A post without the version it was opened at never skips the check.
    assert _post_sheet(client, url, sheet, None).status_code == 200
    record.refresh_from_db()
    assert record.version == 2


def test_a_new_sheet_page_whose_sheet_was_saved_meanwhile_keeps_the_typed_data(
    client, world, visit
):
    """Two inspectors open "new 表二" for the same specialist; the second save
    is refused (not redirected, which would drop what was typed)."""
    sheet = Sheet.objects.get(rubric=world.campaign.rubric, code="new_business")
    client.force_login(world.inspector_a)
    new = reverse("visit-sheet-new", args=[visit.pk])
    pick = {"sheet": str(sheet.pk), "specialist": str(world.generalist.pk)}
    assert _post_sheet(client, new, sheet, 0, **pick).status_code == 302
    record = SheetRecord.objects.get()

    response = _post_sheet(client, new, sheet, 0, **pick, selection_method="drawn_at_random")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="reload"' in html
    assert f'href="{reverse("visit-sheet", args=[visit.pk, record.pk])}"' in html
    assert re.search(r'value="drawn_at_random"[^>]* checked', html)
    record.refresh_from_db()
    assert record.version == 1 and record.selection_method == "followed_live"


def test_a_stale_checklist_save_is_refused_and_keeps_what_was_typed(client, world, visit):
    """表七 too: two people answering the same checklist."""
    from inspections.models import ChecklistRecord

    sheet = Sheet.objects.get(rubric=world.campaign.rubric, code="etiquette")
    keys = list(factories.checklist_answers(sheet))
    url = reverse("visit-checklist", args=[visit.pk, "etiquette"])
    answers = {f"answer-{key}": "yes" for key in keys}
    client.force_login(world.inspector_a)
    opened = client.get(url, {"specialist": world.pc.pk}).content.decode()
    assert 'name="version" value="0"' in opened
    first = {"specialist": world.pc.pk, "version": 0, **answers}
    assert client.post(url, first).status_code == 302  # someone else saves first
    assert ChecklistRecord.objects.get().version == 1

    mine = {**first, f"answer-{keys[0]}": "no", f"remark-{keys[0]}": "未佩戴工牌"}
    response = client.post(url, mine)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="reload"' in html and f"?specialist={world.pc.pk}" in html
    assert "未佩戴工牌" in html  # what was typed stays on the page
    record = ChecklistRecord.objects.get()
    assert (record.version, record.non_compliant) == (1, 0)

    # From the current version, the same answers save.
    assert client.post(url, {**mine, "version": 1}).status_code == 302
    record.refresh_from_db()
    assert (record.version, record.non_compliant) == (2, 1)
