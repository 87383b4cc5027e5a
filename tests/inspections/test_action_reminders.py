"""Issue 5, reminders: the daily beat job mails the owner and the branch's
managers about actions due within three days or overdue, head office about
those overdue by more than ACTION_ESCALATION_DAYS and about offices with three
or more overdue actions; at most one mail per person per day, however often it
runs (a frozen clock runs it twice)."""

import datetime
import re
import smtplib

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from inspections import services, tasks
from inspections.models import ReminderLog
from inspections.reminders import send_action_reminders
from tests.inspections.action_data import DAY, TODAY, frozen, submit_and_close

pytestmark = pytest.mark.django_db


def zh(message: str, **params) -> str:
    with translation.override("zh-hans"):
        text = gettext(message)
    return text % params if params else text


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.ACTION_REMINDER_DAYS_BEFORE = 3
    settings.ACTION_ESCALATION_DAYS = 7
    settings.SITE_URL = "https://yiguitong.example.com"
    mail.outbox = []


@pytest.fixture
def due(world, make_action, visit, visit_b):
    """Actions seen on TODAY (2012-12-10), made on 2012-11-01."""
    with frozen(DAY(2012, 11, 1)):
        made = {
            "in_3_days": make_action(visit, deadline=DAY(2012, 12, 13), description="三天后到期"),
            "in_4_days": make_action(visit, deadline=DAY(2012, 12, 14), description="四天后到期"),
            "due_today": make_action(visit, deadline=DAY(2012, 12, 10), description="今日到期"),
            "late_7": make_action(
                visit,
                deadline=DAY(2012, 12, 3),
                description="逾期七天",
                responsible_office=world.a2,
            ),
            "late_8": make_action(
                visit, deadline=DAY(2012, 12, 2), description="逾期八天", responsible_office=None
            ),
            "closed": make_action(visit, deadline=DAY(2012, 12, 1), description="已关闭"),
            "of_b": make_action(visit_b, deadline=DAY(2012, 12, 11), description="乙方即将到期"),
        }
    submit_and_close(world, made["closed"], DAY(2012, 11, 30))
    return made


def mails_by_recipient():
    by_recipient = {}
    for message in mail.outbox:
        assert len(message.to) == 1, message.to  # one mail per person, never a group mail
        assert message.to[0] not in by_recipient
        by_recipient[message.to[0]] = message
    return by_recipient


def listed(message, due) -> set[str]:
    return {name for name, action in due.items() if action.description in message.body}


def test_the_owner_and_the_branch_manager_hear_of_actions_due_within_3_days_or_overdue(world, due):
    with frozen(TODAY, 8):
        assert send_action_reminders() == 4
    mails = mails_by_recipient()
    assert set(mails) == {
        "owner@example.com",
        "manager-a@example.com",
        "manager-b@example.com",
        "hq@example.com",
    }
    branch_a_due = {"in_3_days", "due_today", "late_7", "late_8"}
    assert listed(mails["owner@example.com"], due) == branch_a_due
    assert listed(mails["manager-a@example.com"], due) == branch_a_due
    assert listed(mails["manager-b@example.com"], due) == {"of_b"}
    # Head office: only what is overdue by more than 7 days.
    assert listed(mails["hq@example.com"], due) == {"late_8"}
    # Inspectors are not reminded.
    assert "inspector-a@example.com" not in mails


def test_the_mail_says_what_when_and_where_in_chinese(world, due):
    with frozen(TODAY, 8):
        send_action_reminders()
    message = mails_by_recipient()["manager-a@example.com"]
    assert message.subject == zh("Rectification actions due or overdue: %(count)s", count=4)
    assert message.from_email == django_settings.DEFAULT_FROM_EMAIL
    body = message.body
    assert "2012-12-13" in body and "2012-12-02" in body
    detail = "https://yiguitong.example.com" + reverse("action-detail", args=[due["late_8"].pk])
    assert detail in body
    line = next(line for line in body.splitlines() if "2012-12-02" in line)
    assert re.search(r"\b8\b", line.split("2012-12-02")[1])  # days overdue
    assert "甲分公司 · 甲分公司: 逾期八天" in body and "甲分公司 · 甲二支公司: 逾期七天" in body
    # Due within the window but not overdue: no days overdue on that line.
    line = next(line for line in body.splitlines() if "2012-12-13" in line)
    assert not any(char.isdigit() for char in line.split("2012-12-13")[1])


def test_running_twice_the_same_day_sends_nothing_more_and_the_next_day_sends_again(world, due):
    with frozen(TODAY, 8):
        assert send_action_reminders() == 4
    with frozen(TODAY, 17, 30):  # beat restarted, or someone ran it by hand
        assert send_action_reminders() == 0
        assert send_action_reminders(today=TODAY) == 0
    assert len(mail.outbox) == 4
    assert ReminderLog.objects.filter(day=TODAY).count() == 4
    log = ReminderLog.objects.get(recipient=world.manager_a)
    assert log.action_count == 4

    with frozen(TODAY + datetime.timedelta(days=1), 8):
        assert send_action_reminders() == 4
    assert len(mail.outbox) == 8
    # Next day late_7 is 8 days late: head office hears of it too.
    tomorrow = {m.to[0]: m for m in mail.outbox[4:]}
    assert listed(tomorrow["hq@example.com"], due) == {"late_7", "late_8"}
    # in_4_days has come within the window.
    assert "in_4_days" in listed(tomorrow["owner@example.com"], due)


