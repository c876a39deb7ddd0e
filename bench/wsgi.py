"""The benchmark's WSGI entry point: hub.wsgi, plus the floor.

`/bench/bare` calls the hello-world view (/healthz's) straight from the WSGI callable: no
middleware, no URL resolving; what Django itself costs per request on this server. Every
other path is the production application unchanged. Only bench/run.py serves this.
"""

from django.core.handlers.wsgi import WSGIRequest

from hub.views import healthz_view
from hub.wsgi import application as nexus


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/bench/bare":
        return nexus(environ, start_response)
    response = healthz_view(WSGIRequest(environ))
    start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
    return response
