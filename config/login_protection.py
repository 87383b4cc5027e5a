"""Log-in lock-out with a limit per kind of count (django-axes counts every kind
against one limit).

Failures are counted three ways, each with its own limit in settings
(LOGIN_FAILURE_LIMITS): one user name from one address, one user name from
any address (a password guessed from many addresses), and one address for any
user name (one password tried against every user). Reaching any one of them
locks for AXES_COOLOFF_TIME. The counts are axes' own records; this handler
only says when they are too many.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

# The limit of each of AXES_LOCKOUT_PARAMETERS (settings), in their order.
LIMIT_KEYS = ["user_at_address", "user", "address"]


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The failures of the count nearest its limit, on the scale of
        AXES_FAILURE_LIMIT (the per user-and-address limit): axes locks when
        this reaches it, that is when any count reaches its own limit."""
        scale = settings.AXES_FAILURE_LIMIT
        limits = settings.LOGIN_FAILURE_LIMITS
        worst = 0
        for attempts, key in zip(
            self.get_user_attempts(request, credentials), LIMIT_KEYS, strict=True
        ):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, count * scale // limits[key])
        return worst


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out log-in gets (AXES_LOCKOUT_CALLABLE): in the user's
    language, with the limits in force."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "limits": settings.LOGIN_FAILURE_LIMITS,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
