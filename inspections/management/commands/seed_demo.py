"""Demo data for the 2012 campaign: three branches (one per rollout batch), their
offices and specialists, and one user per role. Safe to run again."""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from inspections import services
from inspections.management import demo_visits
from inspections.models import Branch, Campaign, Counter, Office, Post, Specialist, User
from scoring.models import RolloutBatch, RubricVersion

DEMO_PASSWORD = "yiguitong2012"
CAMPAIGN_NAME = "2012年度一柜通验收"

BRANCHES = [
    # code, name, batch, rollout date, offices (code, name, city tier, counter type)
    (
        "bj",
        "北京分公司",
        RolloutBatch.FIRST,
        datetime.date(2012, 6, 1),
        [
            ("bj-haidian", "海淀支公司", "A", Counter.CounterType.FLAGSHIP),
            ("bj-chaoyang", "朝阳支公司", "A", Counter.CounterType.STANDARD_LARGE),
            ("bj-tongzhou", "通州支公司", "B", Counter.CounterType.STANDARD_MEDIUM),
        ],
    ),
    (
        "cq",
        "重庆分公司",
        RolloutBatch.SECOND,
        datetime.date(2012, 8, 20),
        [
            ("cq-wanzhou", "万州中心支公司", "B", Counter.CounterType.STANDARD_MEDIUM),
            ("cq-fuling", "涪陵中心支公司", "C", Counter.CounterType.STANDARD_SMALL),
        ],
    ),
    (
        "sc",
        "四川分公司",
        RolloutBatch.THIRD,
        datetime.date(2012, 9, 1),
        [
            ("sc-mianyang", "绵阳中心支公司", "B", Counter.CounterType.STANDARD_LARGE),
            ("sc-nanchong", "南充中心支公司", "C", Counter.CounterType.STANDARD_SMALL),
            ("sc-yibin", "宜宾中心支公司", "C", Counter.CounterType.INTERNAL),
        ],
    ),
]

# Real names use characters outside GB2312 (喆 堃 昇 are GBK, 䶮 is CJK Extension A):
# the app and its reports must show them.
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = [
    "伟",
    "芳",
    "喆",
    "堃",
    "静",
    "昇",
    "磊",
    "䶮",
    "洋",
    "丽",
    "强",
    "敏",
    "杰",
    "娟",
    "涛",
    "燕",
]
POST_CYCLE = [
    ("contract", []),
    ("first_review", ["documents"]),
    ("documents", []),
    ("policy_change", []),
    ("claims", []),
    ("renewal", ["general"]),
    ("general", []),
    ("policy_change", ["claims"]),
]
SPECIALISTS_PER_OFFICE = 8

USERS = [
    # username, display name, role, branch code, superuser
    ("admin", "系统管理员", User.Role.ADMIN, None, True),
    ("hq", "总部 周经理", User.Role.HEAD_OFFICE, None, False),
    ("inspector", "总部验收员 孙喆", User.Role.INSPECTOR, None, False),
    ("bj_manager", "北京分公司 王经理", User.Role.BRANCH_MANAGER, "bj", False),
    ("bj_inspector", "北京分公司验收员 李堃", User.Role.INSPECTOR, "bj", False),
    ("cq_manager", "重庆分公司 陈经理", User.Role.BRANCH_MANAGER, "cq", False),
    ("cq_inspector", "重庆分公司验收员 赵昇", User.Role.INSPECTOR, "cq", False),
    ("sc_manager", "四川分公司 杨经理", User.Role.BRANCH_MANAGER, "sc", False),
]


class Command(BaseCommand):
    help = "Load demo data: the 2012 campaign's organisation, specialists and one user per role."

    def handle(self, *args, **options):
        if not RubricVersion.objects.filter(version="2012").exists():
            call_command("load_rubric", verbosity=0)
        with transaction.atomic():
            branches = self._organisation()
            self._users(branches)
            campaign = self._campaign(branches)
            if not campaign.visits.exists():
                demo_visits.create(campaign)
        self._print_logins()

    def _organisation(self):
        posts = {p.code: p for p in Post.objects.all()}
        branches = {}
        serial = 0
        for code, name, batch, rollout_date, offices in BRANCHES:
            branch, _ = Branch.objects.update_or_create(
                code=code,
                defaults={"name": name, "rollout_batch": batch, "rollout_date": rollout_date},
            )
            branches[code] = branch
            Counter.objects.get_or_create(
                branch=branch,
                office=None,
                name=f"{name}营业大厅",
                defaults={"counter_type": Counter.CounterType.FLAGSHIP},
            )
            workplaces = [(None, 3)]
            for office_code, office_name, tier, counter_type in offices:
                office, _ = Office.objects.update_or_create(
                    code=office_code,
                    defaults={"branch": branch, "name": office_name, "city_tier": tier},
                )
                Counter.objects.get_or_create(
                    branch=branch,
                    office=office,
                    name=f"{office_name}柜面",
                    defaults={"counter_type": counter_type},
                )
                workplaces.append((office, SPECIALISTS_PER_OFFICE))
            for office, count in workplaces:
                for index in range(count):
                    serial += 1
                    home, concurrent = POST_CYCLE[index % len(POST_CYCLE)]
                    person, _ = Specialist.objects.update_or_create(
                        employee_no=f"{code.upper()}{serial:04d}",
                        defaults={
                            "name": SURNAMES[serial % len(SURNAMES)]
                            + GIVEN_NAMES[serial % len(GIVEN_NAMES)]
                            + GIVEN_NAMES[(serial * 7 + 3) % len(GIVEN_NAMES)],
                            "branch": branch,
                            "office": office,
                            "home_post": posts[home],
                            "active": True,
                        },
                    )
                    person.concurrent_posts.set([posts[c] for c in concurrent])
        return branches

    def _campaign(self, branches):
        campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
        if campaign is None:
            campaign = services.create_campaign(
                user=User.objects.get(username="hq"),
                name=CAMPAIGN_NAME,
                rubric=RubricVersion.objects.get(version="2012"),
                period_start=datetime.date(2012, 10, 22),
                period_end=datetime.date(2012, 11, 30),
                report_due=datetime.date(2012, 11, 30),
                branches=branches.values(),
            )
        campaign.branches.set(branches.values())
        return campaign

    def _users(self, branches):
        for username, display_name, role, branch_code, superuser in USERS:
            user, created = User.objects.update_or_create(
                username=username,
                defaults={
                    "display_name": display_name,
                    "email": f"{username}@yiguitong.example",
                    "role": role,
                    "branch": branches.get(branch_code),
                    "is_staff": superuser,
                    "is_superuser": superuser,
                },
            )
            if created or not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])

    def _print_logins(self):
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Log in at {settings.SITE_URL}/ with:")
        )
        for username, display_name, role, _branch, _superuser in USERS:
            self.stdout.write(
                f"  {username:<14} {DEMO_PASSWORD}   {User.Role(role).label} · {display_name}"
            )
