"""Two people editing the same sheet: the later save from a stale page is refused."""

import pytest

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
    with pytest.raises(services.StaleSheet):
        services.save_sheet(parts={}, expected_version=1, **common)
    record = SheetRecord.objects.get()
    assert record.version == 2 and record.score == 100
    # A page that opened a new sheet cannot overwrite one saved meanwhile.
    with pytest.raises(services.StaleSheet):
        services.save_sheet(parts=parts, expected_version=0, **common)
