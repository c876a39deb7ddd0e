"""The one Markdown renderer: source text in, sanitised HTML + mentions + plain text out.

Every content app (questions, answers, comments, projects, feedback) calls
:func:`render_markdown` once, when the text is saved, and stores the result; pages never
render Markdown. So this module favours being thorough over being fast.

The pipeline:

1. **Normalise** the source: coerce to ``str``, cap its length (:data:`MAX_SOURCE_CHARS`),
   replace lone surrogates and control characters (other than tab, newline, carriage return
   and form feed) with U+FFFD.
2. **Parse** with markdown-it-py: CommonMark plus tables and strikethrough, raw HTML *off*
   (``<b>`` in the source shows as text), typographer and linkify off, nesting capped at
   ``maxNesting`` (deeper lists/quotes are cut, so pathological input terminates quickly).
   Links are accepted only with the schemes http, https, mailto, or none (relative).
3. **Rewrite the token stream** (a core rule, before ``text_join`` so backslash escapes are
   still separate tokens):

   - ``@handle`` mentions in text tokens become links (see :data:`MENTION_RE`). Never inside
     code spans, code blocks, link text or image alt text; never after a backslash escape
     (``\\@ada``); never in e-mail addresses (``ada@example.com``).
   - Table alignment (markdown-it emits ``style="text-align:…"``, which our CSP forbids)
     becomes ``class="align-left|align-center|align-right"``.

4. **Render**, with two rules replaced:

   - Code blocks (fenced and indented) are highlighted by pygments with CSS classes (never
     inline styles) and wrapped in the stable markup :data:`CODE_BLOCK_MARKUP` documents.
   - Images are *not* embedded (our CSP would block most hosts anyway, and images from
     arbitrary hosts leak readers' IPs): ``![alt](url)`` renders as a link to the image,
     ``<a href="url" class="image-link">alt</a>`` (the URL is the text when alt is empty).

5. **Sanitise** with nh3 and an explicit allow-list (:data:`ALLOWED_TAGS`,
   :data:`ALLOWED_ATTRIBUTES`, class values checked per tag), URL schemes http/https/mailto
   plus relative URLs, ``rel="nofollow ugc noopener"`` on every link, comments stripped.
   Since raw HTML is escaped by the parser, the sanitiser is a second, independent wall.

Headings keep their level (h1-h6 allowed). Templates that embed stored HTML should style
headings inside ``.prose`` accordingly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, Text
from pygments.util import ClassNotFound

__all__ = ["CODE_BLOCK_MARKUP", "MAX_SOURCE_CHARS", "Rendered", "code_css", "render_markdown"]

MentionUrl = Callable[[str], str | None]

#: Sources longer than this are cut before parsing. Callers bound their fields at 20,000
#: characters; this only protects against a caller that forgot to.
MAX_SOURCE_CHARS = 100_000

#: Code blocks longer than this are escaped but not highlighted (lexing is the slow part).
MAX_HIGHLIGHT_CHARS = 50_000

#: Deepest block/inline nesting the parser descends into; deeper content is dropped.
MAX_NESTING = 20

#: The markup of every code block (fenced or indented). Static JS finds buttons by their
#: ``data-copy`` attribute and copies the text of the ``<code>`` in the same
#: ``.code-block``. The ``<pre>`` takes keyboard focus (it scrolls sideways: WCAG 2.1.1,
#: axe's scrollable-region-focusable). ``xxx`` is the fence's language word, lower-cased
#: and reduced to ``[a-z0-9_+#.-]`` (``text`` when there is none); the ``<code>`` holds pygments'
#: ``<span class="k">``-style tokens when a lexer matched, plain escaped text otherwise.
CODE_BLOCK_MARKUP = (
    '<div class="code-block"><button type="button" class="code-copy" data-copy>Copy</button>'
    '<pre class="highlight" tabindex="0"><code class="language-xxx">…</code></pre></div>'
)

#: ``@handle``: 3-30 characters of ``[a-z0-9_-]`` starting and ending alphanumeric (any
#: case), not preceded by a word character, ``@`` or ``/`` (e-mail addresses, ``a@@b``,
#: URL paths like ``medium.com/@ada``), and not running on into more handle characters or
#: another ``@`` (a handle of 31+ characters is no mention, not a truncated one).
MENTION_RE = re.compile(
    r"(?<![\w@/])@([a-z0-9][a-z0-9_-]{1,28}[a-z0-9])(?![a-z0-9_-]*[a-z0-9])(?!@)",
    re.IGNORECASE,
)

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("strong", "em", "del", "s", "sup", "sub", "kbd", "code", "pre", "blockquote"),
        *("ul", "ol", "li", "a", "span", "div", "button"),
        *("table", "thead", "tbody", "tr", "th", "td"),
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "class"},
    "ol": {"start"},
    "span": {"class"},
    "div": {"class"},
    "pre": {"class", "tabindex"},
    "table": {"tabindex"},
    "code": {"class"},
    "th": {"class"},
    "td": {"class"},
    "button": {"type", "class", "data-copy"},
}
_ALIGN_CLASSES = frozenset({"align-left", "align-center", "align-right"})
_TOKEN_CLASSES = frozenset(name for name in STANDARD_TYPES.values() if name)
#: Class values allowed per tag; anything else in a class attribute is dropped.
ALLOWED_CLASSES: dict[str, frozenset[str]] = {
    "a": frozenset({"mention", "image-link"}),
    "span": _TOKEN_CLASSES,
    "div": frozenset({"code-block"}),
    "pre": frozenset({"highlight"}),
    "button": frozenset({"code-copy"}),
    "th": _ALIGN_CLASSES,
    "td": _ALIGN_CLASSES,
}
_LANGUAGE_CLASS_RE = re.compile(r"language-[a-z0-9_+#.-]{1,40}")
_URL_HEAD_RE = re.compile(r"[^/?#]*")
_BAD_CHARS_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")
_LANGUAGE_WORD_RE = re.compile(r"[^a-z0-9_+#.-]")


@dataclass(frozen=True)
class Rendered:
    """What :func:`render_markdown` returns; store all three next to the source."""

    #: Sanitised HTML, safe to ``mark_safe``.
    html: str
    #: Lower-cased handles written as ``@handle`` outside code and link text, deduplicated,
    #: in order of first appearance, whether or not ``mention_url`` knew them.
    mentions: tuple[str, ...]
    #: Plain text (for excerpts and search): what a reader sees, whitespace collapsed.
    text: str


def render_markdown(source: str, *, mention_url: MentionUrl | None = None) -> Rendered:
    """Render user-written Markdown to sanitised HTML, its mentions and its plain text.

    ``mention_url(handle)`` receives each distinct lower-cased handle once and returns the
    URL of that user's profile, or ``None`` for an unknown handle (which then stays plain
    text). Without it no mention is linked, but ``mentions`` is still filled.

    Never raises on any ``source`` (exceptions from ``mention_url`` itself propagate).
    """
    source = _normalise(source)
    env: dict[str, Any] = {"mention_url": mention_url, "mentions": {}, "urls": {}}
    tokens = _md.parse(source, env)
    html = _md.renderer.render(tokens, _md.options, env)
    return Rendered(
        html=sanitise(html),
        mentions=tuple(env["mentions"]),
        text=_plain_text(tokens),
    )


def sanitise(html: str) -> str:
    """Clean HTML with the renderer's allow-list (exposed for tests and previews)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(ALLOWED_SCHEMES),
    )


