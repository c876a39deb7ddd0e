"""hub.markdown: the one Markdown renderer (rendering, mentions, link policy, sanitising)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    MAX_SOURCE_CHARS,
    Rendered,
    code_css,
    render_markdown,
)
from hub.tests.safety import XSS_CORPUS, assert_safe_html, html_problems, xss_corpus

KNOWN = {"ada": "/u/ada/", "bob-2": "/u/bob-2/", "cy_x": "/u/cy_x/"}
CODE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "code.css"


def mention_url(handle: str) -> str | None:
    return KNOWN.get(handle)


def render(source: str) -> Rendered:
    return render_markdown(source, mention_url=mention_url)


class _Shape(HTMLParser):
    """Collects (tag, attributes) for every element, to check the allow-list held."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Shape()
    parser.feed(html)
    parser.close()
    return parser.elements


def assert_renderer_output(html: str, *, source: str | None = None) -> None:
    """Safe, and nothing outside the renderer's own allow-list; every link rel'd."""
    assert_safe_html(html, source=source)
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, (tag, source, html)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert set(attrs) <= allowed, (tag, attrs, source, html)
        if tag == "a":
            assert attrs["rel"] == "nofollow ugc noopener", (attrs, source)
            assert "target" not in attrs


def hrefs(html: str) -> list[str | None]:
    return [attrs.get("href") for tag, attrs in elements(html) if tag == "a"]


# --- basics ----------------------------------------------------------------------------


def test_paragraphs_and_emphasis():
    html = render("one *em* **strong**\nsame paragraph\n\ntwo").html
    assert html == ("<p>one <em>em</em> <strong>strong</strong>\nsame paragraph</p>\n<p>two</p>\n")


def test_headings_keep_their_level():
    html = render("# one\n\n## two\n\n###### six").html
    assert "<h1>one</h1>" in html
    assert "<h2>two</h2>" in html
    assert "<h6>six</h6>" in html


def test_table_alignment_becomes_classes_not_styles():
    html = render("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |").html
    assert '<table tabindex="0">' in html
    assert "<thead>" in html
    assert "<tbody>" in html
    assert '<th class="align-left">a</th>' in html
    assert '<td class="align-center">2</td>' in html
    assert '<td class="align-right">3</td>' in html
    assert "style" not in html


def test_table_without_alignment_has_bare_cells():
    html = render("| a |\n|---|\n| 1 |").html
    assert "<th>a</th>" in html
    assert "<td>1</td>" in html


def test_strikethrough():
    assert render("~~gone~~").html == "<p><s>gone</s></p>\n"


def test_lists_keep_their_start_number():
    html = render("3. three\n4. four\n\n- a\n- b").html
    assert '<ol start="3">' in html
    assert "<li>three</li>" in html
    assert "<ul>" in html


def test_blockquote_and_rule():
    html = render("> quoted\n\n---").html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<hr" in html


def test_fenced_code_is_highlighted_with_classes_and_a_copy_button():
    html = render('```python\ndef f():\n    return "<b>"\n```').html
    assert html.startswith(
        '<div class="code-block"><button type="button" class="code-copy" data-copy="">Copy'
        '</button><pre class="highlight" tabindex="0"><code class="language-python">'
    )
    assert html.rstrip().endswith("</code></pre></div>")
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">f</span>' in html
    assert "&lt;b&gt;" in html
    assert "<b>" not in html
    assert "style=" not in html
    assert_renderer_output(html)


def test_fence_language_is_the_first_word_of_the_info_string_lower_cased():
    html = render("```Python extra words\nx = 1\n```").html
    assert '<code class="language-python">' in html
    assert '<span class="n">x</span>' in html


def test_unknown_language_falls_back_to_escaped_plain_text():
    html = render("```nosuchlang\n<script>alert(1)</script>\n```").html
    assert '<code class="language-nosuchlang">&lt;script&gt;alert(1)&lt;/script&gt;\n' in html
    assert "<span" not in html
    assert_renderer_output(html)


def test_fence_without_language_and_indented_code_are_plain_text():
    for source in ("```\na < b\n```", "    a < b"):
        html = render(source).html
        assert '<code class="language-text">a &lt; b\n</code>' in html
        assert 'data-copy=""' in html


