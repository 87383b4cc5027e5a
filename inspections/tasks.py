import socket

from celery import shared_task
from django.utils import timezone

from . import reminders
from .models import WorkerHeartbeat


@shared_task(ignore_result=True)
def record_worker_heartbeat() -> str:
    """Beat sends this every minute: when it last ran tells that a worker is alive."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"seen_at": now}
    )
    return now.isoformat()


@shared_task(ignore_result=True)
def send_action_reminders() -> int:
    """Beat runs this daily; running it again the same day sends nothing more."""
    return reminders.send_action_reminders()


@shared_task(ignore_result=True)
def send_objection_window_reminders() -> int:
    """Beat runs this daily; a branch is reminded once per publication."""
    return reminders.send_objection_window_reminders()


@shared_task(ignore_result=True)
def send_problem_reminders() -> int:
    """Beat runs this daily; an entry is mailed to its owner once a day at most."""
    return reminders.send_problem_reminders()
