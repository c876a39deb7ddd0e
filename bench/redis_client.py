"""What a Django cache call costs with Django's RedisCache and with hub.redis_cache's, beside
the bare redis-py GET (the floor), in one run. Prints figures; not a test.

    .venv/bin/python bench/redis_client.py            # REDIS_URL, default db 6
"""

from __future__ import annotations

import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from hub.redis_cache import RedisCache

URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6")
N = 20_000


def per_call(fn) -> float:
    fn()
    return timeit.timeit(fn, number=N) / N * 1e6


def main() -> None:
    bare = redis.Redis.from_url(URL)
    bare.set("bench:redis-client", b"x")
    pool = bare.connection_pool
    django = DjangoRedisCache(URL, {})
    ours = RedisCache(URL, {})
    django.set("k", "v")
    print(f"{'call':<42} {'µs per call':>12}")
    print(f"{'redis-py GET (floor)':<42} {per_call(lambda: bare.get('bench:redis-client')):>12.1f}")
    print(f"{'redis.Redis(connection_pool=...) alone':<42} "
          f"{per_call(lambda: redis.Redis(connection_pool=pool)):>12.1f}")  # fmt: skip
    print(f"{'Django RedisCache.get':<42} {per_call(lambda: django.get('k')):>12.1f}")
    print(f"{'hub.redis_cache.RedisCache.get':<42} {per_call(lambda: ours.get('k')):>12.1f}")
    print(f"{'Django RedisCache.get_many (3 keys)':<42} "
          f"{per_call(lambda: django.get_many(['k', 'a', 'b'])):>12.1f}")  # fmt: skip
    print(f"{'hub.redis_cache.RedisCache.get_many (3 keys)':<42} "
          f"{per_call(lambda: ours.get_many(['k', 'a', 'b'])):>12.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