# --- normalising and link policy -------------------------------------------------------


def _normalise(source: object) -> str:
    if isinstance(source, bytes | bytearray):
        source = bytes(source).decode("utf-8", errors="replace")
    elif not isinstance(source, str):
        source = "" if source is None else str(source)
    return _BAD_CHARS_RE.sub("\ufffd", source[:MAX_SOURCE_CHARS])


def _validate_link(url: str) -> bool:
    """Accept the schemes http, https and mailto, and relative URLs without a colon before
    their first ``/``, ``?`` or ``#`` (RFC 3986 forbids one there; browsers would read it as
    a scheme). markdown-it has already decoded entities and percent-encoded whitespace and
    control characters, so ``&#106;avascript:`` and ``java\tscript:`` arrive decoded or
    encoded and are judged like any other URL."""
    head = _URL_HEAD_RE.match(url)
    if head is None or ":" not in head.group(0):
        return True
    return head.group(0).split(":", 1)[0].strip().lower() in ALLOWED_SCHEMES


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        if tag == "code":
            return value if _LANGUAGE_CLASS_RE.fullmatch(value) else None
        allowed = ALLOWED_CLASSES.get(tag, frozenset())
        kept = [name for name in value.split() if name in allowed]
        return " ".join(kept) or None
    if tag == "button":
        if attribute == "type":
            return "button"
        if attribute == "data-copy":
            return ""
    if attribute == "tabindex":
        return "0" if tag in ("pre", "table") else None
    if tag == "ol" and attribute == "start":
        return value if value.isascii() and value.isdigit() and len(value) <= 9 else None
    return value


