"""Webhook fixtures: a DNS table (names resolving where a test says, real lookups for the
rest) and a real local receiver reachable through NEXUS_WEBHOOK_ALLOW_NETWORKS."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from webhooks.tests.receiver import receiver_running

RECEIVER_HOST = "receiver.hooks-example.dev"


class Dns:
    """name -> address; a tuple of addresses (all given at once); or a list of answers
    given one per lookup, the last one repeated (DNS rebinding)."""

    def __init__(self) -> None:
        self.table: dict[str, str | tuple | list] = {}
        self.lookups: list[str] = []

    def __setitem__(self, name: str, value: str | tuple | list) -> None:
        self.table[name] = value

    def answer(self, name: str) -> tuple[str, ...] | None:
        value = self.table.get(name)
        if isinstance(value, list):
            value = value.pop(0) if len(value) > 1 else value[0]
        if value is None:
            return None
        return value if isinstance(value, tuple) else (value,)


def _numeric(host) -> bool:
    try:
        ipaddress.ip_address(host if isinstance(host, str) else host.decode())
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def dns(monkeypatch) -> Dns:
    """Every lookup in these tests answers from the table; a name not in it does not
    resolve (no test depends on the machine's network)."""
    table = Dns()
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if _numeric(host):  # the broker, the database: no lookup to fake
            return real(host, port, *args, **kwargs)
        addresses = table.answer(host)
        if addresses is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        table.lookups.append(host)
        infos = []
        for address in addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            infos.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.fixture
def receiver(dns, settings):
    """A receiver on 127.0.0.1, named RECEIVER_HOST, with loopback allowed."""
    settings.NEXUS_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
    dns[RECEIVER_HOST] = "127.0.0.1"
    with receiver_running() as running:
        yield running
