"""ASGI entry point: HTTP and WebSocket in development (runserver with daphne), only
`/ws/` in production (uvicorn behind the proxy; pages go to gunicorn's WSGI workers)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

# Load Django (apps, settings) before importing anything that touches models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from hub.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# The socket process holds a thousand consumers and, per event, a burst of short-lived
# tasks and frames for each: with the default first-generation threshold (2,000) those
# bursts were promoted and every few seconds a full collection scanned the whole heap,
# stalling every socket's event by 100-200 ms (bench/live.py, decision 0032). What exists
# now (Django, the schema, the URL routes) is moved out of the collector's reach, and the
# first generation holds 10,000 objects before a collection.
gc.freeze()
gc.set_threshold(10_000, 10, 10)