def test_hostile_info_string_cannot_break_out_of_the_class():
    html = render('```py"><script>alert(1)</script>\nx\n```').html
    assert "<script" not in html
    assert '<code class="language-pyscriptalert1script">' in html
    assert_renderer_output(html)


def test_inline_code_is_escaped():
    assert render("use `a<b && c`").html == "<p>use <code>a&lt;b &amp;&amp; c</code></p>\n"


def test_raw_html_is_escaped_not_passed_through():
    html = render("<b>x</b> and <div onclick=alert(1)>y</div>").html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>" not in html
    assert "<div" not in html
    assert_renderer_output(html)


def test_images_render_as_links_to_the_image():
    html = render('![a cat](https://example.com/cat.png "Cat") ![](/media/x.png)').html
    assert "<img" not in html
    assert (
        '<a href="https://example.com/cat.png" class="image-link" title="Cat" '
        'rel="nofollow ugc noopener">a cat</a>'
    ) in html
    # no alt text: the URL is the link text
    assert '<a href="/media/x.png" class="image-link" rel="nofollow ugc noopener">/media/x.png' in (
        html
    )


def test_data_image_is_not_a_link():
    html = render("![x](data:image/png;base64,AAAA)").html
    assert hrefs(html) == []
    assert "<img" not in html


def test_plain_text_is_what_a_reader_sees_with_whitespace_collapsed():
    source = "# Title\n\nSome *em*   text\nwrapped.\n\n```python\nx = 1\n```\n\n- a\n- b `c`"
    assert render(source).text == "Title Some em text wrapped. x = 1 a b c"


def test_plain_text_keeps_escaped_markup_as_text():
    assert render("<b>x</b> [link](https://e.com)").text == "<b>x</b> link"


def test_empty_and_whitespace_sources():
    assert render("") == Rendered(html="", mentions=(), text="")
    assert render("  \n\n ") == Rendered(html="", mentions=(), text="")


def test_rendered_is_frozen():
    rendered = render("x")
    with pytest.raises(AttributeError):
        rendered.html = "<script>"  # type: ignore[misc]


# --- never raises ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "\x00\x00 nul \x00",
        "lone surrogate \ud800 and \udfff",
        "controls \x01\x02\x0b\x1b\x7f",
        "> " * 20_000 + "deep",
        "- " * 20_000 + "deep",
        "".join("  " * i + "- x\n" for i in range(300)),
        "*" * 20_000,
        "[" * 20_000 + "]" * 20_000,
        "![" * 10_000,
        "`" * 20_000,
        "|a|\n|-|\n" + "|x|\n" * 3_000,
        "x" * (MAX_SOURCE_CHARS + 10),
        "```python\n" + "def f(:\n" * 2_000,
        "```" + "a" * 5_000 + "\nx\n```",
        "\ufeff\u202e\u200b rtl \u2028 \u2029",
    ],
    ids=lambda source: repr(source[:24]),
)
def test_never_raises_on_pathological_input(source):
    rendered = render(source)
    assert isinstance(rendered.html, str)
    assert "\x00" not in rendered.html
    assert "\ud800" not in rendered.html
    assert_renderer_output(rendered.html)


def test_overlong_source_is_cut():
    rendered = render("a" * (MAX_SOURCE_CHARS + 10))
    assert len(rendered.text) == MAX_SOURCE_CHARS


def test_non_str_sources_are_tolerated():
    assert render_markdown(None).html == ""  # type: ignore[arg-type]
    assert render_markdown(b"*hi* \xff").html == "<p><em>hi</em> \ufffd</p>\n"  # type: ignore[arg-type]


# --- mentions --------------------------------------------------------------------------


def mention(handle: str, written: str | None = None) -> str:
    return (
        f'<a href="/u/{handle}/" class="mention" rel="nofollow ugc noopener">'
        f"@{written or handle}</a>"
    )


def test_known_mention_is_linked():
    rendered = render("thanks @ada!")
    assert rendered.html == f"<p>thanks {mention('ada')}!</p>\n"
    assert rendered.mentions == ("ada",)
    assert rendered.text == "thanks @ada!"


def test_unknown_mention_stays_plain_text_but_is_reported():
    rendered = render("hi @nobody")
    assert rendered.html == "<p>hi @nobody</p>\n"
    assert rendered.mentions == ("nobody",)


