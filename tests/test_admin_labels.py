"""Issue 13, point 7: Django admin speaks the user's language, including the
parts that come from django-axes (the log-in lock-out) and django-auditlog (the
change history), which ship no Chinese: app names from our AppConfigs, their
models', fields' and columns' labels from our catalog (config/django_strings.py),
and auditlog's own English columns from our admin of the change history."""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.urls import reverse

from inspections import services
from inspections.models import User, VisitChange

pytestmark = pytest.mark.django_db

# Letters that may stay as they are in a Chinese label: acronyms and names.
KEPT = {"ID", "UUID", "SHA", "IP", "HTTP", "Accept", "GET", "POST", "Celery", "KPI", "PDF", "Excel"}


class Labels(HTMLParser):
    """The labels of an admin page: app captions, model names, column
    headers, filter titles, fieldset titles and form labels (not the data)."""

    TAGS = {"caption", "th", "h2", "h3", "label", "summary"}

    def __init__(self):
        super().__init__()
        self.labels, self._open, self._text = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "th" and "field-" in (dict(attrs).get("class") or ""):
            return  # a list row's first cell: a record's name, data
        if tag in self.TAGS:
            self._open.append(tag)
            self._text.append("")

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()
            text = " ".join(self._text.pop().split())
            if text:
                self.labels.append(text)

    def handle_data(self, data):
        if self._text:
            self._text[-1] += data


def english_in(labels):
    found = []
    for label in labels:
        words = set(re.findall(r"[A-Za-z]{2,}", label)) - KEPT
        if words:
            found.append(label)
    return found


@pytest.fixture
def admin_client(client, world, visit):
    root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    client.force_login(root)
    # One of everything the lock-out and the change history keep.
    AccessAttempt.objects.create(
        username="cq_manager",
        ip_address="10.0.0.1",
        user_agent="tablet",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="username=cq_manager",
        failures_since_start=2,
    )
    AccessFailureLog.objects.create(
        username="cq_manager", ip_address="10.0.0.1", user_agent="tablet", path_info="/"
    )
    AccessLog.objects.create(
        username="cq_manager", ip_address="10.0.0.1", user_agent="tablet", path_info="/"
    )
    services.save_kpi_note(user=world.inspector_a, visit=visit, note="每周通报")
    return client


def labels_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parser = Labels()
    parser.feed(response.content.decode())
    return parser.labels


def test_the_admin_index_names_every_app_and_model_in_chinese(admin_client):
    labels = labels_of(admin_client, reverse("admin:index"))
    for name in ("登录保护", "验收与机构", "评分标准", "报告", "登录尝试", "登录失败", "登录记录"):
        assert name in labels, name
    assert not english_in(labels), english_in(labels)
    assert not {"Axes", "Access attempts", "Inspections", "Scoring"} & set(labels)


def test_every_admin_page_labels_its_columns_filters_and_fields_in_chinese(admin_client):
    english = {}
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        obj = model._default_manager.first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        for url in urls:
            # A record's own name (axes writes it in English) is data, not a label.
            labels = [label for label in labels_of(admin_client, url) if label != str(obj)]
            found = english_in(labels)
            if found:
                english[url] = found
    assert not english, english


def test_the_lock_out_s_records_read_in_chinese(admin_client):
    labels = labels_of(admin_client, reverse("admin:axes_accessattempt_changelist"))
    for name in ("尝试时间", "IP 地址", "用户名", "路径", "登录失败次数", "已锁定"):
        assert any(name in label for label in labels), (name, labels)


def test_the_change_history_names_kinds_and_fields_by_their_labels(admin_client, visit):
    response = admin_client.get(reverse("admin:inspections_visitchange_changelist"))
    body = response.content.decode()
    assert VisitChange.objects.filter(visit=visit).exists()
    assert "变更内容" in body and "关联 ID" in body
    # A changed field by its label, not its name ...
    assert "项变更：" in body and "分公司的指标监控方式及沟通情况" in body
    assert "kpi_monitoring_note" not in body and " change: " not in body
    # ... and the kinds of record in the filter by their models' names.
    assert re.search(r"<a[^>]*>现场验收</a>", body)
    assert not re.search(r"<a[^>]*>visit</a>", body)
