from axes.apps import AppConfig as DjangoAxesConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _


class AdminConfig(DjangoAdminConfig):
    default_site = "config.admin.AdminSite"


class AxesConfig(DjangoAxesConfig):
    """django-axes (the log-in lock-out) under a name in the user's language:
    it names itself "Axes" in Django admin. Its models' and fields' own labels
    are translated in our catalog (config/django_strings.py)."""

    verbose_name = _("Log-in protection")

    def ready(self):
        super().ready()
        from config import lockout_admin

        lockout_admin.register()