def test_without_mention_url_nothing_is_linked():
    rendered = render_markdown("hi @ada")
    assert rendered.html == "<p>hi @ada</p>\n"
    assert rendered.mentions == ("ada",)


def test_mentions_are_case_insensitive_deduplicated_in_order():
    rendered = render("@Bob-2 and @ADA, then @ada and @bob-2 again @cy_x")
    assert rendered.mentions == ("bob-2", "ada", "cy_x")
    assert mention("ada", "ADA") in rendered.html
    assert mention("bob-2", "Bob-2") in rendered.html


def test_mention_url_is_asked_once_per_handle():
    asked: list[str] = []

    def lookup(handle: str) -> str | None:
        asked.append(handle)
        return KNOWN.get(handle)

    render_markdown("@ada @Ada @nobody @ADA @nobody", mention_url=lookup)
    assert asked == ["ada", "nobody"]


def test_mentions_inside_emphasis_and_lists():
    rendered = render("- **@ada** did it\n- *@bob-2*")
    assert f"<strong>{mention('ada')}</strong>" in rendered.html
    assert f"<em>{mention('bob-2')}</em>" in rendered.html


def test_no_mentions_in_code():
    rendered = render("`@ada`\n\n```\n@bob-2\n```\n\n    @cy_x")
    assert "mention" not in rendered.html
    assert rendered.mentions == ()


def test_no_mentions_in_email_addresses():
    rendered = render("mail ada@example.com or x.ada@bob-2.org")
    assert "mention" not in rendered.html
    assert rendered.mentions == ()


def test_no_mention_inside_link_text():
    """A mention inside link text is neither linked (no nested links) nor reported."""
    rendered = render("[see @ada](https://x.y) and ![pic @bob-2](https://x.y/p.png)")
    assert "mention" not in rendered.html
    assert rendered.mentions == ()
    assert '<a href="https://x.y" rel="nofollow ugc noopener">see @ada</a>' in rendered.html


def test_mention_right_after_a_link_still_counts():
    rendered = render("[x](https://x.y) @ada")
    assert mention("ada") in rendered.html
    assert rendered.mentions == ("ada",)


@pytest.mark.parametrize(
    "source",
    [
        r"\@ada",  # escaped
        "@ad",  # too short
        "@" + "a" * 31,  # too long: not a truncated mention
        "@-ada",  # must start alphanumeric
        "@@ada",
        "ada@@ada",
        "https://medium.com/@ada",
        "word@ada",
        "éé@ada",
        "@ada@example.com",
        "**ada**@example.com",
        "`x`@ada",
    ],
)
def test_not_a_mention(source):
    rendered = render(source)
    assert "mention" not in rendered.html
    assert rendered.mentions == ()


@pytest.mark.parametrize(
    ("source", "handle"),
    [
        ("@ada.", "ada"),
        ("(@ada)", "ada"),
        ("@ada-", "ada"),
        ("@ada_, hi", "ada"),
        ("cc:@ada", "ada"),
        ("@" + "a" * 30, "a" * 30),
        ("@a1b", "a1b"),
        ("line\n@ada", "ada"),
        ("*hi* @ada", "ada"),
        ("**@ada**", "ada"),
        ("[x](/y)\n@ada", "ada"),
    ],
)
def test_mention_boundaries(source, handle):
    assert render(source).mentions == (handle,)


def test_mention_url_output_is_still_sanitised():
    rendered = render_markdown("@ada", mention_url=lambda handle: "javascript:alert(1)")
    assert_renderer_output(rendered.html)
    assert hrefs(rendered.html) == [None]


# --- links -----------------------------------------------------------------------------