# --- token stream rewriting ------------------------------------------------------------


def _rewrite_tokens(state: StateCore) -> None:
    """Core rule: link mentions, turn table alignment styles into classes, and let tables
    (which scroll sideways) take keyboard focus."""
    for token in state.tokens:
        if token.type == "table_open":
            token.attrSet("tabindex", "0")  # a wide table scrolls sideways (.prose table)
        elif token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style.startswith("text-align:"):
                token.attrSet("class", "align-" + style.removeprefix("text-align:"))
        elif token.type == "inline" and token.children:
            token.children = _link_mentions(token.children, state)


def _link_mentions(children: list[Token], state: StateCore) -> list[Token]:
    env = state.env
    mention_url: MentionUrl | None = env.get("mention_url")
    mentions: dict[str, None] = env.setdefault("mentions", {})
    urls: dict[str, str | None] = env.setdefault("urls", {})
    out: list[Token] = []
    link_depth = 0
    # The last character a reader sees before the current token (emphasis markers are not
    # seen): it decides whether a leading "@x" is a mention. "\@ada" is an escape
    # (text_special "@", then text "ada"); "**ada**@x.com" is an e-mail address.
    last_char = ""
    for token in children:
        if token.type == "link_open":
            link_depth += 1
        elif token.type == "link_close":
            link_depth = max(0, link_depth - 1)
        if token.type != "text" or link_depth or "@" not in token.content:
            out.append(token)
            if token.type in ("text", "text_special", "code_inline"):
                last_char = token.content[-1:] or last_char
            elif token.type in ("softbreak", "hardbreak", "image"):
                last_char = "\n"
            continue
        text = last_char + token.content
        position = len(last_char)
        last_char = token.content[-1]
        for match in MENTION_RE.finditer(text, position):
            handle = match.group(1).lower()
            mentions.setdefault(handle, None)
            if mention_url is None:
                continue
            if handle not in urls:
                urls[handle] = mention_url(handle)
            url = urls[handle]
            if not url:
                continue
            if match.start() > position:
                out.append(_text_token(text[position : match.start()], token))
            link_open = Token("link_open", "a", 1, attrs={"href": url, "class": "mention"})
            link_open.level = token.level
            out.extend(
                (link_open, _text_token(match.group(0), token), Token("link_close", "a", -1))
            )
            position = match.end()
        if position < len(text):
            out.append(_text_token(text[position:], token))
    return out


def _text_token(content: str, like: Token) -> Token:
    token = Token("text", "", 0, content=content)
    token.level = like.level
    return token


# --- rendering -------------------------------------------------------------------------


class _Renderer(RendererHTML):
    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        word = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
        return _code_block(token.content, _language_word(word))

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return _code_block(tokens[idx].content, "")

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        src = str(token.attrs.get("src", ""))
        alt = self.renderInlineAsText(token.children or [], options, env).strip()
        title = token.attrs.get("title")
        title_attr = f' title="{escape(str(title))}"' if title else ""
        label = escape(alt or src or "image")
        return f'<a href="{escape(src)}" class="image-link"{title_attr}>{label}</a>'


def _language_word(word: str) -> str:
    return _LANGUAGE_WORD_RE.sub("", word.lower())[:40]


