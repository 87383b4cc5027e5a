"""The sheet page's cost (issue #6, point 10; benchmarks/load.py measures it under
load): a fixed number of queries whatever the sheet's size, the rubric's
definition kept in memory while it cannot change, and the parts' cards (a
Jinja2 template) escape what they show."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections import services
from scoring import selectors
from scoring.models import Item, Sheet
from tests import factories

pytestmark = pytest.mark.django_db

# session, user, visit, sheet record, its parts, its evidence, "may edit?";
# then the session's save (3). Nothing per part, section or item.
GET_QUERIES = 10
# The same reads, then the save (services.save_sheet, written in bulk:
# tests/inspections/test_sheet_save_cost.py) and the session's. It was 45.
POST_QUERIES = 20


@pytest.fixture(autouse=True)
def fresh_definitions():
    selectors.forget_definitions()
    yield
    selectors.forget_definitions()


def _sheet(world, code):
    return Sheet.objects.get(rubric=world.campaign.rubric, code=code)


def _record(world, visit, code, specialist=None, **part_overrides):
    sheet = _sheet(world, code)
    parts = factories.full_sheet_parts(sheet)
    for part in parts.values():
        part.update(part_overrides)
    return services.save_sheet(
        user=world.inspector_a,
        visit=visit,
        specialist=specialist or world.generalist,
        sheet=sheet,
        selection_method="followed_live",
        parts=parts,
    )


def _url(record):
    return reverse("visit-sheet", args=[record.visit_id, record.pk])


def _queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    return response, [q["sql"] for q in captured.captured_queries]


def test_the_sheet_page_reads_a_fixed_number_of_queries_whatever_the_sheet(client, world, visit):
    """表二 has four parts, 表三 one: the same queries, none of the rubric's
    once its definition is kept."""
    client.force_login(world.inspector_a)
    counts = {}
    for code in ("new_business", "policy_change"):
        record = _record(world, visit, code)
        client.get(_url(record))  # keeps the definition
        response, queries = _queries(client, "get", _url(record))
        assert response.status_code == 200
        assert not [q for q in queries if "scoring_section" in q or "scoring_item" in q]
        counts[code] = len(queries)
    assert counts["new_business"] == counts["policy_change"] <= GET_QUERIES, counts


def test_a_sheet_save_stays_within_its_query_budget(client, world, visit):
    client.force_login(world.inspector_a)
    sheet = _sheet(world, "new_business")
    record = _record(world, visit, "new_business")
    data = factories.sheet_post_data(factories.full_sheet_parts(sheet))
    data["version"] = record.version
    response, queries = _queries(client, "post", _url(record), data)
    assert response.status_code == 302, response.content[:500]
    assert len(queries) <= POST_QUERIES, len(queries)
    record.refresh_from_db()
    assert record.version == 2 and record.score == 100  # the engine's score, saved


def test_a_changed_rubric_row_is_never_shown_from_memory(client, world, visit):
    """Rubric versions in use are read-only, but an edit in this process (a
    draft's, a test's, a shell's) drops the definitions kept."""
    client.force_login(world.inspector_a)
    record = _record(world, visit, "new_business")
    assert "一个新的验收内容" not in client.get(_url(record)).content.decode()
    item = Item.objects.filter(section__part__sheet=record.sheet).order_by("pk").first()
    item.text = "一个新的验收内容"
    item.save()
    assert "一个新的验收内容" in client.get(_url(record)).content.decode()


def test_the_parts_cards_escape_what_the_inspector_typed(client, world, visit):
    client.force_login(world.inspector_a)
    record = _record(world, visit, "new_business", reference_no='"><script>x</script>')
    page = client.get(_url(record)).content.decode()
    assert "<script>x</script>" not in page
    # Escaped once, whichever entities: the inputs give back what was typed.
    values = re.findall(r'name="[\w-]+-reference_no" id="[\w-]+" value="([^"]*)"', page)
    assert len(values) == 4
    assert all(html.unescape(value) == '"><script>x</script>' for value in values)


def test_evidence_of_a_section_is_listed_in_that_section(client, world, visit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.inspector_a)
    record = _record(world, visit, "new_business")
    section = record.sheet.parts.order_by("order").first().sections.order_by("order").first()
    services.add_evidence(
        user=world.inspector_a,
        visit=visit,
        upload=SimpleUploadedFile("counter.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        caption="柜面照片",
        sheet_record=record,
        item_key=section.code,
    )
    page = client.get(_url(record)).content.decode()
    remark_cell = page.split(f'data-section-score="{section.code}"', 1)[1].split("</tr>", 1)[0]
    assert "counter.png" in remark_cell and "柜面照片" in remark_cell


def test_evidence_of_an_item_is_listed_beside_that_item(client, world, visit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.inspector_a)
    record = _record(world, visit, "new_business")
    section = record.sheet.parts.order_by("order").first().sections.order_by("order").first()
    first, second = section.items.order_by("order")[:2]
    response = client.post(
        reverse("visit-evidence-upload", args=[visit.pk]),
        {
            "target": f"sheet:{record.pk}",
            "item_key": f"{section.code}:{second.pk}",
            "caption": "第二项的照片",
            "file": SimpleUploadedFile("item.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
            "next": _url(record),
        },
    )
    assert response.status_code == 302
    page = client.get(_url(record)).content.decode()
    # Offered in the upload form, and listed in the second item's row only.
    assert f'value="{section.code}:{second.pk}"' in page
    rows = page.split("<tr>")
    second_row = next(r for r in rows if second.text in r)
    first_row = next(r for r in rows if first.text in r)
    assert "item.png" in second_row and "第二项的照片" in second_row
    assert "item.png" not in first_row
