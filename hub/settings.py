"""Nexus settings: one module, read from the environment.

With nothing set, a fresh clone runs on the embedded default: SQLite, the in-memory
channel layer, local-memory cache, eager Celery and console email. Each URL that is set
switches its part to the real service (see the README's environment table):

    DATABASE_URL        postgres://...         -> PostgreSQL
    REDIS_URL           redis://...            -> channels-redis layer + Redis cache
    CELERY_BROKER_URL   amqp://...             -> Celery on RabbitMQ (a worker runs tasks)
    EMAIL_URL           smtp+tls://user:pw@host:587  -> SMTP

`make run` sets DJANGO_DEBUG=true and writes a local secret into the ignored `.env`.
"""

import ipaddress
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# The ignored .env written by `make run` (a local secret). Real environment variables win.
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# --- Secrets and hosts -------------------------------------------------------------

_DEV_SECRET = "django-insecure-nexus-development-only"  # noqa: S105 - refused without DEBUG
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (any long random string) or DJANGO_DEBUG=true for local work."
        )
    SECRET_KEY = _DEV_SECRET
elif SECRET_KEY.startswith("django-insecure-") and not (DEBUG or TESTING):
    raise ImproperlyConfigured("A development secret key cannot be used with DEBUG off.")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "testserver"] if (DEBUG or TESTING) else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications ------------------------------------------------------------------

GITHUB_CLIENT_ID = env.str("GITHUB_CLIENT_ID", default="")
GITHUB_CLIENT_SECRET = env.str("GITHUB_CLIENT_SECRET", default="")
GITHUB_LOGIN = bool(GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET)

INSTALLED_APPS = [
    # daphne first: its runserver serves HTTP and WebSocket in one development process.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "channels",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    *(["allauth.socialaccount.providers.github"] if GITHUB_LOGIN else []),
    "hub",
    "accounts",
    "notifications",
    "discussions",
    "projects",
    "moderation",
    "guides",
    "ops",
    "webhooks",
]

MIDDLEWARE = [
    # Sampled per-route timings, queries and cache hits (hub/metrics.py): outermost.
    "hub.metrics.MetricsMiddleware",
    # Whole pages from the cache (hub/page_cache.py): a hit skips everything below, whose
    # headers (security, caching, CSP with the hit's own nonce) were kept with the page.
    "hub.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # ETag/304 and Cache-Control for pages (hub/http_cache.py); before CSP, which it drops
    # from a 304 so the browser keeps the policy whose nonce matches its copy.
    "hub.http_cache.HttpCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware: answers CORS preflights for the API (CORS_* below).
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sees every 403 from every door (views, CSRF, the API) with the user known.
    "hub.middleware.DeniedLogMiddleware",
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 before anything reads it
    # (CSRF reads request.POST only later, in process_view).
    "hub.middleware.BodyLimitMiddleware",
    # A new session key when the account's role changed (sign-in cycles it already).
    "hub.middleware.SessionRotationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # DEBUG only: the styled 404 with a developer hint, not Django's technical page.
    "hub.middleware.FriendlyNotFoundMiddleware",
]

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"
ASGI_APPLICATION = "hub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hub.context_processors.site",
                "hub.context_processors.viewer",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# --- Data: the embedded default or the services form ---------------------------------

DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 10},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache with one client per pool, not one per call (hub/redis_cache.py).
            "BACKEND": "hub.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "nexus",
            # Bounded, so a Redis outage degrades a page instead of hanging it: a Redis that
            # accepts but never answers costs one read timeout per process per
            # NEXUS_CACHE_RETRY_SECONDS (the cache is then left alone), not one per call.
            "OPTIONS": {
                "socket_connect_timeout": env.float("NEXUS_CACHE_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("NEXUS_CACHE_READ_TIMEOUT", default=0.5),
            },
        }
    }
    # "core" (default) or "pubsub" (channels-redis's Redis pub/sub layer; see bench/live.py).
    _LAYERS = {
        "core": "channels_redis.core.RedisChannelLayer",
        "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    }
    CHANNEL_LAYER_BACKEND = env.str("CHANNEL_LAYER_BACKEND", default="core")
    if CHANNEL_LAYER_BACKEND not in _LAYERS:
        raise ImproperlyConfigured(f"CHANNEL_LAYER_BACKEND must be one of {sorted(_LAYERS)}")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": _LAYERS[CHANNEL_LAYER_BACKEND],
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "nexus"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
# Tests run tasks inline even with a broker set (test_broker.py starts a real worker).
CELERY_TASK_ALWAYS_EAGER = TESTING or not env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# A worker process killed mid-task: the message goes back to the queue at once (the
# sent-marker keeps an email from going twice), not at the next sweep.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task that fails for good is rejected, not acknowledged: its queue dead-letters it
# (hub.celery: quorum queues with a delivery limit and a dead-letter exchange).
CELERY_TASK_ACKS_ON_FAILURE = False
CELERY_TASK_ACKS_ON_TIMEOUT = False
NEXUS_TASK_DELIVERY_LIMIT = env.int("NEXUS_TASK_DELIVERY_LIMIT", default=5)
NEXUS_DEAD_LETTER_QUEUE = "nexus.dead"
NEXUS_DEAD_LETTER = "ops.services.taskrun_dead"
# Countdowns and retries go through RabbitMQ's native delayed delivery (on because our
# queues are quorum queues). Its 28 waiting queues are classic: a fixed TTL per level
# keeps them in order, and a message whose queue was removed is dropped, where a quorum
# level's at-least-once dead-lettering keeps it and retries it for ever.
CELERY_BROKER_NATIVE_DELAYED_DELIVERY_QUEUE_TYPE = "classic"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A request never waits long on the broker: bounded connect and publish.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_TIMEZONE = "UTC"
NEXUS_EMAIL_QUEUE = env.str("NEXUS_EMAIL_QUEUE", default="celery")
# Queued by each worker whenever it (re)connects to the broker (hub.celery).
NEXUS_ON_BROKER_CONNECT = {
    "notifications.tasks.notification_email_sweep": {
        "kwargs": {"after_seconds": 0},
        "queue": NEXUS_EMAIL_QUEUE,
        "expires": 120,
    },
    # Tasks whose enqueue failed while the broker was down (ops.ParkedTask).
    "ops.tasks.parked_tasks_send": {"queue": NEXUS_EMAIL_QUEUE, "expires": 120},
}
# Webhooks (webhooks/, docs/decisions/0027): deliveries go to this queue, wait at most
# this long for a receiver, and retry with back-off from this base. Never to private,
# loopback or link-local addresses, except the networks listed here (CIDRs; tests use a
# receiver on 127.0.0.1).
NEXUS_WEBHOOK_QUEUE = env.str("NEXUS_WEBHOOK_QUEUE", default="celery")
NEXUS_WEBHOOK_TIMEOUT = 5
# Eager Celery (the embedded default) delivers on the request path: one try, this short,
# and the retries are left to the resume sweep or Redeliver (docs/decisions/0027).
NEXUS_WEBHOOK_EAGER_TIMEOUT = 2
NEXUS_WEBHOOK_RETRY_BASE = 10
# A retry this long overdue lost its delayed message: beat's resume sweep queues it again.
NEXUS_WEBHOOK_RESUME_GRACE = timedelta(minutes=2)
NEXUS_WEBHOOK_ALLOW_NETWORKS = env.list("NEXUS_WEBHOOK_ALLOW_NETWORKS", default=[])
# HTTPS receivers' certificates are checked against the system's CAs, or only against
# this PEM bundle when set (a private CA; tests use one of their own).
NEXUS_WEBHOOK_CA_BUNDLE = env.str("NEXUS_WEBHOOK_CA_BUNDLE", default="") or None
NEXUS_WEBHOOK_LOG_KEEP = timedelta(days=env.int("NEXUS_WEBHOOK_LOG_KEEP_DAYS", default=30))
# The worker's heartbeat (hub.celery.HeartbeatStep) and the run record's lifetime (ops).
NEXUS_WORKER_HEARTBEAT = "ops.services.worker_heartbeat"
NEXUS_WORKER_HEARTBEAT_SECONDS = 10
NEXUS_TASK_RUNS_KEEP = timedelta(days=env.int("NEXUS_TASK_RUNS_KEEP_DAYS", default=14))
CELERY_BEAT_SCHEDULE = {
    "parked-tasks-send": {
        "task": "ops.tasks.parked_tasks_send",
        "schedule": 60.0,
        "options": {"queue": NEXUS_EMAIL_QUEUE, "expires": 50},
    },
    "taskrun-prune": {
        "task": "ops.tasks.taskrun_prune",
        "schedule": crontab(minute=17),
        "options": {"queue": NEXUS_EMAIL_QUEUE, "expires": 3000},
    },
    "webhook-deliveries-resume": {
        "task": "webhooks.tasks.webhook_deliveries_resume",
        "schedule": 60.0,
        "options": {"queue": NEXUS_WEBHOOK_QUEUE, "expires": 50},
    },
    "webhook-deliveries-prune": {
        "task": "webhooks.tasks.webhook_deliveries_prune",
        "schedule": crontab(minute=43),
        "options": {"queue": NEXUS_EMAIL_QUEUE, "expires": 3000},
    },
    # Emails that should have gone and did not (broker down, worker killed).
    "notification-email-sweep": {
        "task": "notifications.tasks.notification_email_sweep",
        "schedule": crontab(minute="*/5"),
        "options": {"queue": NEXUS_EMAIL_QUEUE, "expires": 240},
    },
    "digest-daily": {
        "task": "notifications.tasks.digest_daily",
        "schedule": crontab(minute=0, hour=7),
        "options": {"queue": NEXUS_EMAIL_QUEUE},
    },
    "digest-weekly": {
        "task": "notifications.tasks.digest_weekly",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
        "options": {"queue": NEXUS_EMAIL_QUEUE},
    },
}

# --- Email ---------------------------------------------------------------------------

EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    _smtp = env.email_url_config(EMAIL_URL)
    MAILERS = {
        "default": {
            "BACKEND": _smtp["EMAIL_BACKEND"],
            "OPTIONS": {
                "host": _smtp.get("EMAIL_HOST", "localhost"),
                "port": _smtp.get("EMAIL_PORT", 25),
                "username": _smtp.get("EMAIL_HOST_USER", ""),
                "password": _smtp.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": _smtp.get("EMAIL_USE_TLS", False),
                "use_ssl": _smtp.get("EMAIL_USE_SSL", False),
                "timeout": 10,
            },
        }
    }
elif NEXUS_MAIL_DIR := env.str("NEXUS_MAIL_DIR", default=""):
    # Every email as a file in this folder (inspect mail under compose, or across processes).
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": NEXUS_MAIL_DIR},
        }
    }