def test_one_mail_for_an_owner_who_is_also_the_branch_manager(world, make_action, visit):
    with frozen(DAY(2012, 11, 1)):
        make_action(visit, deadline=DAY(2012, 12, 11), owner=world.manager_a, description="甲")
        make_action(visit, deadline=DAY(2012, 12, 12), owner=world.manager_a, description="乙")
    send_action_reminders(today=TODAY)
    mails = mails_by_recipient()
    assert set(mails) == {"manager-a@example.com"}
    assert (
        "甲" in mails["manager-a@example.com"].body and "乙" in mails["manager-a@example.com"].body
    )


def test_nothing_due_sends_nothing(world, make_action, visit):
    with frozen(DAY(2012, 11, 1)):
        make_action(visit, deadline=DAY(2012, 12, 31))
    assert send_action_reminders(today=TODAY) == 0
    assert mail.outbox == []


def test_the_windows_are_configurable(world, due, settings):
    settings.ACTION_REMINDER_DAYS_BEFORE = 4
    settings.ACTION_ESCALATION_DAYS = 6
    send_action_reminders(today=TODAY)
    mails = mails_by_recipient()
    assert "in_4_days" in listed(mails["owner@example.com"], due)
    assert listed(mails["hq@example.com"], due) == {"late_7", "late_8"}


def test_users_without_an_address_or_inactive_are_skipped(world, due):
    world.owner.is_active = False
    world.owner.save()
    world.manager_b.email = ""
    world.manager_b.save()
    send_action_reminders(today=TODAY)
    assert set(mails_by_recipient()) == {"manager-a@example.com", "hq@example.com"}


def test_three_overdue_actions_of_one_office_are_called_out_and_escalate(world, make_action, visit):
    with frozen(DAY(2012, 11, 1)):
        for n in range(3):
            make_action(visit, deadline=DAY(2012, 12, 7 + n), description=f"甲一逾期{n}")
        make_action(
            visit, deadline=DAY(2012, 12, 8), responsible_office=world.a2, description="甲二逾期"
        )
    callout = zh(
        "Repeated overdue actions (%(threshold)s or more) at: %(units)s. They are escalated.",
        threshold=3,
        units="甲一支公司",
    )
    # Two overdue at a1 (12-07, 12-08): not yet repeated, and too recent for head office.
    send_action_reminders(today=DAY(2012, 12, 9))
    mails = mails_by_recipient()
    assert set(mails) == {"owner@example.com", "manager-a@example.com"}
    assert callout not in mails["manager-a@example.com"].body
    # The third (12-09) is overdue the next day: a1 is called out, and head office hears of it.
    mail.outbox = []
    send_action_reminders(today=DAY(2012, 12, 10))
    mails = mails_by_recipient()
    assert set(mails) == {"owner@example.com", "manager-a@example.com", "hq@example.com"}
    for message in mails.values():
        assert callout in message.body
    hq_body = mails["hq@example.com"].body
    assert all(f"甲一逾期{n}" in hq_body for n in range(3))
    assert "甲二逾期" not in hq_body  # a2 has only one overdue action


def test_a_mail_that_fails_is_tried_again_and_the_others_are_sent(world, due, monkeypatch):
    from inspections import reminders

    real_send_mail = reminders.send_mail

    def flaky(subject, body, from_email, recipients, **kwargs):
        if recipients == ["manager-a@example.com"]:
            raise smtplib.SMTPRecipientsRefused({recipients[0]: (550, b"mailbox full")})
        return real_send_mail(subject, body, from_email, recipients, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    assert send_action_reminders(today=TODAY) == 3
    assert "manager-a@example.com" not in mails_by_recipient()
    assert not ReminderLog.objects.filter(recipient=world.manager_a).exists()

    monkeypatch.setattr(reminders, "send_mail", real_send_mail)
    assert send_action_reminders(today=TODAY) == 1
    assert len(mail.outbox) == 4
    assert mail.outbox[-1].to == ["manager-a@example.com"]


def test_an_extension_moves_the_reminders(world, due):
    extension = services.request_extension(
        user=world.manager_a,
        action=due["late_8"],
        new_deadline=DAY(2012, 12, 31),
        reason="系统改造",
    )
    services.decide_extension(user=world.hq, extension=extension, approve=True)
    send_action_reminders(today=TODAY)
    mails = mails_by_recipient()
    assert "late_8" not in listed(mails["owner@example.com"], due)
    assert "hq@example.com" not in mails


def test_the_celery_task_sends_todays_reminders_once(world, due):
    with frozen(TODAY, 8):
        result = tasks.send_action_reminders.apply()
        assert result.successful() and result.result == 4
        assert tasks.send_action_reminders.apply().result == 0
    assert len(mail.outbox) == 4


def test_beat_runs_the_reminders_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["action-reminders"]
    assert entry["task"] == tasks.send_action_reminders.name
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_week == set(range(7)) and len(schedule.hour) == 1
    assert len(schedule.minute) == 1