def test_every_link_gets_rel_and_no_target():
    html = render(
        "[a](https://a.example) <https://b.example> [c](/relative) [d](mailto:d@e.f) @ada "
        "![e](https://e.example/e.png)\n\n[ref]\n\n[ref]: http://r.example 'T'"
    ).html
    found = elements(html)
    links = [attrs for tag, attrs in found if tag == "a"]
    assert [attrs["href"] for attrs in links] == [
        "https://a.example",
        "https://b.example",
        "/relative",
        "mailto:d@e.f",
        "/u/ada/",
        "https://e.example/e.png",
        "http://r.example",
    ]
    assert all(attrs["rel"] == "nofollow ugc noopener" for attrs in links)
    assert not any("target" in attrs for attrs in links)
    assert links[-1]["title"] == "T"


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java\tscript:alert(1))",
        r"[x](java\tscript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](<java\nscript:alert(1)>)",
        "[x]( javascript:alert(1))",
        "[x](<  javascript:alert(1)>)",
        "[x](\x01javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](DATA:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox(1))",
        "[x](VBScript:msgbox(1))",
        "<javascript:alert(1)>",
        "<JAVASCRIPT:alert(1)>",
        "<data:text/html,x>",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](&#0000106&#0000097vascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](%6Aavascript:alert(1))",
        "[x](javascript%3Aalert(1))",
        "[x]: javascript:alert(1)\n\n[x]",
        "[x](file:///etc/passwd)",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
        '[x](https://ok.example "a" onmouseover="alert(1)")',
    ],
)
def test_dangerous_links_produce_no_dangerous_href(source):
    html = render(source).html
    assert_renderer_output(html, source=source)
    for href in hrefs(html):
        assert href is None or href.startswith("https://ok.example") or href in INERT, (
            source,
            href,
        )


#: Relative URLs a browser never reads as a scheme: the colon is percent-encoded, or comes
#: after a "#" (markdown-it decodes no entity lacking its ";", so "&#0000106" stays text).
INERT = {"javascript%3Aalert(1)", "&#0000106&#0000097vascript:alert(1)"}


def test_safe_schemes_and_relative_links_survive():
    html = render(
        "[a](http://a.example/?q=1&r=2) [b](../up) [c](#frag) [d](?q=1) [e](/a:b) [f](x?y:z)"
    ).html
    assert hrefs(html) == ["http://a.example/?q=1&r=2", "../up", "#frag", "?q=1", "/a:b", "x?y:z"]


@pytest.mark.parametrize("source", ["[x](foo:bar)", "[x](ftp://a.example)", "[x](a%3Ab:c)"])
def test_other_schemes_and_colon_headed_relative_urls_are_not_links(source):
    assert hrefs(render(source).html) == []


# --- property-based --------------------------------------------------------------------

FRAGMENTS = [
    "<script>alert(1)</script>",
    "<script",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<iframe src=javascript:alert(1)>",
    "<a href='javascript:alert(1)'>a</a>",
    "<style>*{color:red}</style>",
    '<div style="background:url(javascript:alert(1))">',
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus '",
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "[a](vbscript:msgbox(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](&#x6a;avascript&#x3a;alert(1))",
    "&lt;script&gt;",
    "&#60;script&#62;",
    "<javascript:alert(1)>",
    "![i](x onerror=alert(1))",
    "![i](javascript:alert(1))",
    "[ref]: javascript:alert(1)\n",
    "[ref]",
    '[a](https://ok.example "t" onclick="alert(1)")',
    "`",
    "```",
    "```js\n",
    "~~~",
    "\n    ",
    "@ada",
    "@Bob-2",
    "@nobody",
    "x@ada.com",
    "\\@",
    "*",
    "**",
    "_",
    "~~",
    "[",
    "](",
    ")",
    "<",
    ">",
    "> ",
    "- ",
    "1. ",
    "# ",
    "| a | b |\n|:-|-:|\n| ",
    " | ",
    "\n",
    "\n\n",
    "\\",
    "&",
    '"',
    "'",
    "\x00",
    "\t",
    "<!-- x -->",
    "<![CDATA[x]]>",
    "javascript:alert(1)",
]

markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=30).map(
    "".join
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_renders_safely(source):
    rendered = render(source)
    assert_renderer_output(rendered.html, source=source)
    assert all(handle == handle.lower() for handle in rendered.mentions)
    assert "  " not in rendered.text
    assert rendered.text == rendered.text.strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_markdown_and_html_fragments_render_safely(source):
    rendered = render(source)
    assert_renderer_output(rendered.html, source=source)
    assert len(set(rendered.mentions)) == len(rendered.mentions)


# --- the public XSS corpus -------------------------------------------------------------

CONTEXTS = {
    "alone": "{p}",
    "link url": "[x]({p})",
    "bracketed link url": "[x](<{p}>)",
    "reference url": "[x]\n\n[x]: {p}",
    "link text": "[{p}](https://example.com)",
    "image": "![{p}]({p})",
    "autolink": "<{p}>",
    "table cell": "| a | b |\n|---|---|\n| {p} | x |",
    "list item": "- {p}\n  - {p}",
    "blockquote": "> {p}",
    "emphasis": "**{p}** _{p}_ ~~{p}~~",
    "inline code": "`{p}`",
    "fence info": "```{p}\ncode\n```",
    "fence body": "```html\n{p}\n```",
    "after a mention": "@ada {p} @bob-2",
}


def test_xss_corpus_is_complete():
    assert len(xss_corpus()) == 673


def test_xss_corpus_lives_in_the_repository():
    """A clone without ../shared (the GitHub workflow's) runs the corpus tests too."""
    from django.conf import settings as django_settings

    assert XSS_CORPUS.is_relative_to(Path(django_settings.BASE_DIR))
    assert XSS_CORPUS.is_file()


def test_xss_corpus_copy_matches_the_shared_one_where_present():
    """The copy is ../shared/testdata's, byte for byte (CI lays ../shared beside the clone)."""
    from django.conf import settings as django_settings

    shared = Path(django_settings.BASE_DIR).parent / "shared" / "testdata" / "xss-payloads.txt"
    if shared.is_file():
        assert XSS_CORPUS.read_bytes() == shared.read_bytes()


@pytest.mark.parametrize("where", CONTEXTS)
def test_xss_corpus_renders_safely(where):
    template = CONTEXTS[where]
    failures = []
    for payload in xss_corpus():
        source = template.replace("{p}", payload)
        html = render(source).html
        problems = html_problems(html)
        if problems:
            failures.append((payload, problems))
        else:
            assert_renderer_output(html, source=source)
    assert not failures, f"{len(failures)} unsafe renderings in context {where!r}: {failures[:5]}"


# --- stylesheet and template filter ----------------------------------------------------


def test_code_css_is_generated_and_current():
    """static/css/code.css is code_css()'s output (regenerate: see code_css's docstring)."""
    assert CODE_CSS.read_text(encoding="utf-8") == code_css()


def test_code_css_styles_the_markup_and_has_a_dark_variant():
    css = code_css()
    assert ".highlight .k {" in css
    assert ".code-block {" in css
    assert ".code-copy {" in css
    assert "@media (prefers-color-scheme: dark)" in css
    assert "td.align-right" in css


def test_every_code_token_colour_reaches_aa_contrast_on_its_background():
    """axe counts each token under 4.5:1 as a serious failure (friendly's comments were
    2.6:1 on its grey), in the light and in the dark rules."""
    import re

    from hub.markdown import contrast

    css = code_css()
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    weak = []
    for part in (light, dark):
        background = re.search(r"\.highlight \{ color: [^;]+; background: (#[0-9a-fA-F]{6})", part)
        for rule in re.finditer(r"\.highlight \.(\w+) \{ color: (#[0-9a-fA-F]{6});([^}]*)\}", part):
            behind = re.search(r"background-color: (#[0-9a-fA-F]{6})", rule[3])
            ratio = contrast(rule[2], behind[1] if behind else background[1])
            if ratio < 4.5:
                weak.append(f"{rule[1]} {rule[2]} {ratio:.2f}")
    assert not weak, weak


def test_code_blocks_take_keyboard_focus():
    """A code block scrolls sideways; a keyboard user must be able to focus it to scroll."""
    html = render("```\n" + "x" * 300 + "\n```").html
    assert '<pre class="highlight" tabindex="0">' in html
    from hub.markdown import sanitise

    assert '<table tabindex="0">' in render("| a |\n|---|\n| 1 |").html
    cleaned = sanitise('<p tabindex="0">x</p><span tabindex="0">y</span><pre tabindex="-1">z</pre>')
    assert cleaned == '<p>x</p><span>y</span><pre tabindex="0">z</pre>'


def test_markdown_preview_filter_renders_and_marks_safe():
    from django.template import Context, Template

    template = Template("{% load nexus_markdown %}{{ body|markdown_preview }}")
    html = template.render(Context({"body": "*hi* <script>alert(1)</script> @ada"}))
    assert html == "<p><em>hi</em> &lt;script&gt;alert(1)&lt;/script&gt; @ada</p>\n"
    assert (
        Template("{% load nexus_markdown %}{{ none|markdown_preview }}").render(
            Context({"none": None})
        )
        == ""
    )