else:
    # Django's console backend, with each link printed first and whole (hub/mail.py).
    MAILERS = {"default": {"BACKEND": "hub.mail.ConsoleEmailBackend"}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Nexus <nexus@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts (django-allauth) -----------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="mandatory" if DATABASE_URL else "optional"
)
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Nexus] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env.bool("DJANGO_HTTPS", default=False) else "http"
# allauth's rate limits are on by default; these are its defaults spelled out.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
    # Ours (accounts.ratelimits.consume): the editor's live preview renders up to 20,000
    # characters a call; typing with its 400 ms debounce stays well under this.
    "markdown_preview": "120/m/user",
}
# With the cache (Redis) down, each rate-limited action either counts in process memory
# ("local": keeps working, bounded per process) or is refused ("closed"). Decision 0009.
NEXUS_RATE_LIMITS_WHEN_CACHE_DOWN = {
    "login_failed": "local",
    "signup": "local",
    "confirm_email": "local",
    "change_password": "local",
    "reset_password": "closed",
    "markdown_preview": "local",
}
# Behind the proxy REMOTE_ADDR is the proxy: allauth's per-IP rate limits need the client.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default="") or None
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_PROVIDERS = (
    {
        "github": {
            "APP": {"client_id": GITHUB_CLIENT_ID, "secret": GITHUB_CLIENT_SECRET},
            "SCOPE": ["user:email"],
        }
    }
    if GITHUB_LOGIN
    else {}
)

# --- Internationalisation --------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# Nexus's own wording of allauth's pages (sentence case): locale/en/LC_MESSAGES.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static files ----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Local runs and tests serve static files straight from the apps (no collectstatic).
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security --------------------------------------------------------------------------

