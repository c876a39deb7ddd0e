"""The permission tables register webhooks: their URLs' save-time lookup answers "not
known" here (as for a name not resolving yet), so no test depends on the machine's DNS."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture(autouse=True)
def _no_webhook_dns(monkeypatch):
    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr("webhooks.net.resolve", resolve)
