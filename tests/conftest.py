import pytest
from django.utils import translation

from tests import factories


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """Each test starts in the default language: a request the test client
    sends in another language leaves it active in the thread afterwards
    (Django's locale middleware does not reset it), so no test may depend on
    the language an earlier one left behind."""
    yield
    translation.deactivate()


@pytest.fixture
def branch_a(db):
    return factories.BranchFactory(code="a", name="甲分公司")


@pytest.fixture
def branch_b(db):
    return factories.BranchFactory(code="b", name="乙分公司")


@pytest.fixture
def manager_a(branch_a):
    return factories.BranchManagerFactory(username="manager-a", branch=branch_a)


@pytest.fixture
def manager_b(branch_b):
    return factories.BranchManagerFactory(username="manager-b", branch=branch_b)


@pytest.fixture
def head_office_user(db):
    return factories.HeadOfficeUserFactory(username="hq")


# --- campaigns and visits ------------------------------------------------------


@pytest.fixture
def loaded_rubric(db):
    """The published 2012 rubric, loaded the way production loads it."""
    from django.core.management import call_command

    from scoring.models import RubricVersion

    call_command("load_rubric", verbosity=0)
    return RubricVersion.objects.get(version="2012")


@pytest.fixture
def fast_password_hashing(settings):
    """Users made by the factories hash their password in no time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(
    fast_password_hashing, loaded_rubric, branch_a, branch_b, manager_a, manager_b, head_office_user
):
    """Two branches in one campaign, with offices, specialists and every kind of user.

    Branch A (second rollout batch): offices a1, a2, a3 and a closed one;
    at a1 `pc` (home post 保全: may be scored on new business and claims),
    `nb` (契约 with 理赔 concurrently: only policy change) and `generalist`
    (综合: every line); `at_branch` works at the branch itself, `at_a2` at a2.
    Branch B: offices b1, b2 and `at_b1`. Inspectors: `inspector_a` and
    `inspector_a2` of branch A, `inspector_b` of branch B, `inspector_hq` of
    head office.
    """
    import datetime
    from types import SimpleNamespace

    from inspections import services

    post = factories.post
    a1 = factories.OfficeFactory(branch=branch_a, code="a1", name="甲一支公司")
    a2 = factories.OfficeFactory(branch=branch_a, code="a2", name="甲二支公司")
    a3 = factories.OfficeFactory(branch=branch_a, code="a3", name="甲三支公司")
    a_closed = factories.OfficeFactory(
        branch=branch_a, code="a9", name="甲停业支公司", active=False
    )
    b1 = factories.OfficeFactory(branch=branch_b, code="b1", name="乙一支公司")
    b2 = factories.OfficeFactory(branch=branch_b, code="b2", name="乙二支公司")
    campaign = services.create_campaign(
        user=head_office_user,
        name="2012年度一柜通验收",
        rubric=loaded_rubric,
        period_start=datetime.date(2012, 10, 22),
        period_end=datetime.date(2012, 11, 30),
        report_due=datetime.date(2012, 11, 30),
        branches=[branch_a, branch_b],
    )
    return SimpleNamespace(
        rubric=loaded_rubric,
        campaign=campaign,
        branch_a=branch_a,
        branch_b=branch_b,
        a1=a1,
        a2=a2,
        a3=a3,
        a_closed=a_closed,
        b1=b1,
        b2=b2,
        pc=factories.SpecialistFactory(
            office=a1, name="保全张", home_post=post("policy_change"), employee_no="A1-001"
        ),
        nb=factories.SpecialistFactory(
            office=a1,
            name="契约李",
            home_post=post("contract"),
            concurrent_posts=[post("claims")],
            employee_no="A1-002",
        ),
        generalist=factories.SpecialistFactory(
            office=a1, name="综合王", home_post=post("general"), employee_no="A1-003"
        ),
        at_branch=factories.SpecialistFactory(
            office=None, branch=branch_a, name="本部赵", home_post=post("general")
        ),
        at_a2=factories.SpecialistFactory(office=a2, name="甲二钱", home_post=post("general")),
        at_b1=factories.SpecialistFactory(office=b1, name="乙一孙", home_post=post("general")),
        hq=head_office_user,
        manager_a=manager_a,
        manager_b=manager_b,
        inspector_a=factories.InspectorFactory(username="inspector-a", branch=branch_a),
        inspector_a2=factories.InspectorFactory(username="inspector-a2", branch=branch_a),
        inspector_b=factories.InspectorFactory(username="inspector-b", branch=branch_b),
        inspector_hq=factories.InspectorFactory(username="inspector-hq"),
    )


@pytest.fixture
def visit(world):
    """Branch A's self-inspection of office a1, planned, inspected by `inspector_a`."""
    import datetime

    from inspections import services
    from inspections.models import Visit

    return services.plan_visit(
        user=world.manager_a,
        campaign=world.campaign,
        branch=world.branch_a,
        office=world.a1,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=datetime.date(2012, 10, 25),
        end_date=datetime.date(2012, 10, 26),
        inspectors=[world.inspector_a],
    )