# Content-Security-Policy (Django 6): no inline script anywhere; nonces only where a
# library's tag needs one ({% htmx_script %} adds it).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "https://avatars.githubusercontent.com"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF, *(["https://github.com"] if GITHUB_LOGIN else [])],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# DJANGO_HTTPS=true where the site is served over HTTPS (behind the proxy or fly.io).
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^readyz/worker$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Over HTTPS the cookies take the `__Host-` prefix: the browser then only accepts them
# Secure, for this exact host (no Domain) and Path=/, so a sibling subdomain or a
# plain-HTTP page cannot plant or overwrite them.
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, with a cache version per session that every write bumps: a
# signed-in person's kept page knows their session is unchanged without a query.
SESSION_ENGINE = "hub.sessions"
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Logging ---------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # 403s and 413s are logged once, as one line, by hub.middleware (nexus.security).
    "filters": {
        "handled_refusals": {"()": "hub.middleware.HandledRefusalsFilter"},
        "quiet_sockets": {"()": "hub.logs.QuietSocketsFilter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Named so its default console handler goes: Django's records reach the root's
        # handler once (with it, under DEBUG every line printed twice).
        "django": {"level": "INFO"},
        "django.channels.server": {"filters": ["quiet_sockets"]},
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["handled_refusals"]},
        "django.security.csrf": {"filters": ["handled_refusals"]},
        "django.security.RequestDataTooBig": {"filters": ["handled_refusals"]},
    },
}
CSRF_FAILURE_VIEW = "hub.views.csrf_failure_view"
# Forms and JSON bodies (there are no file uploads): Django's default, spelled out.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Nexus -----------------------------------------------------------------------------

NEXUS_SITE_NAME = "Nexus"
# Absolute links in emails.
NEXUS_BASE_URL = env.str("NEXUS_BASE_URL", default="http://127.0.0.1:8000")


