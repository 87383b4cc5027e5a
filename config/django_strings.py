"""Django's own interface strings that its zh_Hans catalog does not translate
yet. Named here so that makemessages keeps them in the project's catalog, which
Django consults before its own (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    # The blank choice of every select since Django 6.1 (BLANK_CHOICE_LABEL).
    gettext_noop("- Select an option -"),
)