def _code_block(code: str, language: str) -> str:
    body = _highlight(code, language) if language else None
    if body is None:
        body = escape(code, quote=False)
    return (
        '<div class="code-block"><button type="button" class="code-copy" data-copy>Copy</button>'
        '<pre class="highlight" tabindex="0">'
        f'<code class="language-{language or "text"}">{body}</code></pre>'
        "</div>\n"
    )


def _highlight(code: str, language: str) -> str | None:
    """Pygments HTML (class names only) for ``code``, or None when no lexer fits."""
    if len(code) > MAX_HIGHLIGHT_CHARS:
        return None
    lexer = _lexer(language)
    if lexer is None:
        return None
    try:
        return highlight(code, lexer, _FORMATTER)
    except Exception:  # noqa: BLE001 - a lexer bug must not stop a post from saving
        return None


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None
    except Exception:  # noqa: BLE001 - odd names must fall back to plain text
        return None


_FORMATTER = HtmlFormatter(nowrap=True, cssclass="highlight")


# --- plain text ------------------------------------------------------------------------

_BLOCK_BREAKS = frozenset(
    {"paragraph_close", "heading_close", "th_close", "td_close", "list_item_close", "hr"}
)


def _plain_text(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "text_special", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
                elif child.type == "image":
                    parts.extend(c.content for c in child.children or ())
        elif token.type in ("fence", "code_block"):
            parts.extend((" ", token.content, " "))
        elif token.type in _BLOCK_BREAKS:
            parts.append(" ")
    return " ".join("".join(parts).split())


# --- the parser ------------------------------------------------------------------------


def _build() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING},
        renderer_cls=_Renderer,
    ).enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.core.ruler.before("text_join", "nexus_rewrite", _rewrite_tokens)
    return md


_md = _build()


# --- the stylesheet --------------------------------------------------------------------

LIGHT_STYLE = "friendly"
DARK_STYLE = "github-dark"


def code_css() -> str:
    """The contents of ``static/css/code.css``: pygments token colours for ``.highlight``
    (light, and dark under ``prefers-color-scheme``), plus the code block chrome.

    Regenerate after a pygments upgrade (a test says when)::

        .venv/bin/python -c "from hub.markdown import code_css; print(code_css(), end='')" \\
            > static/css/code.css
    """
    light = _token_rules(LIGHT_STYLE, indent="")
    dark = _token_rules(DARK_STYLE, indent="  ")
    return (
        _CSS_HEADER.format(light=LIGHT_STYLE, dark=DARK_STYLE)
        + _CSS_CHROME
        + f"\n/* ------------------------------------------------ tokens ({LIGHT_STYLE}) */\n\n"
        + light
        + f"\n/* ------------------------------------------ dark tokens ({DARK_STYLE}) */\n\n"
        + "@media (prefers-color-scheme: dark) {\n"
        + dark
        + "}\n"
    )


def _token_rules(style_name: str, *, indent: str) -> str:
    """One rule per pygments token class, every one explicit (colour, weight, slant), so the
    dark rules fully override the light ones instead of inheriting stray light colours.
    Borders (pygments boxes lexer errors in red) are left out: noise in user posts."""
    style = HtmlFormatter(style=style_name).style
    base = style.style_for_token(Text)
    background = style.background_color
    foreground = f"#{base['color']}" if base["color"] else "inherit"
    lines = [f"{indent}.highlight {{ color: {foreground}; background: {style.background_color}; }}"]
    for token_type, class_name in sorted(STANDARD_TYPES.items(), key=lambda item: item[1]):
        if not class_name:
            continue
        definition = style.style_for_token(token_type)
        behind = f"#{definition['bgcolor']}" if definition["bgcolor"] else background
        color = _readable(f"#{definition['color']}", behind) if definition["color"] else "inherit"
        declarations = [f"color: {color}"]
        declarations.append("font-weight: " + ("bold" if definition["bold"] else "normal"))
        declarations.append("font-style: " + ("italic" if definition["italic"] else "normal"))
        if definition["bgcolor"] and definition["bgcolor"] != base["bgcolor"]:
            declarations.append(f"background-color: #{definition['bgcolor']}")
        if definition["underline"]:
            declarations.append("text-decoration: underline")
        lines.append(f"{indent}.highlight .{class_name} {{ {'; '.join(declarations)}; }}")
    return "\n".join(lines) + "\n"


