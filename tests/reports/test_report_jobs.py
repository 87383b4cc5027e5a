"""Report jobs: queued on approval after commit, built by the task, idempotent,
retried on transient errors, failed readably otherwise, swapped in only when
complete; the pages and the download are access-checked."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from inspections import services as inspection_services
from inspections.models import RectificationAction, Visit
from reports import services
from reports.exporters.visit import VisitPdfExporter, VisitXlsxExporter
from reports.models import ReportJob
from reports.selectors.types import ReportDataError
from reports.tasks import MAX_RETRIES, build_report, queue_visit_reports
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    """Tasks run in the test process, retries included (Celery's eager mode)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def no_broker(monkeypatch):
    """Sending a task records it instead of talking to a broker."""
    sent = []

    class Sent:
        def __init__(self, job_id):
            self.id = f"task-{job_id}"

    def apply_async(args=None, **options):
        sent.append((args, options))
        return Sent(args[0])

    monkeypatch.setattr(build_report, "apply_async", apply_async)
    return sent


def new_job(visit, exporter="visit-pdf", user=None) -> ReportJob:
    return ReportJob.objects.create(
        exporter=exporter, format=exporter.rsplit("-", 1)[1], visit=visit, requested_by=user
    )


def report_files(media_root) -> list[str]:
    folder = Path(media_root) / "reports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def given_up(job: ReportJob) -> ReportJob:
    """A job marked failed (its time ran out) whose task nonetheless goes on and
    finishes late; meanwhile a newer job of the same report is asked for."""
    ReportJob.objects.filter(pk=job.pk).update(state=ReportJob.State.FAILED)
    return job


def run(job: ReportJob) -> ReportJob:
    build_report.apply(args=[job.pk])
    job.refresh_from_db()
    return job


# --- queuing -------------------------------------------------------------------


def test_approval_queues_a_pdf_and_an_excel_job_once_the_transaction_commits(
    world, visit, complete_visit, media_root, django_capture_on_commit_callbacks, no_broker
):
    complete_visit(visit)
    inspection_services.submit_visit(user=world.inspector_a, visit=visit)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        inspection_services.approve_visit(user=world.hq, visit=visit)
    assert not ReportJob.objects.exists(), "nothing is queued before the commit"
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    jobs = list(ReportJob.objects.order_by("exporter"))
    assert [(j.exporter, j.format, j.visit_id, j.state) for j in jobs] == [
        ("visit-pdf", "pdf", visit.pk, "queued"),
        ("visit-xlsx", "xlsx", visit.pk, "queued"),
    ]
    assert all(j.requested_by == world.hq for j in jobs)
    assert all(j.subject_key == f"visit:{visit.pk}" for j in jobs)
    assert sorted(args[0] for args, _options in no_broker) == sorted(j.pk for j in jobs)
    assert {j.task_id for j in jobs} == {f"task-{j.pk}" for j in jobs}


def test_a_visit_not_approved_queues_nothing(visit, no_broker):
    assert queue_visit_reports(visit_id=visit.pk, requested_by_id=None) == []
    assert not ReportJob.objects.exists()
    assert no_broker == []


def test_returning_a_visit_queues_nothing(
    world, visit, complete_visit, django_capture_on_commit_callbacks, no_broker
):
    complete_visit(visit)
    inspection_services.submit_visit(user=world.inspector_a, visit=visit)
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.return_visit(user=world.hq, visit=visit, comment="补充材料")
    assert not ReportJob.objects.exists()


def test_asking_again_while_a_job_is_under_way_reuses_it(
    approved_visit, django_capture_on_commit_callbacks, no_broker
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.request_report(exporter="visit-pdf", visit=approved_visit)
        second = services.request_report(exporter="visit-pdf", visit=approved_visit)
    assert first.pk == second.pk
    assert len(no_broker) == 1


def test_an_unfinished_job_is_reused_whatever_its_age(approved_visit, world, no_broker):
    job = services.request_report(exporter="visit-pdf", visit=approved_visit)
    ReportJob.objects.filter(pk=job.pk).update(
        requested_at=timezone.now() - timedelta(days=3), state=ReportJob.State.RUNNING
    )
    again = services.request_report(
        exporter="visit-pdf", visit=approved_visit, requested_by=world.hq
    )
    assert again.pk == job.pk
    assert ReportJob.objects.filter(exporter="visit-pdf", visit=approved_visit).count() == 1


def test_two_people_asking_at_once_get_one_job(approved_visit, world, no_broker, monkeypatch):
    """A double click: both requests found no job; the second insert meets the
    constraint and returns the first one's job."""
    first = services.request_report(exporter="visit-xlsx", visit=approved_visit)
    calls = []
    real = services._unfinished_job

    def first_misses(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_unfinished_job", first_misses)
    second = services.request_report(exporter="visit-xlsx", visit=approved_visit)
    assert second.pk == first.pk and len(calls) == 2
    assert ReportJob.objects.filter(exporter="visit-xlsx").count() == 1


def test_a_person_has_at_most_a_few_unfinished_jobs(
    client, approved_visit, world, no_broker, settings
):
    settings.REPORT_MAX_UNFINISHED_PER_USER = 2
    ReportJob.objects.all().delete()
    campaign = approved_visit.campaign
    services.request_report(exporter="consolidated-pdf", campaign=campaign, requested_by=world.hq)
    services.request_report(exporter="consolidated-xlsx", campaign=campaign, requested_by=world.hq)
    with pytest.raises(services.JobError, match="2"):
        services.request_report(exporter="visit-pdf", visit=approved_visit, requested_by=world.hq)
    # Asking again for one under way is no new job, so it is never refused.
    services.request_report(exporter="consolidated-pdf", campaign=campaign, requested_by=world.hq)
    # Others are not held up, nor are the reports an approval queues.
    services.request_report(
        exporter="visit-pdf", visit=approved_visit, requested_by=world.manager_a
    )
    client.force_login(world.hq)
    response = client.post(
        reverse("campaign-reports-generate", args=[campaign.pk]),
        {"exporter": "branch-pdf", "branch": world.branch_a.pk},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("campaign-reports", args=[campaign.pk])
    text = " ".join(str(m) for m in response.context["messages"])
    assert "2" in text and "等" in text
    assert not ReportJob.objects.filter(exporter="branch-pdf").exists()


def test_an_unreachable_broker_leaves_the_job_queued_and_unsent(
    approved_visit, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """The request succeeds; beat's requeue_unsent_jobs sends the job later
    (tests/ops/test_broker_outage.py)."""

    def unreachable(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(build_report, "apply_async", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_report(exporter="visit-pdf", visit=approved_visit)
    job.refresh_from_db()
    assert job.state == ReportJob.State.QUEUED
    assert job.sent_at is None and job.task_id == ""
    assert "Connection refused" in caplog.text


def test_an_unknown_report_or_a_wrong_subject_is_refused(approved_visit, world):
    with pytest.raises(services.JobError):
        services.request_report(exporter="no-such-report", visit=approved_visit)
    with pytest.raises(services.JobError):
        services.request_report(exporter="visit-pdf", campaign=world.campaign)


# --- the lifecycle ---------------------------------------------------------------


def test_the_task_builds_the_file_and_records_it(
    approved_visit, media_root, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_report(exporter="visit-pdf", visit=approved_visit)
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE, job.error
    assert job.progress == 100
    assert job.attempts == 1
    assert job.is_current
    assert job.task_id
    assert job.started_at <= job.finished_at
    assert job.file.name == f"reports/job-{job.pk}.pdf"
    data = Path(job.file.path).read_bytes()
    assert data.startswith(b"%PDF")
    assert job.size == len(data)
    assert job.checksum == hashlib.sha256(data).hexdigest()
    assert job.download_name.endswith(".pdf") and "甲一支公司" in job.download_name
    assert Path(job.file.path).is_relative_to(Path(media_root))


def test_progress_is_written_to_the_job_while_the_exporter_runs(
    approved_visit, media_root, monkeypatch
):
    job = new_job(approved_visit)
    seen = []

    def build(self):
        self.progress(50)
        seen.append(ReportJob.objects.get(pk=job.pk).progress)
        return b"%PDF-1.7 test"

    monkeypatch.setattr(VisitPdfExporter, "build", build)
    assert run(job).state == ReportJob.State.DONE
    assert seen == [50]
    assert job.progress == 100


def test_running_a_job_twice_leaves_one_current_report_and_one_file(approved_visit, media_root):
    job = run(new_job(approved_visit))
    first = (job.checksum, job.finished_at, job.file.name)
    again = run(job)
    assert (again.checksum, again.finished_at, again.file.name) == first
    assert again.attempts == 1, "a job already done returns at once"
    assert ReportJob.objects.filter(is_current=True).count() == 1
    assert report_files(media_root) == [f"job-{job.pk}.pdf"]
    assert hashlib.sha256(Path(job.file.path).read_bytes()).hexdigest() == job.checksum


def test_finishing_twice_keeps_the_first_result(approved_visit, media_root):
    job = new_job(approved_visit)
    services.start_job(job_id=job.pk)
    services.finish_job(job_id=job.pk, data=b"first", download_name="a.pdf")
    services.finish_job(job_id=job.pk, data=b"second", download_name="b.pdf")
    job.refresh_from_db()
    assert job.checksum == hashlib.sha256(b"first").hexdigest()
    assert Path(job.file.path).read_bytes() == b"first"
    assert report_files(media_root) == [f"job-{job.pk}.pdf"], "no temporary file is left"


def test_a_regenerated_report_replaces_the_old_one_only_when_complete(
    approved_visit, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    old = run(new_job(approved_visit))
    assert old.is_current

    def broken(self):
        self.progress(40)
        raise ValueError("layout exploded")

    with monkeypatch.context() as patch:
        patch.setattr(VisitPdfExporter, "build", broken)
        failed = run(new_job(approved_visit))
    assert failed.state == ReportJob.State.FAILED
    old.refresh_from_db()
    assert old.is_current and Path(old.file.path).exists(), "the old report stays current"

    with django_capture_on_commit_callbacks(execute=True):
        new = run(new_job(approved_visit))
    old.refresh_from_db()
    assert new.is_current and not old.is_current
    assert not old.file
    assert report_files(media_root) == [f"job-{new.pk}.pdf"], "the old file is deleted"
    assert ReportJob.objects.filter(exporter="visit-pdf", is_current=True).get() == new


def test_reports_work_on_a_storage_without_local_paths(
    approved_visit, settings, client, world, django_capture_on_commit_callbacks
):
    """An S3 bucket has no local path: the file is uploaded whole, then pointed at."""
    from django.core.files.storage import InMemoryStorage, default_storage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert isinstance(default_storage, InMemoryStorage)
    first = run(new_job(approved_visit))
    assert first.state == ReportJob.State.DONE and first.is_current, first.error_detail
    with first.file.open("rb") as stream:
        assert stream.read(4) == b"%PDF"
    with django_capture_on_commit_callbacks(execute=True):
        second = run(new_job(approved_visit))
    first.refresh_from_db()
    assert second.is_current and not first.is_current and not first.file
    assert default_storage.listdir("reports")[1] == [f"job-{second.pk}.pdf"]

    # A job that finds a newer report current keeps no file, and uploads none.
    older = given_up(new_job(approved_visit))
    newest = run(new_job(approved_visit))
    services.start_job(job_id=older.pk)
    services.finish_job(job_id=older.pk, data=b"older", download_name="old.pdf")
    older.refresh_from_db()
    assert not older.is_current and not older.file
    assert f"job-{older.pk}.pdf" not in default_storage.listdir("reports")[1]

    client.force_login(world.hq)
    response = client.get(reverse("report-job-download", args=[newest.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_older_job_finishing_late_does_not_replace_a_newer_report(approved_visit, media_root):
    older = given_up(new_job(approved_visit))
    newer = run(new_job(approved_visit))
    services.start_job(job_id=older.pk)
    services.finish_job(job_id=older.pk, data=b"older", download_name="old.pdf")
    older.refresh_from_db()
    newer.refresh_from_db()
    assert newer.is_current
    assert older.state == ReportJob.State.DONE and not older.is_current and not older.file
    assert report_files(media_root) == [f"job-{newer.pk}.pdf"]


def test_pdf_and_excel_are_current_side_by_side(approved_visit, media_root):
    pdf = run(new_job(approved_visit, "visit-pdf"))
    xlsx = run(new_job(approved_visit, "visit-xlsx"))
    assert pdf.is_current and xlsx.is_current
    assert report_files(media_root) == sorted([f"job-{pdf.pk}.pdf", f"job-{xlsx.pk}.xlsx"])


# --- failures and retries ----------------------------------------------------------


def test_a_transient_error_is_retried_and_the_job_completes(
    approved_visit, media_root, monkeypatch
):
    original = VisitPdfExporter.build
    calls = {"n": 0}

    def flaky(self):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        return original(self)

    monkeypatch.setattr(VisitPdfExporter, "build", flaky)
    job = run(new_job(approved_visit))
    assert job.state == ReportJob.State.DONE, job.error
    assert job.attempts == 3
    assert job.error == ""
    assert job.is_current


def test_a_transient_error_that_persists_fails_after_three_retries(
    approved_visit, media_root, monkeypatch
):
    calls = {"n": 0}

    def down(self):
        calls["n"] += 1
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(VisitPdfExporter, "build", down)
    job = run(new_job(approved_visit))
    assert calls["n"] == MAX_RETRIES + 1 == 4
    assert job.state == ReportJob.State.FAILED
    assert job.attempts == 4
    assert not job.is_current and not job.file
    assert "4" in job.error and "OperationalError" in job.error
    assert "Traceback" not in job.error and "could not connect" not in job.error
    assert "could not connect to server" in job.error_detail
    assert report_files(media_root) == []


def test_an_os_error_is_transient_too(approved_visit, media_root, monkeypatch):
    calls = {"n": 0}
    original = VisitXlsxExporter.build

    def disk(self):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(28, "No space left on device")
        return original(self)

    monkeypatch.setattr(VisitXlsxExporter, "build", disk)
    job = run(new_job(approved_visit, "visit-xlsx"))
    assert job.state == ReportJob.State.DONE and job.attempts == 2


def test_an_unexpected_error_fails_at_once_with_a_readable_message(
    approved_visit, media_root, monkeypatch, caplog
):
    calls = {"n": 0}

    def bug(self):
        calls["n"] += 1
        raise KeyError("sections")

    monkeypatch.setattr(VisitPdfExporter, "build", bug)
    job = run(new_job(approved_visit))
    assert calls["n"] == 1, "no retry for a bug"
    assert job.state == ReportJob.State.FAILED and job.attempts == 1
    assert "KeyError" in job.error and "Traceback" not in job.error
    assert "sections" in job.error_detail
    assert any(r.exc_info for r in caplog.records if "unexpected" in r.getMessage()), (
        "the traceback is logged"
    )


def test_bad_data_fails_with_its_own_message(approved_visit, media_root, monkeypatch):
    def bad(self):
        raise ReportDataError("表三 of 李䶮 cannot be scored")

    monkeypatch.setattr(VisitPdfExporter, "build", bad)
    job = run(new_job(approved_visit))
    assert job.state == ReportJob.State.FAILED
    assert job.error == "表三 of 李䶮 cannot be scored"


def test_a_subject_that_vanished_fails_the_job(approved_visit, media_root, monkeypatch):
    def gone(self):
        raise Visit.DoesNotExist("Visit matching query does not exist.")

    monkeypatch.setattr(VisitPdfExporter, "build", gone)
    job = run(new_job(approved_visit))
    assert job.state == ReportJob.State.FAILED and job.attempts == 1
    assert job.error and "matching query" not in job.error


def test_a_message_for_a_job_that_does_not_exist_is_dropped_with_one_line(db, caplog):
    # A message left in a shared broker folder by another database's app, or
    # for a job deleted since: no traceback, nothing written.
    with caplog.at_level("WARNING", logger="reports.tasks"):
        assert build_report.run(987654) == "missing"
    assert [r.getMessage() for r in caplog.records] == [
        "Report job 987654 does not exist; its message is dropped"
    ]
    assert not any(r.exc_info for r in caplog.records)
    assert not ReportJob.objects.exists()


def test_the_task_settings_keep_below_the_broker_visibility_timeout():
    assert build_report.acks_late is True
    assert build_report.reject_on_worker_lost is True
    assert build_report.max_retries == 3
    assert build_report.soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert build_report.time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert build_report.soft_time_limit < build_report.time_limit
    visibility = (getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}).get(
        "visibility_timeout", 3600
    )
    assert build_report.time_limit < visibility
    assert build_report.retry_backoff_max < visibility


# --- pages and downloads -------------------------------------------------------------


@pytest.fixture
def done_job(approved_visit, media_root):
    return run(new_job(approved_visit))


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


USERS = {
    "anonymous": (None, False),
    "inspector of the visit": ("inspector_a", True),
    "head-office inspector not on the visit": ("inspector_hq", False),
    "inspector of another branch": ("inspector_b", False),
    "manager of the branch": ("manager_a", True),
    "manager of another branch": ("manager_b", False),
    "head office": ("hq", True),
}


@pytest.mark.parametrize("who", list(USERS))
def test_status_page_json_and_download_follow_the_access_rules(client, world, done_job, who):
    attribute, allowed = USERS[who]
    client = client_for(client, getattr(world, attribute) if attribute else None)
    urls = [
        reverse("report-job", args=[done_job.pk]),
        reverse("report-job-status", args=[done_job.pk]),
        reverse("report-job-download", args=[done_job.pk]),
        reverse("visit-reports", args=[done_job.visit_id]),
    ]
    for url in urls:
        response = client.get(url)
        if attribute is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif allowed:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 404, url


@pytest.mark.parametrize("who", list(USERS))
def test_regenerating_follows_the_access_rules(client, world, done_job, who, no_broker):
    attribute, allowed = USERS[who]
    client = client_for(client, getattr(world, attribute) if attribute else None)
    before = ReportJob.objects.count()
    response = client.post(reverse("visit-reports-generate", args=[done_job.visit_id]))
    if attribute is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif allowed:
        assert response.status_code == 302
        assert ReportJob.objects.count() == before + 2
    else:
        assert response.status_code == 404
        assert ReportJob.objects.count() == before


def test_a_visit_not_yet_approved_has_no_report_to_build(client, world, visit, no_broker):
    client.force_login(world.hq)
    assert client.post(reverse("visit-reports-generate", args=[visit.pk])).status_code == 403
    page = client.get(reverse("visit-reports", args=[visit.pk]))
    assert page.status_code == 200 and b"generate-reports" not in page.content


def test_the_download_is_an_attachment_with_the_right_type(client, world, done_job):
    client.force_login(world.manager_a)
    response = client.get(reverse("report-job-download", args=[done_job.pk]))
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition  # the Chinese name, RFC 5987 encoded
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == done_job.checksum
    assert response["Cache-Control"] == "private, no-store"


def test_the_status_json_shows_progress_and_the_link_when_done(client, world, done_job):
    client.force_login(world.hq)
    data = client.get(reverse("report-job-status", args=[done_job.pk])).json()
    assert data["state"] == "done" and data["finished"] and data["progress"] == 100
    assert data["download_url"] == reverse("report-job-download", args=[done_job.pk])
    assert data["checksum"] == done_job.checksum

    queued = new_job(done_job.visit, "visit-xlsx")
    data = client.get(reverse("report-job-status", args=[queued.pk])).json()
    assert data["state"] == "queued" and not data["finished"] and data["download_url"] is None


def test_the_job_page_polls_with_a_static_script_only(client, world, done_job):
    client.force_login(world.hq)
    html = client.get(reverse("report-job", args=[done_job.pk])).content.decode()
    assert "js/report-job.js" in html
    assert 'data-status-url="' + reverse("report-job-status", args=[done_job.pk]) in html
    scripts = [part.split(">", 1)[0] for part in html.split("<script")[1:]]
    assert all("src=" in tag for tag in scripts), "no inline script"


def test_a_replaced_report_downloads_the_current_one(
    client, world, done_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        newer = run(new_job(done_job.visit))
    client.force_login(world.hq)
    response = client.get(reverse("report-job-download", args=[done_job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("report-job-download", args=[newer.pk])


def test_an_unfinished_job_has_nothing_to_download(client, world, approved_visit):
    job = new_job(approved_visit)
    client.force_login(world.hq)
    assert client.get(reverse("report-job-download", args=[job.pk])).status_code == 404


def test_no_url_serves_the_report_files(client, world, done_job):
    client.force_login(world.hq)
    assert not settings.MEDIA_URL or settings.MEDIA_URL in ("/", "")
    for url in (f"/media/{done_job.file.name}", f"/{done_job.file.name}", "/reports/"):
        assert client.get(url).status_code == 404


def test_the_visit_page_links_to_the_report_once_approved(client, world, approved_visit):
    client.force_login(world.hq)
    html = client.get(reverse("visit-detail", args=[approved_visit.pk])).content.decode()
    assert reverse("visit-reports", args=[approved_visit.pk]) in html


def test_a_visit_page_before_approval_has_no_report_link(client, world, visit):
    client.force_login(world.hq)
    html = client.get(reverse("visit-detail", args=[visit.pk])).content.decode()
    assert reverse("visit-reports", args=[visit.pk]) not in html


# --- access rules for other subjects (used by the branch and consolidated reports) ---


def test_branch_and_campaign_reports_are_head_office_and_own_branch_only(world):
    from reports.access import can_download

    branch_job = ReportJob(exporter="branch-pdf", campaign=world.campaign, branch=world.branch_a)
    campaign_job = ReportJob(exporter="consolidated-pdf", campaign=world.campaign)
    assert can_download(world.hq, branch_job)
    assert can_download(world.manager_a, branch_job)
    assert not can_download(world.manager_b, branch_job)
    assert not can_download(world.inspector_a, branch_job)
    assert can_download(world.hq, campaign_job)
    assert not can_download(world.manager_a, campaign_job)
    assert not can_download(world.inspector_hq, campaign_job)


# --- the command line --------------------------------------------------------------


def test_build_report_command_writes_the_visit_report(approved_visit, tmp_path):
    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        output = tmp_path / f"visit.{fmt}"
        call_command(
            "build_report",
            visit=approved_visit.pk,
            format=fmt,
            output=str(output),
            verbosity=0,
        )
        assert output.read_bytes().startswith(magic)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visit.pdf", "visit.xlsx"]


def test_build_report_command_writes_the_consolidated_report(approved_visit, tmp_path):
    campaign = approved_visit.campaign.pk
    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        output = tmp_path / f"all.{fmt}"
        call_command(
            "build_report",
            campaign=campaign,
            consolidated=True,
            format=fmt,
            output=str(output),
            verbosity=0,
        )
        assert output.read_bytes().startswith(magic)
    from openpyxl import load_workbook

    names = load_workbook(tmp_path / "all.xlsx").sheetnames
    assert len(names) >= 3, names


def test_build_report_command_explains_what_is_wrong(approved_visit, tmp_path):
    with pytest.raises(CommandError, match="not found"):
        call_command("build_report", visit=999999, output=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError):
        call_command("build_report", campaign=1, output=str(tmp_path / "x.pdf"))
    outside = factories.BranchFactory(code="zz", name="丙分公司")
    with pytest.raises(CommandError, match="丙分公司"):
        call_command(
            "build_report",
            campaign=approved_visit.campaign.pk,
            branch=outside.pk,
            output=str(tmp_path / "x.pdf"),
        )
    with pytest.raises(CommandError, match="not a directory"):
        call_command("build_report", visit=approved_visit.pk, output=str(tmp_path / "no" / "x.pdf"))


def test_rebuilding_shows_the_actions_current_status(approved_visit, media_root):
    from django.utils import translation
    from openpyxl import load_workbook

    def statuses():
        job = run(new_job(approved_visit, "visit-xlsx"))
        ws = load_workbook(job.file.path)[actions_title]
        return [row[6] for row in ws.iter_rows(min_row=3, values_only=True)]

    with translation.override(settings.LANGUAGE_CODE):
        actions_title = translation.gettext("Actions")  # the actions' sheet (not the last: photos)
        open_label = str(RectificationAction.Status.OPEN.label)
        closed_label = str(RectificationAction.Status.CLOSED.label)
    assert statuses() == [open_label]
    RectificationAction.objects.filter(visit=approved_visit).update(
        status=RectificationAction.Status.CLOSED
    )
    assert statuses() == [closed_label]


def test_deleting_a_job_deletes_its_file(done_job, django_capture_on_commit_callbacks):
    path = Path(done_job.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done_job.delete()
    assert not path.exists()


def test_manage_py_check_refuses_time_limits_above_the_visibility_timeout(settings):
    from django.core.checks import run_checks

    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    assert not [e for e in run_checks(tags=["celery"]) if e.id == "reports.E001"]
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
    [error] = [e for e in run_checks(tags=["celery"]) if e.id == "reports.E001"]
    assert "600" in error.msg and "CELERY_VISIBILITY_TIMEOUT" in error.hint
