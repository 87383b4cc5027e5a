import pytest

from inspections.models import Post
from scoring.models import BusinessLine
from tests import factories

pytestmark = pytest.mark.django_db


def test_default_posts_map_to_business_lines():
    lines = {p.name: p.business_lines for p in Post.objects.all()}
    assert lines["契约"] == lines["初审"] == lines["单证"] == {BusinessLine.NEW_BUSINESS}
    assert lines["保全"] == {BusinessLine.POLICY_CHANGE}
    assert lines["理赔"] == {BusinessLine.CLAIMS}
    for other in ("续期", "综合", "主管", "引导"):
        assert lines[other] == frozenset()


def test_a_specialist_is_not_eligible_for_their_home_or_concurrent_lines():
    person = factories.SpecialistFactory(
        name="王喆",
        home_post=factories.post("policy_change"),
        concurrent_posts=[factories.post("claims")],
    )
    assert person.ineligibility_reason(BusinessLine.NEW_BUSINESS) is None
    reason = person.ineligibility_reason(BusinessLine.POLICY_CHANGE)
    assert "王喆" in reason and "保全" in reason
    assert "理赔" in person.ineligibility_reason(BusinessLine.CLAIMS)


def test_eligibility_follows_an_edited_post_mapping():
    person = factories.SpecialistFactory(home_post=factories.post("general"))
    assert person.ineligibility_reason(BusinessLine.CLAIMS) is None
    Post.objects.filter(code="general").update(covers_claims=True)
    person.refresh_from_db()
    assert person.ineligibility_reason(BusinessLine.CLAIMS) is not None
