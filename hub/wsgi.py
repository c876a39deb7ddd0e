"""WSGI entry point: gunicorn serves every page through it (see docs/decisions/0001)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

_django = get_wsgi_application()  # sets Django up: hub's modules can be imported from here

from hub import page_cache  # noqa: E402

# Kept pages are served in front of Django's handler (hub/page_cache.py, "Hits before
# Django's handler"); everything else goes through it.
application = page_cache.wsgi(_django)
