"""Outgoing HTTP for webhooks, guarded against requests into our own network (SSRF).

A webhook's URL passed hub.links when it was saved (a public host name, never an IP
literal). That says nothing about where the name points *now*, so every delivery:

1. resolves the name once (`resolve`), and refuses it if *any* address it gives is not a
   public unicast address (loopback, private, link-local such as the cloud metadata
   address 169.254.169.254, shared, multicast, reserved, unspecified; IPv4 written inside
   IPv6: mapped, NAT64, 6to4), unless NEXUS_WEBHOOK_ALLOW_NETWORKS lists it;
2. connects to a checked address itself (no second lookup for an attacker's DNS to answer
   differently: DNS rebinding), sending the name in `Host` and, over HTTPS, in SNI, with
   the certificate checked against the name (and the system's CAs, or only those of
   NEXUS_WEBHOOK_CA_BUNDLE);
3. waits at most NEXUS_WEBHOOK_TIMEOUT (5) seconds to connect and for the whole answer,
   reads at most MAX_BODY bytes of it, and never follows a redirect (http.client never
   does: a 3xx is the answer).

Proxies from the environment are not used (a proxy would connect by name again).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_BODY = 2048
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
SHARED = ipaddress.ip_network("100.64.0.0/10")


class Refused(Exception):
    """The URL's host points somewhere we never connect to (the words say where)."""


@dataclass(frozen=True)
class Answer:
    status: int
    duration_ms: int
    body: bytes


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(net, strict=False)
        for net in getattr(settings, "NEXUS_WEBHOOK_ALLOW_NETWORKS", ())
    ]


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr in NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    if addr.sixtofour is not None:
        return addr.sixtofour
    return None


def address_refusal(address: str) -> str | None:
    """Why we never connect to `address` ("loopback", "private"...), or None if we may."""
    addr = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and (inner := _embedded_ipv4(addr)):
        addr = inner
    if any(addr in net for net in _allowed_networks() if net.version == addr.version):
        return None
    if addr.is_loopback:
        return "a loopback address"
    if addr.is_link_local:
        return "a link-local address"
    if addr.is_unspecified:
        return "the unspecified address"
    if addr.is_multicast:
        return "a multicast address"
    if addr.version == 4 and addr in SHARED:
        return "a shared (carrier-grade NAT) address"
    if addr.is_private:
        return "a private address"
    if addr.is_reserved or not addr.is_global:
        return "a reserved address"
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` has now (one lookup), in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    return addresses


def addresses_checked(host: str, port: int) -> list[str]:
    """`host`'s addresses, all of them allowed, or Refused (naming the first that is not)."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise Refused(f"{host} could not be resolved ({error.__class__.__name__}).") from None
    if not addresses:
        raise Refused(f"{host} has no address.")
    for address in addresses:
        if reason := address_refusal(address):
            raise Refused(f"{host} resolves to {address}, {reason}: not delivered there.")
    return addresses


def url_parts(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Refused("Only http:// and https:// URLs are delivered to.")
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, parts.hostname, port, path


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's CAs, or only those of
    NEXUS_WEBHOOK_CA_BUNDLE (a PEM file) when it is set; the name is always checked."""
    cafile = getattr(settings, "NEXUS_WEBHOOK_CA_BUNDLE", None) or None
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to a checked address; `Host` still names the host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """Connects to a checked address; SNI and the certificate check use the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=tls_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float | None = None) -> Answer:
    """POST `body` to `url` through the guard. Refused before any connection to an address
    we never reach; OSError/http.client errors for the network's own failures. `timeout`
    (default NEXUS_WEBHOOK_TIMEOUT) bounds each step and the whole answer."""
    if timeout is None:
        timeout = float(getattr(settings, "NEXUS_WEBHOOK_TIMEOUT", 5))
    scheme, host, port, path = url_parts(url)
    addresses = addresses_checked(host, port)
    connection_class = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    started = time.monotonic()
    last_error: OSError | None = None
    for address in addresses:
        connection = connection_class(host, port, address=address, timeout=timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            received = b""
            deadline = started + timeout
            while len(received) < MAX_BODY and time.monotonic() < deadline:
                chunk = response.read1(MAX_BODY - len(received))
                if not chunk:
                    break
                received += chunk
            duration = int((time.monotonic() - started) * 1000)
            return Answer(status=response.status, duration_ms=duration, body=received)
        except ConnectionRefusedError as error:  # the next address may answer
            last_error = error
        finally:
            connection.close()
    assert last_error is not None
    raise last_error
