"""The one rule for every URL a person can store: `link_validate`, and the fields that use it.

Profile websites, project links, webhooks and any later field go through this module, and
`hub/tests/test_links.py` enumerates every model and form field that looks like a URL so a
new one cannot skip it. Use, in order of preference:

- a model field: ``LinkField()`` (a CharField whose validator is this rule; its form
  field is ``LinkFormField``, so a ModelForm gets the rule too);
- a form field: ``LinkFormField(required=False)``;
- a service: ``clean = link_validate(value, field="url")`` -> the normalised URL, or
  ``ValidationError({field: message})``. Services call it even when a form already did:
  the form is one door of several.

Nexus itself never fetches these URLs except where a feature says so (webhooks); the
danger is to readers' browsers (a link that opens their router's admin page, runs script,
or pretends to be another site) and to our own network (a request to a metadata address).
So a link must be an ``http``/``https`` URL to a *public host name*, written plainly:

- no whitespace, control or invisible format characters anywhere (a zero-width space, a
  soft hyphen: checked before anything is normalised), no backslashes (browsers read
  ``\\`` as ``/``, so ``https://evil.example\\@example.com/`` goes to evil.example), at
  most :data:`MAX_URL_LENGTH` characters;
- none of the characters a URL never holds unencoded (``< > " ` { } | ^``): refused, not
  quietly re-encoded, since the person who typed them meant something we would change;
- every ``%`` starts a well-formed escape (``%`` and two hex digits), the escapes decode
  to whole UTF-8 characters (a truncated ``%E0%A4%A`` or ``%E0%A4`` is refused), and none
  encodes a control character (``%00``-``%1F``, ``%7F``);
- scheme ``http`` or ``https`` (any case), followed by ``//``; everything else
  (``javascript:``, ``data:``, ``ftp:``, scheme-relative ``//host``...) is refused;
- no ``user:password@`` part;
- the host is a DNS name with at least one dot, labels of letters, digits and inner hyphens
  (<= 63 each, <= 253 in all), an alphabetic (or ``xn--``) top-level label, no trailing
  dot; never an IP literal in any spelling (``[::1]``, ``127.1``, ``2130706433``,
  ``0x7f.1``, ``169.254.169.254``) nor an all-numeric host, never ``localhost``, a bare
  service name (``redis``), a special-use name (``.local``, ``.internal``, ``.test``...)
  or a wildcard-DNS service that maps names to private addresses (``127.0.0.1.nip.io``);
- an optional port 1-65535 (digits only); the scheme's default port is dropped.

Internationalised host names: accepted when valid under IDNA 2008 (with UTS #46 mapping),
and **stored and shown in their ASCII ``xn--`` form** (the form browsers fall back to for
suspicious names), so a look-alike never displays as the site it imitates. Refused
outright: a host that is not already in its normal form (circled ``ⓐ``, full-width
letters, ideographic full stops: what you see would not be what is stored), and a label
mixing scripts (Latin with Cyrillic or Greek, the classic homograph: ``apple.com`` spelt
with a Cyrillic first letter; only the Han/Kana/Hangul mixes real names use, with Latin, pass).

Fragments are fine. Non-ASCII characters in the path, query or fragment (IRIs) are
percent-encoded; the scheme and host are lower-cased.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import Any
from urllib.parse import quote

import idna
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

__all__ = [
    "MAX_URL_LENGTH",
    "LinkField",
    "LinkFormField",
    "link_validate",
    "link_validator",
    "url_domain",
]

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
#: ASCII characters RFC 3986 never allows unencoded (besides space and backslash,
#: refused earlier with their own messages).
UNENCODED_REFUSED = '<>"`{}|^'

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TLD_RE = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_NUMERIC_LABEL_RE = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_ESCAPES_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_ENCODED_CONTROL_RE = re.compile(r"%(?:[01][0-9a-f]|7f)", re.IGNORECASE)
# Characters kept as they are in the path, query and fragment (RFC 3986 plus `%`).
_SAFE_REST = "/?#[]@!$&'()*+,;=:-._~%"
# Scripts that real names mix within one label (Japanese, Korean, with Latin).
_MIXES_ALLOWED = (
    frozenset({"CJK", "HIRAGANA", "KATAKANA", "LATIN"}),
    frozenset({"CJK", "HANGUL", "LATIN"}),
)


class _Refusal(Exception):
    """One reason a link is refused, in words for the person."""


def link_validate(value: str, *, field: str = "url") -> str:
    """The normalised form of `value`, or ``ValidationError({field: message})``.

    The one rule for every stored URL (see the module's docstring)."""
    try:
        return _normalise(value)
    except _Refusal as refusal:
        raise ValidationError({field: str(refusal)}, code="invalid_url") from None


def link_validator(value: str) -> None:
    """The same rule as a Django field validator (``ValidationError(message)``)."""
    try:
        _normalise(value)
    except _Refusal as refusal:
        raise ValidationError(str(refusal), code="invalid_url") from None


def _normalise(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _Refusal("Enter a link starting with https://.")
    if len(value) > MAX_URL_LENGTH:
        raise _Refusal(f"This link is too long: at most {MAX_URL_LENGTH} characters.")
    for char in value:
        if char.isspace() or unicodedata.category(char)[0] in "CZ":
            raise _Refusal("Links cannot contain spaces, line breaks or invisible characters.")
    if "\\" in value:
        raise _Refusal("Links cannot contain backslashes.")
    unencoded = sorted({c for c in value if c in UNENCODED_REFUSED})
    if unencoded:
        shown = " ".join(unencoded)
        raise _Refusal(f"Links cannot contain {shown} as they are: percent-encode them.")
    _check_escapes(value)

    match = _SCHEME_RE.match(value)
    if match is None:
        raise _Refusal("Start the link with https:// (or http://).")
    scheme = match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        raise _Refusal(f"Only http:// and https:// links are accepted, not {scheme}:.")
    rest = value[match.end() :]
    if not rest.startswith("//"):
        raise _Refusal(f"Write the link in full: {scheme}://host/path.")
    rest = rest[2:]
    split = re.search(r"[/?#]", rest)
    authority, tail = (rest[: split.start()], rest[split.start() :]) if split else (rest, "")

    if "@" in authority:
        raise _Refusal("Links cannot contain a user name or password (user:pass@).")
    host, port = _split_port(authority, scheme)
    host = _check_host(host)
    netloc = host if port is None else f"{host}:{port}"
    return f"{scheme}://{netloc}{quote(tail, safe=_SAFE_REST)}"


def _check_escapes(value: str) -> None:
    """Every `%` begins `%XX`; each run of escapes decodes to whole UTF-8 characters."""
    without_runs = _ESCAPES_RE.sub("", value)
    if "%" in without_runs:
        raise _Refusal(
            "This link has a broken percent escape: each % must be followed by two hex "
            "digits (like %20)."
        )
    if _ENCODED_CONTROL_RE.search(value):
        raise _Refusal("Links cannot contain encoded control characters (%00-%1F, %7F).")
    for run in _ESCAPES_RE.findall(value):
        try:
            bytes.fromhex(run.replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            raise _Refusal(
                f"This link has a broken percent escape: {run[:24]} is not a whole UTF-8 character."
            ) from None


def _split_port(authority: str, scheme: str) -> tuple[str, int | None]:
    if authority.startswith("["):
        raise _Refusal("Use the site's host name, not an IP address.")
    if authority.count(":") > 1:
        raise _Refusal("This link's host is not valid.")
    if ":" not in authority:
        return authority, None
    host, raw_port = authority.split(":")
    if not raw_port.isascii() or not raw_port.isdigit() or len(raw_port) > 5:
        raise _Refusal("The port must be a number from 1 to 65535.")
    port = int(raw_port)
    if not 1 <= port <= 65535:
        raise _Refusal("The port must be a number from 1 to 65535.")
    return host, (None if port == DEFAULT_PORTS[scheme] else port)


def _check_host(host: str) -> str:
    if not host:
        raise _Refusal("This link has no host name.")
    if "%" in host:
        raise _Refusal("The host name cannot be percent-encoded.")
    if host.endswith((".", "。", "．", "｡")):  # noqa: RUF001 - the dots UTS 46 maps to "."
        raise _Refusal("Remove the dot at the end of the host name.")
    if not host.isascii() or "xn--" in host.lower():
        host = _idna_host(host)
    host = host.lower()
    labels = host.split(".")
    if _looks_like_ip(host, labels):
        raise _Refusal("Use the site's host name, not an IP address.")
    if len(labels) < 2:
        raise _Refusal(
            f"“{host[:60]}” is not a public host name: use a full name like example.com."
        )
    if len(host) > 253 or not all(_LABEL_RE.match(label) for label in labels):
        raise _Refusal(
            "This host name is not valid: use letters, digits, dots and inner hyphens only."
        )
    tld = labels[-1]
    if not _TLD_RE.match(tld):
        raise _Refusal(f"“.{tld[:20]}” is not a valid top-level domain.")
    if tld in RESERVED_TLDS:
        raise _Refusal(f"“.{tld}” names are private or reserved, not public sites.")
    if any(host == d or host.endswith("." + d) for d in REBINDING_DOMAINS):
        raise _Refusal(
            "Links to wildcard-DNS services that point at private addresses are refused."
        )
    return host


def _looks_like_ip(host: str, labels: list[str]) -> bool:
    """Anything a browser could read as an IP address: IPv4 in dotted, integer, octal or
    hex spellings (the WHATWG parser treats a host whose last label is numeric as IPv4),
    and anything `ipaddress` parses."""
    if ":" in host:
        return True
    if _NUMERIC_LABEL_RE.match(labels[-1]):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _idna_host(host: str) -> str:
    if not host.isascii() and unicodedata.normalize("NFKC", host) != host:
        # Circled or full-width letters, ideographic dots: UTS 46 would map them to
        # another name than the one the person sees.
        raise _Refusal(
            "This host name uses look-alike characters (circled, full-width or similar): "
            "type it with ordinary letters."
        )
    try:
        ascii_host = idna.encode(host, uts46=True, std3_rules=True).decode("ascii")
        unicode_host = idna.decode(ascii_host)
    except (idna.IDNAError, UnicodeError, ValueError):
        raise _Refusal("This international host name is not valid (IDNA).") from None
    for label in unicode_host.split("."):
        scripts = {_script(c) for c in label if c.isalpha()}
        if len(scripts) > 1 and not any(scripts <= allowed for allowed in _MIXES_ALLOWED):
            raise _Refusal(
                "This host name mixes alphabets (for example Latin letters with Cyrillic "
                "or Greek look-alikes)."
            )
    return ascii_host


def _script(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]


def url_domain(url: str) -> str:
    """The host shown next to a link (`github.com` for https://www.github.com/a/b), or ""
    for something that is not a URL we would store. Stored hosts are ASCII (punycode), so
    what is shown is where the browser goes."""
    if not url:
        return ""
    match = re.match(r"^[a-z]+://([^/?#\\]*)", url, re.IGNORECASE)
    if match is None:
        return ""
    authority = match.group(1).rsplit("@", 1)[-1].lower()
    host = authority.split(":")[0]
    return host.removeprefix("www.")


# --- Fields -------------------------------------------------------------------------------


class LinkFormField(forms.CharField):
    """A form field for a stored URL: the link rule, its message on the field, the value
    normalised. Blank is "" (when not required); the edges are stripped, nothing inside
    is repaired."""

    widget = forms.URLInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_URL_LENGTH)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.setdefault("placeholder", "https://")
        return attrs

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        try:
            return _normalise(value)
        except _Refusal as refusal:
            raise forms.ValidationError(str(refusal), code="invalid_url") from None


class LinkField(models.CharField):
    """A model field for a stored URL: a CharField checked by the link rule (full_clean),
    shown as `LinkFormField` in ModelForms and the admin. Services still normalise with
    `link_validate` before saving."""

    description = "A public http(s) link, checked by hub.links"
    default_validators = [link_validator]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_URL_LENGTH)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"form_class": LinkFormField, **kwargs})