def _is_loopback(url: str) -> bool:
    """The URL names this machine: localhost (and *.localhost), 127.0.0.0/8, ::1, 0.0.0.0."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


# Refused as a development secret is: links in emails would point at the reader's own
# machine. A trial of the services form on one machine (docker compose on localhost, the
# benchmarks) says so explicitly (docs/decisions/0025).
NEXUS_ALLOW_LOOPBACK_BASE_URL = env.bool("NEXUS_ALLOW_LOOPBACK_BASE_URL", default=False)
if _is_loopback(NEXUS_BASE_URL) and not (DEBUG or TESTING or NEXUS_ALLOW_LOOPBACK_BASE_URL):
    raise ImproperlyConfigured(
        f"NEXUS_BASE_URL is a loopback address ({NEXUS_BASE_URL}) with DEBUG off: set it to "
        "the address people open, e.g. https://nexus.example.com (links in emails use it), "
        "or NEXUS_ALLOW_LOOPBACK_BASE_URL=true for a trial on this machine only."
    )
# Notification emails on/off for the whole site (in-app notifications are always on).
NEXUS_NOTIFICATION_EMAILS = env.bool("NEXUS_NOTIFICATION_EMAILS", default=True)
# Posts per account per hour: "hour" for established accounts, "new" for their first day.
NEXUS_POSTING_LIMITS = {
    "question": {"hour": 10, "new": 3},
    "reply": {"hour": 60, "new": 15},  # answers and comments together
}
# Flags from this many distinct people hide a post at once, pending a mentor's review.
NEXUS_FLAG_HIDE_THRESHOLD = env.int("NEXUS_FLAG_HIDE_THRESHOLD", default=3)
# "Ask a mentor" appears once a question has waited this long without a mentor's answer.
NEXUS_ASK_MENTOR_AFTER = timedelta(hours=1)

# --- REST API (/api/v1/; docs/api.md, docs/decisions/0010-api-tokens.md) ---------------

REST_FRAMEWORK = {
    # Token first: an anonymous API request is answered 401 with `WWW-Authenticate: Bearer`.
    # Session authentication enforces CSRF, as the pages do.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Anyone reads what the pages show them; writes need an account (and, with a token,
    # the `write` scope); the services then decide as for the pages.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
        "accounts.authentication.TokenScopes",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hub.api.errors.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_CLASSES": ["hub.api.throttling.RequestRateThrottle"],
    # Proxies in front of the app whose X-Forwarded-For is trusted for the client address
    # (Caddy in docker-compose: 1). 0 trusts none and counts REMOTE_ADDR.
    "NUM_PROXIES": env.int("NEXUS_API_PROXY_COUNT", default=0),
}
# Requests per account (session or token) and per anonymous address, DRF's rate syntax.
NEXUS_API_RATES = {
    "user": env.str("NEXUS_API_RATE_USER", default="600/min"),
    "anon": env.str("NEXUS_API_RATE_ANON", default="120/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Nexus API",
    "DESCRIPTION": (
        "The REST API of Nexus, the collaboration hub of the backend-engineering program. "
        "Guide: docs/api.md (tokens, pagination, errors, ETags, limits)."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation lists the RFC 9457 problems it may answer with (hub/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hub.api.schema.problem_responses",
    ],
}
# Browser clients on other origins (a learner's React app): an allow-list, never "*".
CORS_ALLOWED_ORIGINS = env.list("NEXUS_API_CORS_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/v1/.*$"
# A browser client may send its token and a conditional GET (If-None-Match and
# If-Modified-Since: not among the headers CORS lets through without asking).
CORS_ALLOW_HEADERS = (*default_cors_headers, "if-none-match", "if-modified-since")
# (Last-Modified is one of the response headers CORS always shows; listed with its ETag.)
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Link",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Deprecation",
    "Sunset",
]

# The reference guide: a section not reviewed for this many days shows "may be out of
# date" and is due for review in the mentors' queue.
NEXUS_GUIDE_REVIEW_AFTER = timedelta(days=env.int("NEXUS_GUIDE_REVIEW_DAYS", default=180))
# The versions the program teaches now. A section written for an older one ("Django 5.2")
# shows "may be out of date". Names are matched without regard to case.
NEXUS_PROGRAM_VERSIONS = {
    "Python": "3.13",
    "Django": "6.1",
    "DRF": "3.18",
    "strawberry": "0.341",
    "Celery": "5.5",
    "RabbitMQ": "4.0",
    "Redis": "7.4",
    "PostgreSQL": "15",
    "Docker": "27",
    "Channels": "4.3",
}
# hub.cache entries (versioned fragments); off only in tests that are not marked `cached`.
NEXUS_CACHE = env.bool("NEXUS_CACHE", default=True)
# How long a visitor's whole page is kept (hub/page_cache.py; writes bump it at once). 0: off.
NEXUS_PAGE_CACHE_SECONDS = env.int("NEXUS_PAGE_CACHE_SECONDS", default=30)
# Signed-in people's own copies too (hub/page_cache.py); false keeps visitors' pages only.
NEXUS_PAGE_CACHE_SIGNED_IN = env.bool("NEXUS_PAGE_CACHE_SIGNED_IN", default=True)
# Share of requests sampled into the last hour's per-route figures (/metrics/, hub/metrics.py).
NEXUS_METRICS_SAMPLE = env.float("NEXUS_METRICS_SAMPLE", default=0.05)
# X-Nexus-Queries and X-Nexus-Cache on every response (make bench turns it on).
NEXUS_METRICS_HEADERS = env.bool("NEXUS_METRICS_HEADERS", default=False)

# With DEBUG on a 404 is the styled page with a developer hint; true shows Django's
# technical 404 page (every URL pattern) instead.
NEXUS_TECHNICAL_404 = env.bool("NEXUS_TECHNICAL_404", default=False)
# After a cache error, each process leaves the cache alone this long (pages render uncached).
NEXUS_CACHE_RETRY_SECONDS = env.float("NEXUS_CACHE_RETRY_SECONDS", default=5.0)

# --- GraphQL (/graphql/, hub/graphql.py) ---------------------------------------------------

# Introspection on by default (learners explore the schema in GraphiQL); off with false.
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=True)
# The most one query may cost, and what one person (or address) may spend per minute
# (hub/graphql_limits.py explains the cost model; extensions.cost reports both).
GRAPHQL_MAX_COST = env.int("GRAPHQL_MAX_COST", default=10000)
GRAPHQL_COST_BUDGET_PER_MINUTE = env.int("GRAPHQL_COST_BUDGET_PER_MINUTE", default=100000)
