"""Deductions and falsified material on the sheet page: the inspector records
each occurrence's reference under its deduction rule, a reference recorded
twice is refused on its input, and a sheet marked as resting on falsified
material scores 0 with its reason, which is required and shown."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections import services
from inspections.models import SheetRecord
from scoring.answers import field_name
from scoring.selectors import sheet_definition
from tests import factories

pytestmark = pytest.mark.django_db

PART = "policy_change_process"


@pytest.fixture
def rules(deductions_visit):
    """Each deduction rule's key (stored answers name an item by its primary key)
    and the name of its box on the page."""
    section = sheet_definition(sheet=deductions_visit.sheet).part(PART).sections[1]
    keys = {item.text: item.key for item in section.items}
    penalty, violation = keys["受到行政处罚的违法违规行为"], keys["其他违法违规行为"]
    return SimpleNamespace(
        penalty=penalty,
        violation=violation,
        penalty_box=field_name(PART, "compliance", item=penalty),
        violation_box=field_name(PART, "compliance", item=violation),
    )


@pytest.fixture
def inspector(client, world):
    client.force_login(world.inspector_a)
    client.cookies["django_language"] = "en"
    return client


def post_data(visit, world, **fields) -> dict:
    data = factories.sheet_post_data(factories.full_sheet_parts(visit.sheet))
    return data | {"sheet": visit.sheet.pk, "specialist": world.nb.pk} | fields


def test_the_page_offers_a_box_of_references_per_deduction_rule(
    inspector, world, deductions_visit, rules
):
    visit = deductions_visit
    response = inspector.get(
        reverse("visit-sheet-new", args=[visit.pk]),
        {"sheet": visit.sheet.pk, "specialist": world.nb.pk},
    )
    content = response.content.decode()
    assert f'<textarea name="{rules.penalty_box}"' in content
    assert f'<textarea name="{rules.violation_box}"' in content
    assert "−2 per occurrence" in content and "−1 per occurrence" in content
    assert "Deductions only: nothing recorded keeps the full points" in content
    assert 'name="falsified"' in content and 'name="falsified_reason"' in content


def test_occurrences_are_saved_scored_and_shown_again(inspector, world, deductions_visit, rules):
    visit = deductions_visit
    data = post_data(
        visit,
        world,
        **{
            rules.penalty_box: "渝保监罚〔2012〕3号\n\n 渝保监罚〔2012〕7号 ",
            rules.violation_box: "渝保监发〔2012〕12号",
        },
    )
    response = inspector.post(reverse("visit-sheet-new", args=[visit.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    record = SheetRecord.objects.get(visit=visit)
    assert (record.score, record.max_points, record.percent) == (95, 100, Decimal("95.00"))
    assert record.complete and not record.falsified_material
    part = record.parts.get()
    assert part.answers["sections"]["compliance"]["occurrences"] == [
        {"kind": rules.penalty, "reference": "渝保监罚〔2012〕3号"},
        {"kind": rules.penalty, "reference": "渝保监罚〔2012〕7号"},
        {"kind": rules.violation, "reference": "渝保监发〔2012〕12号"},
    ]
    content = inspector.get(response.url).content.decode()
    assert "渝保监罚〔2012〕3号\n渝保监罚〔2012〕7号</textarea>" in content
    assert "渝保监发〔2012〕12号</textarea>" in content


def test_a_reference_recorded_twice_is_refused_on_its_box(
    inspector, world, deductions_visit, rules
):
    visit = deductions_visit
    data = post_data(
        visit,
        world,
        **{
            rules.penalty_box: "渝保监罚〔2012〕3号",
            rules.violation_box: "渝保监罚〔２０１２〕３号",
        },
    )
    response = inspector.post(reverse("visit-sheet-new", args=[visit.pk]), data)
    assert response.status_code == 200
    assert not SheetRecord.objects.filter(visit=visit).exists()
    [message] = response.context["form"].errors[rules.violation_box]
    assert "“渝保监罚〔２０１２〕３号” is recorded twice" in message
    # The preview refuses it on the same box and counts it once, at −2.
    preview = inspector.post(
        reverse("visit-sheet-preview", args=[visit.pk, visit.sheet.code]), data
    ).json()
    assert preview["problems"] == {rules.violation_box: [message]}
    assert preview["parts"][PART]["sections"]["compliance"] == "8"


def test_the_refusal_is_in_chinese_by_default(client, world, deductions_visit, rules):
    client.force_login(world.inspector_a)
    visit = deductions_visit
    data = post_data(visit, world, **{rules.penalty_box: "罚3号\n罚3号"})
    response = client.post(reverse("visit-sheet-new", args=[visit.pk]), data)
    [message] = response.context["form"].errors[rules.penalty_box]
    assert "“罚3号”" in message and "重复" in message


def test_falsified_material_needs_a_reason(inspector, world, deductions_visit):
    visit = deductions_visit
    data = post_data(visit, world, falsified="on", falsified_reason="  ")
    response = inspector.post(reverse("visit-sheet-new", args=[visit.pk]), data)
    assert response.status_code == 200
    assert not SheetRecord.objects.filter(visit=visit).exists()
    assert response.context["form"].errors["falsified_reason"] == [
        "falsified material: say what material was falsified"
    ]


def test_falsified_material_scores_zero_and_shows_its_reason(inspector, world, deductions_visit):
    visit = deductions_visit
    data = post_data(visit, world, falsified="on", falsified_reason="提供虚假的身份证复印件")
    response = inspector.post(reverse("visit-sheet-new", args=[visit.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    record = SheetRecord.objects.get(visit=visit)
    assert (record.score, record.max_points, record.percent, record.grade) == (
        0,
        100,
        Decimal("0.00"),
        "C",
    )
    assert record.falsified_material and record.falsified_reason == "提供虚假的身份证复印件"
    content = inspector.get(response.url).content.decode()
    assert 'data-testid="falsified-banner"' in content
    assert "Falsified material: the sheet scores 0 of 100." in content
    assert "提供虚假的身份证复印件</textarea>" in content
    assert 'name="falsified" id="id_falsified" class="form-check-input" checked' in content

    # Unmarked again, the sheet scores what was answered and forgets the reason.
    data = post_data(visit, world, version=record.version)
    response = inspector.post(reverse("visit-sheet", args=[visit.pk, record.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    record.refresh_from_db()
    assert (record.score, record.falsified_material, record.falsified_reason) == (100, False, "")


def test_the_service_refuses_a_duplicate_with_the_field_named(world, deductions_visit, rules):
    parts = factories.full_sheet_parts(deductions_visit.sheet)
    parts[PART]["answers"]["sections"]["compliance"]["occurrences"] = [
        {"kind": rules.penalty, "reference": "罚3号"},
        {"kind": rules.penalty, "reference": "罚 3 号"},
    ]
    with pytest.raises(ValidationError) as refused:
        services.save_sheet(
            user=world.inspector_a,
            visit=deductions_visit,
            specialist=world.nb,
            sheet=deductions_visit.sheet,
            selection_method="followed_live",
            parts=parts,
        )
    errors = refused.value.update_error_dict({})
    assert list(errors) == [rules.penalty_box]
    assert [e.code for e in refused.value.error_dict[rules.penalty_box]] == ["duplicate_reference"]


def test_the_visit_page_marks_a_falsified_sheet(inspector, world, deductions_visit):
    visit = deductions_visit
    data = post_data(visit, world, falsified="on", falsified_reason="伪造签名")
    assert inspector.post(reverse("visit-sheet-new", args=[visit.pk]), data).status_code == 302
    content = inspector.get(reverse("visit-detail", args=[visit.pk])).content.decode()
    assert 'title="伪造签名">falsified material</span>' in content
