from django.urls import path

from hub.consumers import LiveConsumer


def _graphql_socket(scope, receive, send):
    # Imported at the first connection: the schema composes every app (hub imports none
    # at module level), and the apps are loaded by then.
    from hub.graphql import graphql_socket

    return graphql_socket(scope, receive, send)


websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi()),
    path("ws/graphql/", _graphql_socket),
]
