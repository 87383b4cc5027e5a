"""Django admin for admins only: a staff account reaches it only with the admin
role (or as a superuser); within it, Django's model permissions (the groups an
account is in) decide what a staff user who is not a superuser may change."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class AdminSite(admin.AdminSite):
    site_header = _("一柜通 acceptance inspections: administration")
    site_title = _("一柜通 administration")
    index_title = _("Rubrics, organisation and users")

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or getattr(user, "role", "") == "admin")
        )
