"""The site search: one query over every kind of content, one results page (/search/).

hub imports no app. Each content app registers a provider in its `ready()` (questions with
their answers, projects, guide sections); the page asks each for a page of hits and a
total. What they share lives here:

- `parse` reads what a person typed into a `ParsedQuery`: words (all must match), "quoted
  phrases" (matched as written), -excluded words, `tag:name` filters; and the notices to
  show when the input had to be cut (too long, control characters) or had nothing to search.
- `websearch` is the same query for PostgreSQL's `websearch_to_tsquery`, rebuilt from the
  parsed parts so both databases search for the same thing.
- `highlight` builds a safe snippet in Python (the SQLite fallback): the text is escaped
  first, then each match is wrapped in <mark>. `marked` turns a PostgreSQL headline, whose
  matches carry private marker characters, into the same escaped HTML.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

QUERY_MAX = 200
TERMS_MAX = 12
MARK_START, MARK_STOP = "\x02", "\x03"
#: A word: letters and digits, with the joiners of code names (c++, c#, node.js, acks_late).
WORD_RE = re.compile(r"\w[\w+#.-]*", re.UNICODE)
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_TAG_RE = re.compile(r"^(?:tag:|\[)([a-z0-9][a-z0-9+#.-]*)\]?$", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # what was searched, cleaned (shown back in the box)
    terms: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    tags: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def searchable(self) -> bool:
        return bool(self.terms or self.tags)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(t.text for t in self.terms if not t.phrase)

    @property
    def needles(self) -> tuple[str, ...]:
        """What a snippet marks: every positive word and phrase."""
        return tuple(t.text for t in self.terms)

    @property
    def websearch(self) -> str:
        """The query in websearch_to_tsquery's syntax (AND of words, "phrases", -not)."""
        parts = [f'"{t.text}"' if t.phrase else t.text for t in self.terms]
        parts += [f'-"{t.text}"' if t.phrase else f"-{t.text}" for t in self.excluded]
        return " ".join(parts)


def _clean(raw: str) -> tuple[str, bool]:
    """Control and format characters (NUL among them: PostgreSQL refuses it) become spaces."""
    controls = [ch for ch in raw if unicodedata.category(ch)[0] == "C" and not ch.isspace()]
    cleaned = "".join(" " if ch in controls else ch for ch in raw) if controls else raw
    return " ".join(cleaned.split()), bool(controls)


def _words(text: str) -> list[str]:
    return [w.rstrip(".-") for w in WORD_RE.findall(text) if w.rstrip(".-")]


def parse(raw: str) -> ParsedQuery:
    text, had_controls = _clean(raw or "")
    notices: list[str] = []
    if had_controls:
        notices.append("Control characters cannot be searched for: they were left out.")
    if len(text) > QUERY_MAX:
        cut = text[:QUERY_MAX]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
        notices.append(
            f"Searches are limited to {QUERY_MAX} characters: only the first part was searched."
        )
    terms: list[Term] = []
    excluded: list[Term] = []
    tags: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        negated, quoted, token = match.group(1), match.group(2), match.group(3)
        if quoted is not None:
            phrase = " ".join(quoted.split())
            if not _words(phrase):
                continue
            term = Term(phrase, phrase=" " in phrase)
            (excluded if negated else terms).append(term)
            continue
        tag = _TAG_RE.match(token)
        if tag:
            tags.append(tag.group(1).lower())
            continue
        target = excluded if token.startswith("-") and len(token) > 1 else terms
        for word in _words(token):
            if word.lower() in ("or", "and"):  # operators to websearch; words nowhere else
                continue
            target.append(Term(word))
    unique = list(dict.fromkeys(terms))
    if len(unique) + len(excluded) > TERMS_MAX:
        notices.append(f"Only the first {TERMS_MAX} words were searched.")
        unique = unique[:TERMS_MAX]
        excluded = excluded[: max(0, TERMS_MAX - len(unique))]
    parsed = ParsedQuery(
        text=text,
        terms=tuple(unique),
        excluded=tuple(dict.fromkeys(excluded)),
        tags=tuple(dict.fromkeys(tags))[:5],
        notices=tuple(notices),
    )
    if text and not parsed.searchable:
        notices.append(
            "There is nothing to search for in that: type a word, a \u201cquoted phrase\u201d "
            "or tag:name (punctuation and excluded words alone match nothing)."
        )
        parsed = ParsedQuery(text=text, notices=tuple(notices))
    return parsed


# --- Snippets ----------------------------------------------------------------------------


def marked(raw: str) -> SafeString:
    """A PostgreSQL headline (matches between MARK_START and MARK_STOP) as safe HTML:
    escaped whole, then only our own markers become tags."""
    text = escape(raw)
    return mark_safe(  # noqa: S308 - escaped above; only our own markers become tags
        text.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    )


def has_mark(snippet: str) -> bool:
    return "<mark>" in snippet


def _pattern(needles: tuple[str, ...]) -> re.Pattern[str] | None:
    if not needles:
        return None
    ordered = sorted(set(needles), key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in ordered), re.IGNORECASE)


