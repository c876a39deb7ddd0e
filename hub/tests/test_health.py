import pytest
from django.test import override_settings

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_checks_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "channel_layer": "ok"}


@pytest.mark.django_db(transaction=True)
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "hub.redis_cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    },
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [DEAD_REDIS]},
        }
    },
)
def test_readyz_names_cache_and_channel_layer_when_redis_is_unreachable(client):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache", "channel_layer"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == body["checks"]["channel_layer"] == "unreachable"
    assert "127.0.0.1" not in response.content.decode()


DRIVER_MESSAGE = 'connection to server at "10.1.2.3", port 5432 failed: Connection refused'


@pytest.fixture
def database_down():
    from unittest import mock

    from django.db import OperationalError, connection

    with mock.patch.object(connection, "cursor", side_effect=OperationalError(DRIVER_MESSAGE)):
        yield


@pytest.mark.django_db
def test_readyz_names_the_database_without_its_address_and_logs_the_details(
    database_down, client, caplog
):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "unreachable"
    text = response.content.decode()
    assert "10.1.2.3" not in text and "5432" not in text and "refused" not in text
    assert DRIVER_MESSAGE in caplog.text


@pytest.mark.django_db
def test_with_the_database_down_pages_answer_503_with_retry_after(database_down):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"back in a moment" in response.content
    assert b"10.1.2.3" not in response.content
