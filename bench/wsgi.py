"""The benchmark's WSGI entry point: hub.wsgi, plus the floor.

`/bench/bare` calls the hello-world view (/healthz's) straight from the WSGI callable: no
middleware, no URL resolving; what Django itself costs per request on this server.
`/bench/bare?bytes=N` is the same with a body of N bytes: what sending a page that size
costs on its own. Every other path is the production application unchanged. Only
bench/run.py serves this.
"""

from urllib.parse import parse_qs

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse

from hub.views import healthz_view
from hub.wsgi import application as nexus


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/bench/bare":
        return nexus(environ, start_response)
    response = healthz_view(WSGIRequest(environ))
    size = parse_qs(environ.get("QUERY_STRING", "")).get("bytes")
    if size:
        response = HttpResponse(b"x" * int(size[0]), content_type="text/html; charset=utf-8")
    start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
    return response