def highlight(text: str, needles: tuple[str, ...], *, length: int = 240) -> SafeString:
    """A window of `text` around the first match, escaped, with every match in <mark>.

    Matches are found in the raw text and each piece is escaped on its own, so no match
    can split an entity and no user character reaches the page unescaped."""
    text = " ".join(text.split())
    pattern = _pattern(needles)
    first = pattern.search(text) if pattern else None
    start = 0
    if first and first.start() > length // 3:
        start = text.rfind(" ", 0, first.start() - length // 3) + 1
    window = text[start : start + length]
    if start + length < len(text) and " " in window:
        window = window.rsplit(" ", 1)[0]
    prefix = "\u2026 " if start else ""
    suffix = " \u2026" if start + len(window) < len(text) else ""
    pieces: list[str] = []
    at = 0
    for match in pattern.finditer(window) if pattern else ():
        pieces.append(escape(window[at : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        at = match.end()
    pieces.append(escape(window[at:]))
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece escaped


def text_matches(text: str, needles: tuple[str, ...]) -> bool:
    pattern = _pattern(needles)
    return bool(pattern and pattern.search(text))


# --- Providers ---------------------------------------------------------------------------


@dataclass
class Hit:
    label: str  # the kind as shown: "Question", "Project", "Guide · Django"
    title: str
    url: str
    snippet: SafeString | str = ""
    where: str = ""  # "In an answer" when the snippet is not from the item itself
    meta: str = ""
    tags: list[tuple[str, bool]] = field(default_factory=list)  # (name, matched the query)
    badges: list[tuple[str, str]] = field(default_factory=list)  # (text, badge modifier)
    item: Any = None  # the object found (a question, a project, a section), for the API doors


def total_label(total: int, capped: bool) -> str:
    """A total as shown: "42", or "1,000+" when counting stopped at 1,000."""
    return f"{total:,}+" if capped else str(total)


@dataclass
class KindPage:
    hits: list[Hit]
    total: int
    # The total is a floor: counting stopped there (a common word matches most rows, and
    # counting every one of them would cost more than finding the page).
    capped: bool = False

    @property
    def total_label(self) -> str:
        return total_label(self.total, self.capped)


#: (viewer, query, offset, limit) -> KindPage. With limit 0, only the total is counted.
SearchFn = Callable[[Any, ParsedQuery, int, int], KindPage]


@dataclass(frozen=True)
class Provider:
    kind: str  # the URL's value: ?kind=questions
    label: str  # "Questions"
    order: int
    search: SearchFn
    overview: int = 5  # hits on the all-kinds page


PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    PROVIDERS[provider.kind] = provider


def providers() -> list[Provider]:
    return sorted(PROVIDERS.values(), key=lambda p: p.order)


def tags_marked(names: list[str], query: ParsedQuery) -> list[tuple[str, bool]]:
    """Each tag with whether the query named it (a tag: filter or a word)."""
    wanted = {t.lower() for t in query.tags} | {w.lower() for w in query.words}
    return [
        (name, name in wanted or any(part in wanted for part in name.split("-"))) for name in names
    ]


# --- The page ----------------------------------------------------------------------------

PAGE_SIZE = 20
PAGES_MAX = 25


@dataclass
class KindResults:
    provider: Provider
    page: KindPage


@dataclass
class SearchPage:
    query: ParsedQuery
    kind: Provider | None  # one kind, paginated; None: the best of every kind
    sections: list[KindResults]
    counts: list[tuple[Provider, int]]
    page: int = 1
    notices: list[str] = field(default_factory=list)
    capped: set[str] = field(default_factory=set)  # kinds whose total is a floor

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def total_label(self) -> str:
        return total_label(self.total, bool(self.capped))

    @property
    def count_labels(self) -> list[tuple[Provider, str]]:
        return [(p, total_label(n, p.kind in self.capped)) for p, n in self.counts]

    @property
    def has_next(self) -> bool:
        if self.kind is None or not self.sections:
            return False
        shown = (self.page - 1) * PAGE_SIZE + len(self.sections[0].page.hits)
        return shown < self.sections[0].page.total and self.page < PAGES_MAX


def search_page(*, viewer: Any, raw: str, kind: str = "", page: int = 1) -> SearchPage:
    """Every kind's best hits (or one kind's page of them), with each kind's total."""
    query = parse(raw)
    chosen = PROVIDERS.get(kind)
    result = SearchPage(query=query, kind=chosen, sections=[], counts=[], notices=[])
    result.notices.extend(query.notices)
    if not query.searchable:
        return result
    if page > PAGES_MAX:
        result.notices.append(f"Results stop at page {PAGES_MAX}: add words to narrow them.")
        page = PAGES_MAX
    result.page = max(page, 1)
    for provider in providers():
        if chosen is None:
            found = provider.search(viewer, query, 0, provider.overview)
        elif provider is chosen:
            found = provider.search(viewer, query, (result.page - 1) * PAGE_SIZE, PAGE_SIZE)
        else:
            found = provider.search(viewer, query, 0, 0)
        result.counts.append((provider, found.total))
        if found.capped:
            result.capped.add(provider.kind)
        if (chosen is None or provider is chosen) and found.total:
            result.sections.append(KindResults(provider=provider, page=found))
        if provider is chosen and found.total and not found.hits:
            pages = -(-found.total // PAGE_SIZE)
            result.notices.append(
                f"There {'is' if pages == 1 else 'are'} only {pages} "
                f"page{'' if pages == 1 else 's'} of {provider.label.lower()}: "
                f"page {result.page} is past the end."
            )
    return result
