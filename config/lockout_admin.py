"""django-axes' admin of log-in attempts, with the two columns it leaves
unnamed ("Status", "Expiration" from the method names) named in the user's
language; its other labels come from our catalog (config/django_strings.py).
Registered in place of axes' own by `config.apps.AxesConfig.ready`, once the
admin has loaded axes' registrations."""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    @admin.display(description=_("Status"))
    def status(self, obj):
        return super().status(obj)

    @admin.display(description=_("Expires At"))
    def expiration(self, obj):
        return super().expiration(obj)


def register():
    if not axes_settings.AXES_ENABLE_ADMIN:
        return
    if admin.site.is_registered(AccessAttempt):
        admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)
