# Production image: the same image runs the web server (gunicorn), the Celery
# worker and Celery beat; see docker-compose.yml.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings

# fonts-noto-cjk: Chinese glyphs in PDF reports; libharfbuzz-subset0 and pango:
# WeasyPrint; gettext: compilemessages.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-noto-cjk libharfbuzz-subset0 gettext libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
# `--group` (PEP 735 dependency groups) needs pip >= 25.1.
COPY pyproject.toml ./
RUN pip install "pip>=25.1" && pip install --group app

COPY . .

# Compile translations (while the project has a locale directory), on the
# development settings: production's secrets are not in the image.
RUN if find . -path ./var -prune -o -type d -name locale -print | grep -q .; then \
        DEBUG=1 python manage.py compilemessages --ignore=var; \
    fi

RUN useradd --create-home --uid 1000 app \
    && mkdir -p /app/var/media /app/var/staticfiles \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "-b", "0.0.0.0:8000", "--workers", "3"]
