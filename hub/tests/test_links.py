"""The one link rule (hub.links): hostile and malformed URLs are refused with a message;
good ones are normalised. The same corpus runs through every form that stores a URL
(projects/tests/test_views.py, accounts/tests/test_views.py) and test_link_fields.py
checks that every URL-ish field of every model and form uses the rule."""

import pytest
from django.core.exceptions import ValidationError

from hub.links import MAX_URL_LENGTH, link_validate, link_validator, url_domain

HOSTILE = [
    # Schemes, in any case and spelling.
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "javascript://example.com/%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.com/file",
    "ws://example.com/socket",
    "mailto:ada@example.com",
    "jav&#x61;script:alert(1)",
    "%6Aavascript:alert(1)",
    "http%3A//example.com",
    # Not a full URL.
    "",
    "example.com",
    "www.example.com/path",
    "//evil.com",
    "/relative/path",
    "http:example.com",
    "http:/example.com",
    "https:///x",
    "https://",
    "https://?q=1",
    # Whitespace, control and invisible characters, backslashes, encoded controls.
    " https://example.com",
    "https://example.com ",
    "http://exa mple.com",
    "java\tscript:alert(1)",
    "https://example.com/\nSet-Cookie:x",
    "https://exa\u200bmple.com",
    "https://example.com/\u202egpj.exe",
    "https://example.com\u00a0/",
    "https://example.com/\x00",
    "https://example.com/%00",
    "https://example.com/a%0d%0aLocation:%20x",
    "http://example.com\\@evil.com",
    "https:\\\\evil.com",
    # Credentials.
    "http://user:pass@example.com/",
    "https://user@example.com/",
    "https://example.com@evil.com/",
    "https://example.com%2F@evil.com/",
    "https://:@example.com/",
    # IP literals in every spelling, and numeric hosts.
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://0/",
    "http://0.0.0.0/",
    "http://10.0.0.5/admin",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://224.0.0.1/",
    "http://8.8.8.8/",
    "http://[::1]/",
    "http://[::]/",
    "http://[fe80::1%25eth0]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fc00::1]:8080/",
    "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",  # full-width digits
    "http://127\u30020\u30020\u30021/",  # ideographic full stops
    "http://example.123/",
    # localhost and service names, special-use names.
    "http://localhost/",
    "http://LOCALHOST:8000/",
    "http://localhost./",
    "http://api.localhost/",
    "http://redis:6379/",
    "http://db/",
    "http://web.internal/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://printer.local/",
    "http://router.lan/",
    "http://site.test/",
    "http://site.example/",
    "http://site.invalid/",
    "http://duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion/",
    "http://10.0.0.1.nip.io/",
    "http://app.127.0.0.1.sslip.io/",
    "http://localtest.me/",
    # Trailing dots, bad labels, encoded hosts.
    "https://example.com./",
    "https://example..com/",
    "https://.example.com/",
    "https://-example.com/",
    "https://example-.com/",
    "https://exa_mple.com/",
    "https://exa$mple.com/",
    "https://ex%61mple.com/",
    "https://" + "a" * 64 + ".com/",
    "https://" + ".".join(["abcdefghij"] * 24) + ".com/",
    "https://example.c/",
    "https://example.c0m/",
    # Ports.
    "https://example.com:0/",
    "https://example.com:65536/",
    "https://example.com:99999/",
    "https://example.com:-1/",
    "https://example.com:+443/",
    "https://example.com:80a/",
    "https://example.com:/",
    "https://example.com:443:443/",
    # Over-long.
    "https://example.com/" + "a" * MAX_URL_LENGTH,
    # IDN homographs and invalid IDNA.
    "https://\u0430pple.com/",  # Cyrillic a + Latin "pple"
    "https://xn--pple-43d.com/",  # the same, already in punycode
    "https://g\u03bfogle.com/",  # Greek omicron
    "https://xn--zz.com/",
    "https://exa\u2044mple.com/",  # fraction slash
    # The cases of issue 18 (the profile website accepted them all).
    "http://127.0.0.1:15672/#/users",  # RabbitMQ's management UI
    "https://user:password@example.com/",
    "//evil.example/path",
    "ftp://example.com/pub/file.txt",
    "https://evil.example\\@example.com/",
    "https://exa\u00admple.com/",  # soft hyphen
    "https://\u24d0pple.com/",  # circled a
    "https://\uff41pple.com/",  # full-width a
    "https://\u0440\u0430ypal.com/",  # Cyrillic er and a, then Latin "ypal"
    "https://example.com/\u200b",
    "https://example.com/\ufeffx",
    # Malformed percent escapes: refused, not re-encoded.
    "https://example.com/%ZZ",
    "https://example.com/a%2",
    "https://example.com/%",
    "https://example.com/%E0%A4%A",
    "https://example.com/%E0%A4",  # a truncated UTF-8 sequence
    "https://example.com/?q=%FF",
    "https://example.com/#%C3",
    # Characters a URL never holds unencoded.
    "https://example.com/<script>",
    "https://example.com/a>b",
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/?q=`id`",
    "https://example.com/a b",
    "https://example.com/?q=a b",
    "https://example.com/{x}",
    "https://example.com/a|b",
    "https://example.com/a^b",
]

