"""What stops a production start (DEBUG off): read by config/settings.py before
anything else starts, so `manage.py check`, gunicorn, the worker and beat all
refuse with ImproperlyConfigured, naming the variable to set."""

# Values people leave in place from examples and tutorials.
PLACEHOLDERS = ("change-me", "changeme", "change_me", "placeholder", "your-secret", "secret-key")
MIN_SECRET_KEY_LENGTH = 50


def production_problems(secret_key: str, allowed_hosts: list[str], development_key: str) -> list:
    problems = []
    lowered = secret_key.lower()
    if not secret_key:
        problems.append("SECRET_KEY is not set: production needs a long random one.")
    elif secret_key == development_key or lowered.startswith("django-insecure"):
        problems.append("SECRET_KEY is the development key: set a long random one.")
    elif any(placeholder in lowered for placeholder in PLACEHOLDERS):
        problems.append("SECRET_KEY is a placeholder: set a long random one.")
    elif len(secret_key) < MIN_SECRET_KEY_LENGTH or len(set(secret_key)) < 5:
        problems.append(
            f"SECRET_KEY is too short or too simple ({len(secret_key)} characters): set a random "
            f"one of at least {MIN_SECRET_KEY_LENGTH}, e.g. "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
        )
    if not allowed_hosts:
        problems.append("ALLOWED_HOSTS is empty: set the host name(s) the site is served under.")
    return problems
