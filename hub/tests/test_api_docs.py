"""Every curl example in docs/api.md runs, as written, against a live server, and answers
with the status the doc shows under it (and the headers it names, where it names them).

The examples are parsed from the Markdown (a ```sh block holding one curl command, then a
```http block whose first line is the status) and sent with urllib, not curl: the test
needs nothing installed. The shell variables the doc uses are filled in as a reader's
shell would have them: `NEXUS_TOKEN` (a read and write token), `QUESTION_ID`, and `NEXT`
and `ETAG` from the response before.
"""

from __future__ import annotations

import json
import re
import shlex
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from accounts import services as account_services
from accounts.tests.factories import UserFactory
from discussions.tests import factories as forum

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
EXAMPLE = re.compile(r"```sh\n(curl .*?)```\n+```http\n(.*?)```", re.S)
DOC_ORIGIN = "http://127.0.0.1:8000"
# Headers a response block names that vary by run (their values are examples).
CHECKED_HEADERS = (
    "Content-Type",
    "Location",
    "Link",
    "ETag",
    "WWW-Authenticate",
    "Cache-Control",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)


@dataclass
class Example:
    command: str
    status: int
    headers: list[str] = field(default_factory=list)


def examples() -> list[Example]:
    found = []
    for match in EXAMPLE.finditer(DOC.read_text()):
        response = match.group(2).split("\n\n")[0].splitlines()
        status = int(response[0].split()[1])
        names = [line.split(":", 1)[0] for line in response[1:] if ":" in line]
        found.append(Example(match.group(1).replace("\\\n", " ").strip(), status, names))
    return found


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str]
    data: bytes | None


def parse_curl(command: str, variables: dict[str, str]) -> Request:
    """The few curl options the doc uses: -s, -i, -X, -H, -d and one URL."""
    words = shlex.split(command)
    for name, value in variables.items():  # after splitting, as a shell expands "$ETAG"
        words = [word.replace(f"${name}", value) for word in words]
    assert words[0] == "curl"
    method, url, headers, data = None, None, {}, None
    args = iter(words[1:])
    for word in args:
        if word in ("-s", "-i", "-si"):
            continue
        if word == "-X":
            method = next(args)
        elif word == "-H":
            name, value = next(args).split(":", 1)
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data = next(args).encode()
        else:
            assert url is None and word.startswith("http"), f"unexpected curl word {word!r}"
            url = word
    assert url
    return Request(method or ("POST" if data is not None else "GET"), url, headers, data)


def send(request: Request) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(  # noqa: S310 - the live server
        request.url, data=request.data, headers=request.headers, method=request.method
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - the live server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_guide_has_examples_of_each_part():
    commands = " ".join(example.command for example in examples())
    statuses = {example.status for example in examples()}
    assert len(examples()) >= 10
    assert {200, 201, 304, 400, 401, 404} <= statuses
    for part in ("Authorization: Bearer", "If-None-Match", "limit=", "$NEXT", "-X PATCH"):
        assert part in commands, part


@pytest.mark.django_db(transaction=True)
def test_every_curl_example_answers_as_the_doc_shows(live_server, settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 100, "new": 100},
        "reply": {"hour": 100, "new": 100},
    }
    learner = UserFactory(handle="learner", display_name="Lena Learner")
    asker = UserFactory(handle="asker")
    question = forum.question(asker, title="Why do my Django migrations conflict?")
    forum.answer(learner, question)
    for n in range(3):
        forum.question(asker, title=f"How do I write the serializer number {n}?")
    _, token = account_services.token_create(
        user=learner, name="docs", scopes=["read", "write"], expires_at=None
    )
    variables = {"NEXUS_TOKEN": token, "QUESTION_ID": str(question.pk)}
    failures = []
    for example in examples():
        command = example.command.replace(DOC_ORIGIN, live_server.url)
        status, headers, body = send(parse_curl(command, variables))
        if status != example.status:
            failures.append(
                f"{example.command[:120]} -> {status} (doc: {example.status}) {body[:300]!r}"
            )
        missing = [h for h in example.headers if h in CHECKED_HEADERS and h not in headers]
        if missing:
            failures.append(f"{example.command[:120]}: no {', '.join(missing)}")
        if "ETag" in headers:
            variables["ETAG"] = headers["ETag"]
        if status == 200 and headers.get("Content-Type", "").startswith("application/json"):
            data = json.loads(body)
            if isinstance(data, dict) and data.get("next"):
                variables["NEXT"] = data["next"]
    assert failures == [], "\n".join(failures)
