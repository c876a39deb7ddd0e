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
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
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
    assert "Connect" in body["checks"]["cache"] or "refused" in body["checks"]["cache"]
