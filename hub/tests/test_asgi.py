"""hub/asgi.py's collector settings for the socket process (decision 0032)."""

import gc

import hub.asgi  # noqa: F401 - importing it applies them


def test_the_socket_process_collects_its_first_generation_rarely():
    assert gc.get_threshold()[0] >= 10_000
    assert gc.get_freeze_count() > 0