#: WCAG AA for normal text; every token colour is made to reach it on its background.
MIN_CONTRAST = 4.5


def _luminance(color: str) -> float:
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    a, b = _luminance(one), _luminance(other)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def _readable(color: str, background: str) -> str:
    """``color``, or the nearest shade of it (towards black on a light background, white on
    a dark one) that reaches MIN_CONTRAST: pygments' styles have tokens that do not
    (friendly's comments are 2.6:1), and axe counts each as a serious failure."""
    if contrast(color, background) >= MIN_CONTRAST:
        return color
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    rgb = [int(value[i : i + 2], 16) for i in (0, 2, 4)]
    target = 0 if _luminance(background) > 0.18 else 255
    for step in range(1, 21):
        mixed = [round(c + (target - c) * step / 20) for c in rgb]
        candidate = "#" + "".join(f"{c:02x}" for c in mixed)
        if contrast(candidate, background) >= MIN_CONTRAST + 0.05:
            return candidate
    return "#000000" if target == 0 else "#ffffff"


_CSS_HEADER = """\
/* Nexus — code blocks in rendered Markdown.
 *
 * GENERATED by hub.markdown.code_css() — do not edit by hand; change the function and run:
 *   .venv/bin/python -c "from hub.markdown import code_css; print(code_css(), end='')" \\
 *       > static/css/code.css
 * Token colours: pygments "{light}" (light) and "{dark}" (prefers-color-scheme: dark), each
 * shaded where needed to reach 4.5:1 on its background (hub.markdown._readable), as
 * classes only (our CSP allows no style attributes). Markup (see hub.markdown):
 *   <div class="code-block"><button type="button" class="code-copy" data-copy>Copy</button>
 *   <pre class="highlight" tabindex="0"><code class="language-xxx">…</code></pre></div>
 * Also: table cell alignment classes (.align-*) and image links (a.image-link), which the
 * renderer emits instead of style attributes and <img>.
 */
"""

_CSS_CHROME = """
/* ------------------------------------------------ chrome */

.code-block {
  position: relative;
  margin: 0 0 1em;
}

.code-block > pre.highlight {
  margin: 0;
  padding: 12px 14px;
  overflow-x: auto;
  border: 1px solid var(--border, #e3e3ea);
  border-radius: var(--radius, 8px);
  font-family: var(--font-mono, ui-monospace, monospace);
  font-size: 0.875rem;
  line-height: 1.55;
  tab-size: 4;
}

.code-block > pre.highlight > code {
  padding: 0;
  background: none;
  border: 0;
  font: inherit;
  white-space: pre;
}

.code-copy {
  position: absolute;
  top: 6px;
  right: 6px;
  padding: 2px 8px;
  border: 1px solid var(--border-strong, #cfcfd8);
  border-radius: var(--radius-sm, 6px);
  background: var(--surface, #fff);
  color: var(--text-muted, #52525e);
  font: 500 0.75rem/1.5 var(--font-sans, system-ui, sans-serif);
  cursor: pointer;
  opacity: 0;
  transition: opacity 120ms ease-in-out;
}

.code-block:hover .code-copy,
.code-copy:focus-visible,
.code-copy[data-copied] {
  opacity: 1;
}

/* Touch screens have no hover: the button always shows, in a strip of its own above the
   first line of code instead of over it. */
@media (hover: none) {
  .code-copy { opacity: 1; }
  .code-block > pre.highlight { padding-top: 36px; }
}

.code-copy:hover { color: var(--text, #17171c); }
.code-copy:focus-visible { outline: 2px solid var(--ring, #4f46e5); outline-offset: 1px; }

th.align-left, td.align-left { text-align: left; }
th.align-center, td.align-center { text-align: center; }
th.align-right, td.align-right { text-align: right; }
"""
