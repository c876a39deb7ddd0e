"""Project links, checked before they are stored: `validate_project_url` and `url_domain`.

The server never fetches these URLs; the danger is to readers' browsers (a link that opens
their router's admin page, runs script, or pretends to be another site). So a link must be
an ``http``/``https`` URL to a *public host name*, written plainly:

- no whitespace, control or invisible format characters anywhere (checked before anything
  is normalised), no backslashes, no percent-encoded control characters, at most
  :data:`MAX_URL_LENGTH` characters;
- scheme ``http`` or ``https`` (any case), followed by ``//``; everything else
  (``javascript:``, ``data:``, ``file:``, scheme-relative ``//host``...) is refused;
- no ``user:password@`` part;
- the host is a DNS name with at least one dot, labels of letters, digits and inner hyphens
  (<= 63 each, <= 253 in all), an alphabetic (or ``xn--``) top-level label, no trailing
  dot; never an IP literal in any spelling (``[::1]``, ``127.1``, ``2130706433``,
  ``0x7f.1``) nor an all-numeric host, never ``localhost``, a bare service name
  (``redis``), a special-use name (``.local``, ``.internal``, ``.test``...) or a
  wildcard-DNS service that maps names to private addresses (``127.0.0.1.nip.io``);
- an optional port 1-65535 (digits only); the scheme's default port is dropped.

Internationalised host names: accepted when valid under IDNA 2008 (with UTS #46 mapping),
stored and shown in their ASCII ``xn--`` form, the form browsers fall back to for
suspicious names, so a look-alike of a known site never displays as that site. A label
that mixes Latin with Cyrillic or Greek letters (the classic homograph: ``apple.com`` spelt with
a Cyrillic first letter) is refused outright.

Fragments are fine. Non-ASCII characters in the path, query or fragment are
percent-encoded; the scheme and host are lower-cased.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import quote

import idna
from django.core.exceptions import ValidationError

__all__ = ["MAX_URL_LENGTH", "url_domain", "validate_project_url"]

MAX_URL_LENGTH = 500
ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

#: Top-level labels that never name a public site: special-use and private-use names.
RESERVED_TLDS = frozenset(
    {
        "localhost",
        "local",
        "localdomain",
        "internal",
        "intranet",
        "lan",
        "home",
        "corp",
        "private",
        "arpa",
        "test",
        "example",
        "invalid",
        "onion",
        "alt",
    }
)
#: Public wildcard-DNS services that resolve any name to an address spelled inside it
#: (``10.0.0.1.nip.io``), or always to loopback.
REBINDING_DOMAINS = frozenset(
    {"nip.io", "sslip.io", "xip.io", "localtest.me", "lvh.me", "vcap.me", "lacolhost.com"}
)

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_NUMERIC_LABEL_RE = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_ENCODED_CONTROL_RE = re.compile(r"%(?:[01][0-9a-f]|7f)", re.IGNORECASE)
# Characters kept as they are in the path, query and fragment (RFC 3986 plus `%`).
_SAFE_REST = "/?#[]@!$&'()*+,;=:-._~%"
_HOMOGRAPH_SCRIPTS = frozenset({"CYRILLIC", "GREEK"})


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: message}, code="invalid_url")


def validate_project_url(value: str, *, field: str = "url") -> str:
    """The normalised form of `value`, or ValidationError({field: message})."""
    if not isinstance(value, str) or not value:
        raise _refuse(field, "Enter a link starting with https://.")
    if len(value) > MAX_URL_LENGTH:
        raise _refuse(field, f"This link is too long: at most {MAX_URL_LENGTH} characters.")
    for char in value:
        if char.isspace() or unicodedata.category(char)[0] in "CZ":
            raise _refuse(
                field,
                "Links cannot contain spaces, line breaks or invisible characters.",
            )
    if "\\" in value:
        raise _refuse(field, "Links cannot contain backslashes.")
    if _ENCODED_CONTROL_RE.search(value):
        raise _refuse(field, "Links cannot contain encoded control characters (%00-%1F, %7F).")

    match = _SCHEME_RE.match(value)
    if match is None:
        raise _refuse(field, "Start the link with https:// (or http://).")
    scheme = match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        raise _refuse(field, f"Only http:// and https:// links are accepted, not {scheme}:.")
    rest = value[match.end() :]
    if not rest.startswith("//"):
        raise _refuse(field, f"Write the link in full: {scheme}://host/path.")
    rest = rest[2:]
    split = re.search(r"[/?#]", rest)
    authority, tail = (rest[: split.start()], rest[split.start() :]) if split else (rest, "")

    if "@" in authority:
        raise _refuse(field, "Links cannot contain a user name or password (user:pass@).")
    host, port = _split_port(authority, scheme, field)
    host = _check_host(host, field)
    netloc = host if port is None else f"{host}:{port}"
    return f"{scheme}://{netloc}{quote(tail, safe=_SAFE_REST)}"


def _split_port(authority: str, scheme: str, field: str) -> tuple[str, int | None]:
    if authority.startswith("["):
        raise _refuse(field, "Use the site's host name, not an IP address.")
    if authority.count(":") > 1:
        raise _refuse(field, "This link's host is not valid.")
    if ":" not in authority:
        return authority, None
    host, raw_port = authority.split(":")
    if not raw_port.isascii() or not raw_port.isdigit() or len(raw_port) > 5:
        raise _refuse(field, "The port must be a number from 1 to 65535.")
    port = int(raw_port)
    if not 1 <= port <= 65535:
        raise _refuse(field, "The port must be a number from 1 to 65535.")
    return host, (None if port == DEFAULT_PORTS[scheme] else port)


def _check_host(host: str, field: str) -> str:
    if not host:
        raise _refuse(field, "This link has no host name.")
    if "%" in host:
        raise _refuse(field, "The host name cannot be percent-encoded.")
    if host.endswith((".", "。", "．", "｡")):  # noqa: RUF001 - the dots UTS 46 maps to "."
        raise _refuse(field, "Remove the dot at the end of the host name.")
    if not host.isascii() or "xn--" in host.lower():
        host = _idna_host(host, field)
    host = host.lower()
    labels = host.split(".")
    if _looks_like_ip(host, labels):
        raise _refuse(field, "Use the site's host name, not an IP address.")
    if len(labels) < 2:
        raise _refuse(
            field,
            f"“{host[:60]}” is not a public host name: use a full name like example.com.",
        )
    if len(host) > 253 or not all(_LABEL_RE.match(label) for label in labels):
        raise _refuse(
            field,
            "This host name is not valid: use letters, digits, dots and inner hyphens only.",
        )
    tld = labels[-1]
    if not _TLD_RE.match(tld):
        raise _refuse(field, f"“.{tld[:20]}” is not a valid top-level domain.")
    if tld in RESERVED_TLDS:
        raise _refuse(field, f"“.{tld}” names are private or reserved, not public sites.")
    if any(host == d or host.endswith("." + d) for d in REBINDING_DOMAINS):
        raise _refuse(
            field, "Links to wildcard-DNS services that point at private addresses are refused."
        )
    return host


def _looks_like_ip(host: str, labels: list[str]) -> bool:
    """Anything a browser could read as an IP address: IPv4 in dotted, integer, octal or
    hex spellings (the WHATWG parser treats a host whose last label is numeric as IPv4),
    and anything `ipaddress` parses."""
    if any(c == ":" for c in host):
        return True
    if _NUMERIC_LABEL_RE.match(labels[-1]):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _idna_host(host: str, field: str) -> str:
    try:
        ascii_host = idna.encode(host, uts46=True, std3_rules=True).decode("ascii")
        unicode_host = idna.decode(ascii_host)
    except (idna.IDNAError, UnicodeError, ValueError):
        raise _refuse(field, "This international host name is not valid (IDNA).") from None
    for label in unicode_host.split("."):
        scripts = {_script(c) for c in label if c.isalpha()}
        if "LATIN" in scripts and scripts & _HOMOGRAPH_SCRIPTS:
            raise _refuse(
                field,
                "This host name mixes Latin letters with Cyrillic or Greek look-alikes.",
            )
    return ascii_host


def _script(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]


def url_domain(url: str) -> str:
    """The host shown next to a link (`github.com` for https://www.github.com/a/b), or ""
    for something that is not a URL we would store."""
    if not url:
        return ""
    match = re.match(r"^[a-z]+://([^/?#]*)", url, re.IGNORECASE)
    if match is None:
        return ""
    authority = match.group(1).rsplit("@", 1)[-1].lower()
    host = authority.split(":")[0]
    return host.removeprefix("www.")