@pytest.fixture
def deductions_visit(world):
    """Branch A's self-inspection of office a1, inspected by `inspector_a`, in a
    campaign of its own whose rubric has a deduction section
    (`factories.deductions_rubric`: its one sheet, 表三, is `visit.sheet`)."""
    import datetime

    from inspections import services
    from inspections.models import Visit

    rubric = factories.deductions_rubric()
    campaign = services.create_campaign(
        user=world.hq,
        name="扣分项测试",
        rubric=rubric,
        period_start=datetime.date(2012, 10, 22),
        period_end=datetime.date(2012, 11, 30),
        report_due=datetime.date(2012, 11, 30),
        branches=[world.branch_a],
    )
    visit = services.plan_visit(
        user=world.manager_a,
        campaign=campaign,
        branch=world.branch_a,
        office=world.a1,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=datetime.date(2012, 10, 25),
        end_date=datetime.date(2012, 10, 26),
        inspectors=[world.inspector_a],
    )
    visit.sheet = rubric.sheets.get()
    return visit


@pytest.fixture
def complete_visit(world):
    """Fill a visit with everything submission asks for; returns the visit.

    Sheets: at a1, 表二 and 表四 for `pc` and 表三 for `nb`; at the branch
    itself, every line for `at_branch`; at another office, every line for a
    new 综合 specialist there. 表五, 表七 for each scored specialist; head
    office's KPI figures; the KPI note; a strength per content area.
    """

    def fill(visit, inspector=None):
        return factories.fill_visit(world, visit, inspector)

    return fill


# --- rectification actions -----------------------------------------------------


@pytest.fixture
def action_people(world):
    """`world`'s users with e-mail addresses, and `owner`: a user of office a1
    who owns branch A's actions (an inspector-role user of branch A)."""
    from inspections.models import User

    for name in ("hq", "manager_a", "manager_b", "inspector_a", "inspector_b"):
        user = getattr(world, name)
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    world.owner = factories.UserFactory(
        username="owner-a1",
        role=User.Role.INSPECTOR,
        branch=world.branch_a,
        email="owner@example.com",
    )
    return world


@pytest.fixture
def visit_b(world):
    """Branch B's self-inspection of office b1, inspected by `inspector_b`."""
    import datetime

    from inspections import services
    from inspections.models import Visit

    return services.plan_visit(
        user=world.manager_b,
        campaign=world.campaign,
        branch=world.branch_b,
        office=world.b1,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=datetime.date(2012, 10, 25),
        end_date=datetime.date(2012, 10, 26),
        inspectors=[world.inspector_b],
    )


@pytest.fixture
def make_action(action_people):
    """Add an action the way an inspector does (`services.add_action`, with its
    CREATED event): `make_action(visit, deadline=..., ...)`. By default on the
    visit's office, owned by `owner` for branch A, due 2012-12-15."""
    import datetime

    from inspections import services

    world = action_people

    def make(visit, **overrides):
        arguments = {
            "user": visit.inspectors.first(),
            "visit": visit,
            "content_area": world.rubric.content_areas.first(),
            "description": "完善柜面权限管理",
            "responsible_office": visit.office,
            "responsible_person": "钱经理",
            "deadline": datetime.date(2012, 12, 15),
            "owner": world.owner if visit.branch_id == world.branch_a.pk else None,
        }
        arguments.update(overrides)
        return services.add_action(**arguments)

    return make


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploaded evidence goes to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
