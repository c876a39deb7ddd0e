"""The connect-time guard (webhooks.net): one lookup, every address checked, the checked
address connected to with the name in Host. A case per kind of address we never reach,
each through a real delivery where a receiver on 127.0.0.1 would otherwise answer."""

from __future__ import annotations

import pytest

from discussions.tests import factories as forum
from webhooks import net
from webhooks.models import Delivery, DeliveryState
from webhooks.tests.conftest import RECEIVER_HOST
from webhooks.tests.factories import webhook
from webhooks.tests.receiver import receiver_running

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"


@pytest.fixture
def listening():
    """A real receiver on 127.0.0.1 that nothing may reach (no allowed networks)."""
    with receiver_running() as running:
        yield running


def _deliver(owner, mentor, url, capture):
    hook = webhook(owner, url, events=["answer.created"])
    question = forum.question(owner)
    with capture(execute=True):
        forum.answer(mentor, question)
    return hook, Delivery.objects.get(webhook=hook)


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.7", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "private"),
        ("100.64.0.1", "shared"),
        ("0.0.0.0", "unspecified"),  # noqa: S104
        ("::ffff:127.0.0.1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("224.0.0.1", "multicast"),
    ],
)
def test_address_refusals(address, words):
    assert words in net.address_refusal(address)


def test_public_addresses_pass_and_allowed_networks_open_a_hole(settings):
    assert net.address_refusal(PUBLIC) is None
    assert net.address_refusal("2606:4700::1111") is None
    assert net.address_refusal("127.0.0.1")
    settings.NEXUS_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
    assert net.address_refusal("127.0.0.1") is None
    assert net.address_refusal("127.0.0.2")


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "10.20.30.40", "169.254.169.254"],
    ids=["loopback", "ipv6-loopback", "ten-slash-eight", "metadata"],
)
def test_a_name_that_resolves_there_by_send_time_is_not_delivered(
    learner, mentor, dns, listening, address, django_capture_on_commit_callbacks
):
    # Public when saved, then pointing at the address when the delivery goes out.
    dns["hooks.learner-app.dev"] = [PUBLIC, address]
    _hook, delivery = _deliver(
        learner, mentor, listening.url("hooks.learner-app.dev"), django_capture_on_commit_callbacks
    )
    assert listening.requests == []
    assert delivery.state == DeliveryState.FAILED and delivery.response_code is None
    assert address in delivery.last_error and "not delivered there" in delivery.last_error
    assert delivery.attempts == 1  # refused for good, not retried


def test_a_name_resolving_to_a_private_address_is_refused_at_send(dns):
    dns["db.corp-example.com"] = "10.1.1.1"
    with pytest.raises(net.Refused, match=r"10\.1\.1\.1, a private address"):
        net.post("https://db.corp-example.com/", body=b"{}", headers={})


def test_every_address_is_checked_not_only_the_first(dns):
    dns["mixed.example.com"] = (PUBLIC, "127.0.0.1")
    with pytest.raises(net.Refused, match=r"127\.0\.0\.1"):
        net.post("https://mixed.example.com/", body=b"{}", headers={})


def test_the_checked_address_is_the_one_connected_to_with_the_name_in_host(
    learner, mentor, dns, receiver, django_capture_on_commit_callbacks
):
    # Save and send look up once each; any further lookup (a connection resolving the name
    # again) would answer 10.0.0.1 and be refused: the guard connects where it checked.
    dns[RECEIVER_HOST] = ["127.0.0.1", "127.0.0.1", "10.0.0.1"]
    lookups_before = len(dns.lookups)
    _hook, delivery = _deliver(
        learner, mentor, receiver.url(RECEIVER_HOST), django_capture_on_commit_callbacks
    )
    assert delivery.state == DeliveryState.SUCCEEDED
    assert dns.lookups[lookups_before:].count(RECEIVER_HOST) == 2  # one on save, one on send
    assert receiver.requests[0].headers["host"] == f"{RECEIVER_HOST}:{receiver.port}"


def test_a_slow_receiver_times_out_and_is_retried(settings, dns):
    import socket
    import time

    settings.NEXUS_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
    settings.NEXUS_WEBHOOK_TIMEOUT = 0.5
    dns["slow.example.com"] = "127.0.0.1"
    server = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    port = server.getsockname()[1]
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            net.post(f"http://slow.example.com:{port}/", body=b"{}", headers={})
        assert time.monotonic() - started < 2
    finally:
        server.close()
