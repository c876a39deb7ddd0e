#!/usr/bin/env bash
# `manage.py check --deploy` with production values: it must print no warnings.
set -euo pipefail
cd "$(dirname "$0")/.."
env -u DJANGO_DEBUG \
    DJANGO_SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DJANGO_ALLOWED_HOSTS=nexus.example.com \
    DJANGO_CSRF_TRUSTED_ORIGINS=https://nexus.example.com \
    DJANGO_HTTPS=true \
    EMAIL_URL="smtp+tls://mailer:not-a-secret@smtp.example.com:587" \
    .venv/bin/python manage.py check --deploy --fail-level WARNING
