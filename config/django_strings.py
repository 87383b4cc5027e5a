"""Interface strings of Django and of the packages we use that their own
zh_Hans catalogs do not translate (django-axes and django-auditlog have none).
Named here so that makemessages keeps them in the project's catalog, which
Django consults before theirs (LOCALE_PATHS): Django admin then shows their
models, fields, filters and columns in the user's language. Their app names
come from AppConfigs of ours (config/apps.py) or are translated here."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    # The blank choice of every select since Django 6.1 (BLANK_CHOICE_LABEL).
    gettext_noop("- Select an option -"),
    # Admin's date hierarchy (admin/date_hierarchy.html).
    gettext_noop("Filter by %(field_name)s"),
)

# django-axes (the log-in lock-out): its models, their fields and its admin.
AXES_STRINGS = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Not set"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
)

# django-auditlog (the change history, inspections.VisitChange): its app, the
# fields of its log entry, and its admin's columns, filters and change table.
AUDITLOG_STRINGS = (
    gettext_noop("Audit log"),
    gettext_noop("Audit log: %s"),
    gettext_noop("log entry"),
    gettext_noop("log entries"),
    gettext_noop("content type"),
    gettext_noop("object pk"),
    gettext_noop("object id"),
    gettext_noop("object representation"),
    gettext_noop("action"),
    gettext_noop("create"),
    gettext_noop("update"),
    gettext_noop("delete"),
    gettext_noop("access"),
    gettext_noop("change message"),
    gettext_noop("actor"),
    gettext_noop("actor email"),
    gettext_noop("Correlation ID"),
    gettext_noop("Click to filter by records with this correlation id"),
    gettext_noop("remote address"),
    gettext_noop("remote port"),
    gettext_noop("timestamp"),
    gettext_noop("additional data"),
    gettext_noop("Created {repr:s}"),
    gettext_noop("Updated {repr:s}"),
    gettext_noop("Deleted {repr:s}"),
    gettext_noop("Logged {repr:s}"),
    gettext_noop("Created"),
    gettext_noop("User"),
    gettext_noop("Resource"),
    gettext_noop("Resource Type"),
    gettext_noop("Changes"),
    gettext_noop("View"),
    gettext_noop("Field"),
    gettext_noop("From"),
    gettext_noop("To"),
    gettext_noop("Relationship"),
    gettext_noop("Action"),
    gettext_noop("Objects"),
)
