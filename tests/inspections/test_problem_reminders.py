"""Issue 15, point 5, reminders: the daily beat job mails each owner the
entries waiting for their response that are due within
PROBLEM_REMINDER_DAYS_BEFORE days or overdue, in Chinese, one mail listing
them; an entry is mailed once a day at most, however often the job runs."""

import datetime
import smtplib

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from inspections import services, tasks
from inspections.models import RaisedProblem
from inspections.reminders import send_problem_reminders
from tests.inspections.action_data import frozen
from tests.inspections.problem_data import PROBLEM_TEXT, SUPPORT_TEXT, raise_and_approve

pytestmark = pytest.mark.django_db

DUE = datetime.date(2012, 12, 5)  # the entries' due date: approved 2012-11-05, 30 days


def zh(message: str, **params) -> str:
    with translation.override("zh-hans"):
        text = gettext(message)
    return text % params if params else text


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.PROBLEM_RESPONSE_DAYS = 30
    settings.PROBLEM_REMINDER_DAYS_BEFORE = 3
    settings.SITE_URL = "https://yiguitong.example.com"
    mail.outbox = []


@pytest.fixture
def entries(world, visit, action_people):
    return raise_and_approve(world, visit)


def test_nothing_is_sent_before_the_reminder_window(entries):
    assert send_problem_reminders(today=DUE - datetime.timedelta(days=4)) == 0
    assert mail.outbox == []


def test_the_owner_gets_one_mail_in_chinese_listing_their_entries(world, entries):
    assert send_problem_reminders(today=DUE - datetime.timedelta(days=3)) == 1
    (message,) = mail.outbox
    assert message.to == [world.manager_a.email]
    assert message.subject == zh(
        "Problem register entries waiting for your response: %(count)s", count=2
    )
    assert PROBLEM_TEXT in message.body and SUPPORT_TEXT in message.body
    assert (
        "https://yiguitong.example.com" + reverse("problem-detail", args=[entries["problem"].pk])
        in message.body
    )
    assert zh("Respond by") in message.body


def test_once_per_entry_per_day_however_often_it_runs(world, entries):
    with frozen(DUE + datetime.timedelta(days=2), 8):
        assert tasks.send_problem_reminders() == 1
        assert tasks.send_problem_reminders() == 0  # a second worker, or beat twice
    assert len(mail.outbox) == 1
    with translation.override("zh-hans"):
        late = ngettext("%(days)s day overdue", "%(days)s days overdue", 2) % {"days": 2}
    assert late in mail.outbox[0].body
    # The next day: reminded again, while still waiting for the response.
    assert send_problem_reminders(today=DUE + datetime.timedelta(days=3)) == 1
    assert len(mail.outbox) == 2


def test_a_responded_or_closed_entry_or_one_without_owner_is_not_reminded(world, entries):
    services.respond_to_problem(
        user=world.manager_a, problem=entries["problem"], response="已处理", version=1
    )
    RaisedProblem.objects.filter(pk=entries["support"].pk).update(owner=None)
    assert send_problem_reminders(today=DUE) == 0
    assert mail.outbox == []


def test_each_owner_gets_their_own(world, entries):
    services.reassign_problem(
        user=world.hq,
        problem=entries["support"],
        owner=world.hq,
        deadline=entries["support"].deadline,
        version=1,
    )
    assert send_problem_reminders(today=DUE) == 2
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert PROBLEM_TEXT in bodies[world.manager_a.email]
    assert SUPPORT_TEXT not in bodies[world.manager_a.email]
    assert SUPPORT_TEXT in bodies[world.hq.email]


def test_a_mail_that_fails_is_tried_again_on_the_next_run(world, entries, monkeypatch):
    def broken(*args, **kwargs):
        raise smtplib.SMTPException("down")

    monkeypatch.setattr("inspections.reminders.send_mail", broken)
    assert send_problem_reminders(today=DUE) == 0
    assert not RaisedProblem.objects.filter(reminded_on=DUE).exists()
    monkeypatch.undo()
    assert send_problem_reminders(today=DUE) == 1


def test_beat_runs_it_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["problem-reminders"]
    assert entry["task"] == "inspections.tasks.send_problem_reminders"
    assert isinstance(entry["schedule"], crontab)
