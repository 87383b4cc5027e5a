"""/healthz/: database, broker and worker liveness, for the load balancer.

A web replica is healthy when it can serve: when its database answers. The
broker and the worker are reported beside it but do not take the replica out
of service: with Redis down, inspectors keep saving and submitting and report
jobs wait in the database until the broker is back (reports' outbox). A
monitor that wants everything up asks `?strict=1`: 503 unless all three are ok.
"""

import datetime

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu import Connection

from inspections.models import WorkerHeartbeat

# Beat sends the heartbeat every minute; three missed beats mean no worker.
WORKER_STALE_AFTER = datetime.timedelta(minutes=3)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not healthy"; the reason is reported
        return f"error: {error.__class__.__name__}"
    return "ok"


def _broker() -> str:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def _worker() -> str:
    try:
        last = (
            WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        )
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    if last is None:
        return "unknown"
    return "ok" if timezone.now() - last <= WORKER_STALE_AFTER else "stale"


@never_cache
def healthz(request):
    checks = {"database": _database(), "broker": _broker(), "worker": _worker()}
    everything = all(value == "ok" for value in checks.values())
    healthy = everything if request.GET.get("strict") else checks["database"] == "ok"
    return JsonResponse(
        {"healthy": healthy, "degraded": not everything, **checks},
        status=200 if healthy else 503,
    )
