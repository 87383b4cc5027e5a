"""factory_boy factories for the organisation, people and users."""

import datetime

import factory
from factory.django import DjangoModelFactory

from inspections.models import Branch, Campaign, Office, Post, Specialist, User
from scoring.models import RolloutBatch, RubricVersion


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"branch-{n}")
    name = factory.Sequence(lambda n: f"第{n}分公司")
    rollout_batch = RolloutBatch.SECOND
    rollout_date = datetime.date(2012, 8, 1)


class OfficeFactory(DjangoModelFactory):
    class Meta:
        model = Office

    branch = factory.SubFactory(BranchFactory)
    code = factory.Sequence(lambda n: f"office-{n}")
    name = factory.Sequence(lambda n: f"第{n}支公司")


def post(code: str) -> Post:
    """The default posts come with the migrations."""
    return Post.objects.get(code=code)


class SpecialistFactory(DjangoModelFactory):
    class Meta:
        model = Specialist
        skip_postgeneration_save = True

    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"专员{n}")
    office = factory.SubFactory(OfficeFactory)
    branch = factory.SelfAttribute("office.branch")
    home_post = factory.LazyFunction(lambda: post("policy_change"))

    @factory.post_generation
    def concurrent_posts(self, create, extracted, **kwargs):
        if create and extracted:
            self.concurrent_posts.set(extracted)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.INSPECTOR
    password = factory.django.Password("pw-for-tests-1")


class BranchManagerFactory(UserFactory):
    role = User.Role.BRANCH_MANAGER
    branch = factory.SubFactory(BranchFactory)


class HeadOfficeUserFactory(UserFactory):
    role = User.Role.HEAD_OFFICE


class RubricVersionFactory(DjangoModelFactory):
    class Meta:
        model = RubricVersion

    name = "测试评分表"
    version = factory.Sequence(lambda n: f"test-{n}")
    status = RubricVersion.Status.PUBLISHED
    effective_date = datetime.date(2012, 10, 22)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    name = "2012年度一柜通验收"
    rubric = factory.SubFactory(RubricVersionFactory)
    period_start = datetime.date(2012, 10, 22)
    period_end = datetime.date(2012, 11, 30)
    report_due = datetime.date(2012, 11, 30)
