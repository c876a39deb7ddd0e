"""hub.backoff: the one back-off of every retried task, whole seconds and never under 1
(RabbitMQ's native delayed delivery drops a countdown that truncates to 0)."""

import pytest

from hub.backoff import retry_countdown


@pytest.mark.parametrize("jitter", ["full", "half"])
def test_never_under_a_second_even_for_the_lowest_draw(monkeypatch, jitter):
    monkeypatch.setattr("random.uniform", lambda low, high: low)
    for retries in range(10):
        assert retry_countdown(retries, base=1, cap=600, jitter=jitter) >= 1
    assert retry_countdown(0, base=0.1, cap=600, jitter=jitter) == 1


def test_full_jitter_spreads_up_to_the_capped_ceiling():
    for retries, ceiling in [(0, 1), (3, 8), (6, 64), (12, 600)]:
        waits = {retry_countdown(retries, base=1, cap=600) for _ in range(300)}
        assert all(isinstance(w, int) and 1 <= w <= ceiling for w in waits)
        if ceiling > 2:
            assert len(waits) > 2


def test_half_jitter_stays_in_the_upper_half():
    waits = {retry_countdown(2, base=10, cap=10_000, jitter="half") for _ in range(300)}
    assert min(waits) >= 20 and max(waits) <= 40 and len(waits) > 5


def test_an_unknown_jitter_is_refused():
    with pytest.raises(ValueError):
        retry_countdown(0, base=1, cap=1, jitter="none")
