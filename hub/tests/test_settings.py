"""The one settings module, read in a fresh process for each environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "DJANGO_DEBUG")
PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "layer_hosts": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "email": settings.MAILERS["default"]["BACKEND"],
    "verification": settings.ACCOUNT_EMAIL_VERIFICATION,
    "debug": settings.DEBUG,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
}))
"""


def read_settings(probe: str = PROBE, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in SERVICE_VARS and not k.startswith("GITHUB_")
    }
    clean.update(DJANGO_SETTINGS_MODULE="hub.settings", DJANGO_ENV_FILE="/nonexistent", **env)
    clean.pop("DJANGO_SECRET_KEY", None) if "DJANGO_SECRET_KEY" not in env else None
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_for(**env: str) -> dict:
    result = read_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default():
    s = settings_for(DJANGO_DEBUG="true")
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["db_name"].endswith("db.sqlite3")
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["broker"] == "memory://" and s["eager"] is True
    assert s["email"] == "hub.mail.ConsoleEmailBackend"
    assert s["verification"] == "optional"
    assert s["debug"] is True


def test_services_form():
    s = settings_for(
        DJANGO_SECRET_KEY="a-real-secret-for-this-test-only-0123456789abcdef",
        DATABASE_URL="postgres://nexus:pw@db.internal:5432/nexus",
        REDIS_URL="redis://cache.internal:6379/0",
        CELERY_BROKER_URL="amqp://guest:guest@mq.internal:5672//",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.com:587",
        DJANGO_HTTPS="true",
    )
    assert s["db"] == "django.db.backends.postgresql" and s["db_name"] == "nexus"
    assert s["layer"] == "channels_redis.core.RedisChannelLayer"
    assert s["layer_hosts"] == ["redis://cache.internal:6379/0"]
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["broker"] == "amqp://guest:guest@mq.internal:5672//" and s["eager"] is False
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["verification"] == "mandatory"
    assert s["debug"] is False and s["ssl_redirect"] is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "Set DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "django-insecure-copied-from-a-tutorial"}, "development secret"),
    ],
)
def test_without_debug_a_real_secret_is_required(env, message):
    result = read_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


GITHUB_PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "app": "allauth.socialaccount.providers.github" in settings.INSTALLED_APPS,
    "form_action": settings.SECURE_CSP["form-action"],
}))
"""


def test_github_login_only_when_configured():
    without = json.loads(read_settings(GITHUB_PROBE, DJANGO_DEBUG="true").stdout)
    assert without == {"app": False, "form_action": ["'self'"]}
    with_github = json.loads(
        read_settings(
            GITHUB_PROBE,
            DJANGO_DEBUG="true",
            GITHUB_CLIENT_ID="an-id",
            GITHUB_CLIENT_SECRET="a-secret",
        ).stdout
    )
    assert with_github == {"app": True, "form_action": ["'self'", "https://github.com"]}