GOOD = [
    ("https://github.com/ada/library-api", "https://github.com/ada/library-api"),
    ("HTTPS://GitHub.COM/Ada/Api", "https://github.com/Ada/Api"),
    ("http://example.com", "http://example.com"),
    ("https://api.example.co.uk/docs/#/users", "https://api.example.co.uk/docs/#/users"),
    ("https://example.com:8443/x?y=1&z=2", "https://example.com:8443/x?y=1&z=2"),
    ("https://www.example.com:443/", "https://www.example.com/"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://my-app.fly.dev/api/v1/", "https://my-app.fly.dev/api/v1/"),
    ("https://gitlab.com/a/b/-/tree/main", "https://gitlab.com/a/b/-/tree/main"),
    ("https://example.com/p\u00e4th?q=\u00fc", "https://example.com/p%C3%A4th?q=%C3%BC"),
    ("https://example.com/a%20b", "https://example.com/a%20b"),
    ("https://m\u00fcnchen.de/", "https://xn--mnchen-3ya.de/"),
    ("https://xn--mnchen-3ya.de/", "https://xn--mnchen-3ya.de/"),
    (
        "https://\u044f\u043d\u0434\u0435\u043a\u0441.\u0440\u0444/",
        "https://xn--d1acpjx3f.xn--p1ai/",
    ),
    ("https://1password.com/", "https://1password.com/"),
    ("https://example.com/?redirect=http://other.example.com", None),
    ("https://example.com/%E0%A4%A8", None),  # a whole Devanagari letter
    ("https://example.com/a%2Fb%3F", None),
    ("https://\u4f8b\u3048.\u30c6\u30b9\u30c8.jp/", "https://xn--r8jz45g.xn--zckzah.jp/"),
    ("https://\ud55c\uad6d.kr/", "https://xn--3e0b707e.kr/"),
    # A whole-script look-alike (all Cyrillic "apple") is a valid name of its own: it is
    # stored and shown as punycode, so it never reads as apple.com.
    ("https://\u0430\u0440\u0440\u04cf\u0435.com/", "https://xn--80ak6aa92e.com/"),
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_are_refused_with_a_message(url):
    with pytest.raises(ValidationError) as error:
        link_validate(url)
    messages = error.value.message_dict["url"]
    assert messages and all(len(m) > 10 for m in messages)


def test_enough_hostile_cases():
    assert len(set(HOSTILE)) >= 45


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://169.254.169.254/latest/meta-data/", "not an IP address"),
        ("http://[::1]/", "not an IP address"),
        ("http://localhost/", "not a public host name"),
        ("http://127.0.0.1:15672/", "not an IP address"),
        ("https://user:password@example.com/", "user name or password"),
        ("https://example.com:99999/", "from 1 to 65535"),
        ("//evil.example/path", "Start the link with https://"),
        ("ftp://example.com/", "not ftp:"),
        ("https://evil.example\\@example.com/", "backslashes"),
        ("https://\u0430pple.com/", "mixes alphabets"),
        ("https://exa\u200bmple.com/", "invisible characters"),
        ("https://exa\u00admple.com/", "invisible characters"),
        ("https://\u24d0pple.com/", "look-alike characters"),
        ("https://example.com/%ZZ", "two hex digits"),
        ("https://example.com/%E0%A4%A", "two hex digits"),
        ("https://example.com/%E0%A4/x", "not a whole UTF-8 character"),
        ("https://example.com/<b>", "< >"),
        ("https://example.com/?q=`x`", "`"),
        ('https://example.com/"', '"'),
    ],
)
def test_each_refusal_says_why(url, words):
    with pytest.raises(ValidationError) as error:
        link_validate(url, field="website")
    assert words in error.value.message_dict["website"][0]


def test_unicode_hosts_are_stored_and_shown_in_punycode():
    url = link_validate("https://b\u00fccher.example.org/")
    assert url == "https://xn--bcher-kva.example.org/"
    assert url_domain(url) == "xn--bcher-kva.example.org"


def test_the_validator_form_refuses_with_a_plain_message():
    with pytest.raises(ValidationError) as error:
        link_validator("http://localhost/")
    assert "public host name" in error.value.messages[0]
    link_validator("https://example.com/")


def test_url_domain_cannot_be_fooled_by_a_backslash():
    assert url_domain("https://evil.example\\@example.com/") == "evil.example"


@pytest.mark.parametrize(("url", "expected"), GOOD)
def test_good_urls_are_accepted_and_normalised(url, expected):
    assert link_validate(url) == (expected or url)


def test_the_error_names_the_field():
    with pytest.raises(ValidationError) as error:
        link_validate("javascript:alert(1)", field="demo_url")
    assert "javascript" in error.value.message_dict["demo_url"][0]


def test_non_strings_are_refused():
    with pytest.raises(ValidationError):
        link_validate(None)  # type: ignore[arg-type]


def test_exactly_max_length_is_accepted():
    url = "https://example.com/" + "a" * (MAX_URL_LENGTH - len("https://example.com/"))
    assert link_validate(url) == url


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.github.com/ada/x", "github.com"),
        ("https://api.example.com:8443/", "api.example.com"),
        ("https://xn--mnchen-3ya.de/", "xn--mnchen-3ya.de"),
        ("", ""),
        ("not a url", ""),
    ],
)
def test_url_domain(url, domain):
    assert url_domain(url) == domain
