"""An HTML safety check any test can use on user-influenced output.

    from hub.tests.safety import assert_safe_html
    assert_safe_html(rendered.html)

It parses with the stdlib's ``html.parser`` (a real tokenizer, not a regex over the markup)
and fails on anything that could run script or restyle the page: dangerous elements, event
handler attributes, ``style`` attributes, and URL attributes whose value, read the way a
browser reads it, starts with ``javascript:``, ``data:`` or ``vbscript:``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

#: The public XSS corpus (673 payloads; source and licence in data/README.md), kept in the
#: repository so its tests run in every clone.
XSS_CORPUS = Path(__file__).resolve().parent / "data" / "xss-payloads.txt"

#: Elements that must never appear in sanitised user content.
FORBIDDEN_ELEMENTS = frozenset(
    {
        *("script", "style", "iframe", "frame", "frameset", "object", "embed", "applet"),
        *("svg", "math", "form", "input", "textarea", "select", "option", "img", "image"),
        *("video", "audio", "source", "track", "picture", "base", "link", "meta"),
        *("template", "noscript", "xml", "xmp", "plaintext", "marquee", "isindex"),
    }
)
#: Attributes holding a URL the browser may navigate to, load or submit to.
URL_ATTRIBUTES = frozenset(
    {
        *("href", "src", "action", "formaction", "xlink:href", "data", "srcset", "poster"),
        *("background", "lowsrc", "dynsrc", "codebase", "cite", "longdesc", "ping"),
    }
)
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")

# Browsers drop leading/trailing C0 controls and spaces and every tab/newline inside a URL;
# dropping every C0 control and space anywhere is stricter still.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")


class _SafetyParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # html.parser lower-cases names and already decodes character references in values.
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            elif name == "style":
                self.problems.append(f"style= on <{tag}>")
            elif name in URL_ATTRIBUTES and value is not None:
                url = _IGNORED_IN_URL.sub("", value).lower()
                if url.startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def html_problems(html: str) -> list[str]:
    """Every unsafe construct in ``html``, described; empty when it is safe."""
    parser = _SafetyParser()
    parser.feed(html)
    parser.close()
    return parser.problems


def assert_safe_html(html: str, *, source: str | None = None) -> None:
    """Fail with a readable message when ``html`` holds an unsafe construct."""
    problems = html_problems(html)
    if problems:
        origin = f"\nsource: {source!r}" if source is not None else ""
        raise AssertionError(f"unsafe HTML: {problems}{origin}\nhtml: {html!r}")


def xss_corpus() -> list[str]:
    """The corpus's payloads, one per line; its first line names the source."""
    lines = XSS_CORPUS.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# Source:"), f"{XSS_CORPUS} lost its source line"
    return [line for line in lines[1:] if line]
