"""The one settings module, read in a fresh process for each environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARS = (
    *("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "DJANGO_DEBUG"),
    *("NEXUS_BASE_URL", "NEXUS_ALLOW_LOOPBACK_BASE_URL"),
)
REAL_SECRET = "a-real-secret-for-this-test-only-0123456789abcdef"
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
    clean.update({"DJANGO_SETTINGS_MODULE": "hub.settings", "DJANGO_ENV_FILE": "/nonexistent"})
    clean.update(env)
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
        DJANGO_SECRET_KEY=REAL_SECRET,
        NEXUS_BASE_URL="https://nexus.example.com",
        DATABASE_URL="postgres://nexus:pw@db.internal:5432/nexus",
        REDIS_URL="redis://cache.internal:6379/0",
        CELERY_BROKER_URL="amqp://guest:guest@mq.internal:5672//",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.com:587",
        DJANGO_HTTPS="true",
    )
    assert s["db"] == "django.db.backends.postgresql" and s["db_name"] == "nexus"
    assert s["layer"] == "channels_redis.core.RedisChannelLayer"
    assert s["layer_hosts"] == ["redis://cache.internal:6379/0"]
    assert s["cache"] == "hub.redis_cache.RedisCache"
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


BASE_URL_PROBE = "from django.conf import settings; print(settings.NEXUS_BASE_URL)"
LOOPBACK_BASE_URLS = [
    "http://127.0.0.1:8000",
    "http://localhost:8000",
    "http://LOCALHOST",
    "http://[::1]:8000",
    "http://0.0.0.0:8000",
    "http://127.0.1.1",
    "http://nexus.localhost:8080",
    "https://localhost./",
]


@pytest.mark.parametrize("url", LOOPBACK_BASE_URLS)
def test_without_debug_a_loopback_base_url_is_refused(url):
    """Links in emails would point at the reader's own machine (issue 12)."""
    result = read_settings(BASE_URL_PROBE, DJANGO_SECRET_KEY=REAL_SECRET, NEXUS_BASE_URL=url)
    assert result.returncode != 0
    assert "NEXUS_BASE_URL" in result.stderr and "loopback" in result.stderr


def test_without_debug_the_default_base_url_is_refused():
    result = read_settings(BASE_URL_PROBE, DJANGO_SECRET_KEY=REAL_SECRET)
    assert result.returncode != 0
    assert "NEXUS_BASE_URL" in result.stderr


@pytest.mark.parametrize(
    "url", ["https://nexus.example.com", "http://10.0.0.5:8000", "https://localhost.example.com"]
)
def test_without_debug_a_real_base_url_is_kept(url):
    result = read_settings(BASE_URL_PROBE, DJANGO_SECRET_KEY=REAL_SECRET, NEXUS_BASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == url


def test_a_trial_on_one_machine_may_say_its_loopback_base_url_is_meant():
    result = read_settings(
        BASE_URL_PROBE,
        DJANGO_SECRET_KEY=REAL_SECRET,
        NEXUS_BASE_URL="http://localhost:8080",
        NEXUS_ALLOW_LOOPBACK_BASE_URL="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://localhost:8080"


def test_with_debug_a_loopback_base_url_is_kept():
    """`make run` serves on 127.0.0.1 and says so in its links."""
    result = read_settings(BASE_URL_PROBE, DJANGO_DEBUG="true", NEXUS_BASE_URL="http://[::1]:8011")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://[::1]:8011"


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
