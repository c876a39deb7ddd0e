# ruff: noqa: E501 - prose and documentation links are not wrapped
"""The guide's articles, written for Nexus: the program's learnings, one guide per topic.

Loaded by `manage.py load_guides` (an operator runs it in production; idempotent) and by
`seed_demo`. Each section has a runnable example, links to the official documentation
rather than restating it, and, where Nexus itself does the thing, a "How Nexus does it"
pointer into this repository: Nexus is its own worked example.

Sections are matched by their anchor: loading again adds what is new and leaves alone
what mentors have since edited (see guides/management/commands/load_guides.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from textwrap import dedent


@dataclass(frozen=True)
class SectionText:
    title: str
    versions: tuple[str, ...]
    body: str
    anchor: str = ""


@dataclass(frozen=True)
class GuideText:
    slug: str
    title: str
    summary: str
    # The discussions category it belongs to ("" for a theme that spans topics).
    category: str = ""
    position: int = 0
    sections: tuple[SectionText, ...] = field(default_factory=tuple)


def _s(title: str, versions: str, body: str, anchor: str = "") -> SectionText:
    return SectionText(
        title=title,
        versions=tuple(v.strip() for v in versions.split(",") if v.strip()),
        body=dedent(body).strip() + "\n",
        anchor=anchor,
    )


PYTHON = GuideText(
    slug="python",
    category="python",
    title="Python",
    summary="The language the whole program stands on: typing, data classes, context "
    "managers, packaging and the virtual environments every project here uses.",
    sections=(
        _s(
            "Virtual environments and pinned dependencies",
            "Python 3.13",
            """
            Every project gets its own environment, so two projects can need two versions
            of the same library without fighting. Create it inside the project folder and
            never install into the system Python:

            ```bash
            python3.13 -m venv .venv
            .venv/bin/python -m pip install --upgrade pip
            .venv/bin/python -m pip install "django>=6.1,<6.2"
            .venv/bin/python -c "import django; print(django.get_version())"
            ```

            Keep two files: what you *ask for* (`requirements.in`, loose ranges) and what
            you *got* (`requirements.txt`, every package pinned, transitive ones too).
            Commit both. A tool such as `pip-compile` or `uv pip compile` turns the first
            into the second, so a fresh clone installs exactly what CI tested.

            The rule of thumb: ranges in libraries you publish, exact pins in applications
            you deploy.

            **Official docs:** [venv](https://docs.python.org/3/library/venv.html) ·
            [Installing packages](https://packaging.python.org/en/latest/tutorials/installing-packages/)

            **How Nexus does it:** `requirements/*.in` are the asks and `requirements/*.txt`
            the pins (`make lock` recompiles them with uv); `make install` builds `.venv/`,
            and `scripts/find-python` picks a Python that is at least 3.12, because Django
            6.1 needs it.
            """,
        ),
        _s(
            "Type hints that pay for themselves",
            "Python 3.13",
            """
            Type hints are documentation that a tool can check. They matter most at the
            boundaries: function signatures, return values, and the data that crosses
            between modules. Inside a ten-line function they rarely earn their keep.

            ```python
            from dataclasses import dataclass
            from datetime import datetime


            @dataclass(frozen=True)
            class Page:
                items: list[str]
                next_cursor: str | None


            def first_page(items: list[str], size: int = 2) -> Page:
                cursor = items[size - 1] if len(items) > size else None
                return Page(items=items[:size], next_cursor=cursor)


            page = first_page(["a", "b", "c"])
            print(page)  # Page(items=['a', 'b'], next_cursor='b')
            ```

            Three habits worth forming:

            - Keyword-only arguments (`def answer_create(*, author, question, body)`) make
              call sites read like sentences and let you reorder parameters safely.
            - Prefer `X | None` over a sentinel value; make `None` mean exactly one thing.
            - `frozen=True` data classes for values that should not change after creation:
              they are hashable and safe to share.

            **Official docs:** [typing](https://docs.python.org/3/library/typing.html) ·
            [dataclasses](https://docs.python.org/3/library/dataclasses.html)

            **How Nexus does it:** every service and selector is typed and keyword-only
            (`discussions/services.py`); small result types are frozen data classes, such as
            `hub.markdown.Rendered` and `guides.rules.Staleness`.
            """,
        ),
        _s(
            "Context managers for everything that must be undone",
            "Python 3.13",
            """
            Whenever something must happen *after* a block no matter how it ends (close a
            file, release a lock, restore a setting), write a context manager rather than
            a `try`/`finally` at every call site.

            ```python
            import time
            from contextlib import contextmanager


            @contextmanager
            def timed(label: str):
                start = time.perf_counter()
                try:
                    yield
                finally:
                    print(f"{label}: {(time.perf_counter() - start) * 1000:.1f} ms")


            with timed("sum"):
                total = sum(range(1_000_000))
            ```

            `contextlib` also gives you `suppress(SomeError)` for the rare error you truly
            mean to ignore, and `ExitStack` for a dynamic number of resources.

            **Official docs:** [contextlib](https://docs.python.org/3/library/contextlib.html)

            **How Nexus does it:** `notifications.services.emails_paused()` is a context
            manager that `seed_demo` wraps around the demo data, so loading it sends no
            email; Django's own `transaction.atomic()` is the one you will use most.
            """,
        ),
    ),
)

DJANGO = GuideText(
    slug="django",
    category="django",
    title="Django",
    summary="How a Django project is laid out here: thin views, services for writes, "
    "selectors for reads, and the ORM habits that keep pages fast.",
    sections=(
        _s(
            "Where code goes: services, selectors and thin views",
            "Django 6.1",
            """
            Django does not tell you where business rules live, so they drift into views,
            forms, model `save()` methods and signals. Pick one place:

            - **services.py**: every write, one function per action
              (`answer_create`, `proposal_accept`). It checks permission, validates, writes
              in one transaction and schedules side effects *after* commit.
            - **selectors.py**: reads shaped for a page or an API, with the
              `select_related`/`prefetch_related` that page needs.
            - **views.py**: parse the request, call one service or selector, render.

            ```python
            from django.db import transaction


            @transaction.atomic
            def comment_create(*, author, post, body: str):
                if not author.is_authenticated:
                    raise PermissionError("Log in to comment.")
                comment = post.comments.create(author=author, body=body)
                transaction.on_commit(lambda: print("notify after commit", comment.pk))
                return comment
            ```

            A view, an API endpoint and a management command can then all call the same
            function, and cannot drift apart.

            **Official docs:** [Database transactions](https://docs.djangoproject.com/en/6.1/topics/db/transactions/) ·
            [Applications](https://docs.djangoproject.com/en/6.1/ref/applications/)

            **How Nexus does it:** read `discussions/services.py` next to
            `discussions/views.py`; the house style is written down in the repository's
            design notes, and the permission matrix (`moderation/tests/test_permission_matrix.py`)
            runs every action through each door to prove they agree.
            """,
        ),
        _s(
            "The N+1 query and how to see it",
            "Django 6.1",
            """
            A list of 20 questions that prints each author's name runs 1 query for the
            questions and 20 more for the authors, unless you ask for the authors up front.
            Templates hide this, because `{{ question.author.name }}` looks free.

            ```python
            # In `manage.py shell`, with a few questions in the database:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext
            from discussions.models import Question

            with CaptureQueriesContext(connection) as slow:
                [q.author.handle for q in Question.objects.all()[:20]]
            with CaptureQueriesContext(connection) as fast:
                [q.author.handle for q in Question.objects.select_related("author")[:20]]
            print(len(slow), "queries vs", len(fast))
            ```

            `select_related` joins foreign keys and one-to-ones in the same query;
            `prefetch_related` runs one extra query per relation for many-to-many and
            reverse foreign keys, and `Prefetch(queryset=...)` lets you filter or order it.

            Then **pin it in a test**: assert that a page runs the same number of queries
            with 2 rows and with 30. A count that grows with the rows is an N+1.

            **Official docs:** [Database access optimization](https://docs.djangoproject.com/en/6.1/topics/db/optimization/) ·
            [select_related](https://docs.djangoproject.com/en/6.1/ref/models/querysets/#select-related)

            **How Nexus does it:** every list and detail page has a query-count test, for
            example `TestQueryCounts` in `discussions/tests/test_views.py` and in
            `guides/tests/test_views.py` (this guide's own pages).
            """,
        ),
        _s(
            "Template partials and HTMX",
            "Django 6.1",
            """
            Django 6 has template partials built in: name a fragment of a page with
            `{% partialdef %}` and render just that fragment by asking for
            `"page.html#fragment"`. With HTMX this gives you one view and one template
            for both the full page and the piece that changed.

            ```django
            {% partialdef vote-count inline %}
              <output id="vote-count">{{ post.score }}</output>
            {% endpartialdef %}
            ```

            ```python
            def vote_view(request, pk):
                post = vote_toggle(user=request.user, pk=pk)
                template = "post.html#vote-count" if request.htmx else "post.html"
                return render(request, template, {"post": post})
            ```

            Keep every `hx-post` on a real `<form>` with an `action`, so the page still
            works without JavaScript.

            **Official docs:** [Template partials in Django 6.0](https://docs.djangoproject.com/en/6.1/releases/6.0/#template-partials) ·
            [django-htmx](https://django-htmx.readthedocs.io/)

            **How Nexus does it:** `templates/discussions/question_detail.html` names its
            fragments after the DOM ids they fill (`answer-list`, `answer-form`), and the
            live updates send the same partials over the WebSocket.
            """,
        ),
        _s(
            "Migrations you can deploy without downtime",
            "Django 6.1, PostgreSQL 15",
            """
            A migration runs while the old code is still serving requests. So every
            migration must work with the code before *and* after it:

            1. Add a column as nullable (or with a database default), deploy.
            2. Backfill it in batches with a data migration or a command.
            3. Make it required in a later release, once no old code writes without it.

            Renaming is a remove plus an add in disguise: add the new column, write both,
            switch reads, then drop the old one.

            ```bash
            python manage.py makemigrations --check --dry-run   # CI: no model change forgotten
            python manage.py sqlmigrate discussions 0005        # read the SQL before it runs
            ```

            On PostgreSQL, build indexes on big tables with `AddIndexConcurrently`
            (in a migration with `atomic = False`) so writes are not blocked.

            **Official docs:** [Migrations](https://docs.djangoproject.com/en/6.1/topics/migrations/) ·
            [PostgreSQL operations](https://docs.djangoproject.com/en/6.1/ref/contrib/postgres/operations/)

            **How Nexus does it:** `.ci/run` runs `makemigrations --check`; the full-text
            search index is a PostgreSQL-only migration
            (`discussions/migrations/0002_search_gin_index.py`) that SQLite skips.
            """,
        ),
    ),
)

REST = GuideText(
    slug="rest-apis",
    category="rest-apis",
    title="REST APIs",
    summary="Designing, versioning and documenting an HTTP API with Django REST Framework, "
    "so the people who build on it can trust it.",
    sections=(
        _s(
            "Resource design: nouns, status codes and errors",
            "DRF 3.18, Django 6.1",
            """
            Design the URLs around things, not actions: `/questions/42/answers/` rather
            than `/getAnswersForQuestion?id=42`. Let the HTTP method say what happens and
            the status code say how it went:

            | you did | answer |
            | --- | --- |
            | created something | `201 Created` with a `Location` header |
            | sent bad input | `400` with a message per field |
            | are not signed in | `401` (and `WWW-Authenticate`) |
            | may not do this | `403` |
            | asked for what is not there, or not yours to see | `404` |
            | went too fast | `429` with `Retry-After` |

            Give every error the same shape. RFC 9457 "problem details" is a good one:

            ```json
            {"type": "about:blank", "title": "Invalid input", "status": 400,
             "errors": {"title": ["At least 15 characters, please."]}}
            ```

            Try an API from the terminal before you write a client:

            ```bash
            curl -s -H "Authorization: Bearer $TOKEN" https://example.com/api/v1/questions/ | python -m json.tool
            ```

            **Official docs:** [DRF views](https://www.django-rest-framework.org/api-guide/views/) ·
            [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)

            **How Nexus does it:** the API's error handler (`hub/api/errors.py`) maps the
            services' `PermissionDenied` and `ValidationError` to problem details once, for
            every endpoint.
            """,
        ),
        _s(
            "Versioning an API without breaking its users",
            "DRF 3.18",
            """
            Once someone builds on your API, every field you rename breaks them. Decide
            how you will change things before you ship version 1:

            - **Additive changes are free**: a new field, a new endpoint, a new optional
              parameter. Clients must ignore fields they do not know.
            - **Breaking changes get a new version**: removing or renaming a field,
              changing a type, changing what a status code means.
            - Put the version where it is visible and cacheable: in the path
              (`/api/v1/`) is the simplest to read, log and route.
            - Announce removals: a `Deprecation` header and a `Sunset` date on the old
              version, and a changelog people can subscribe to.

            ```python
            # urls.py: two versions side by side while clients move
            from django.urls import include, path

            urlpatterns = [
                path("api/v1/", include("myapp.api.v1")),
                path("api/v2/", include("myapp.api.v2")),
            ]
            ```

            Test the contract, not just the code: generate the OpenAPI schema in CI and
            fail the build when it changes without a version bump.

            **Official docs:** [DRF versioning](https://www.django-rest-framework.org/api-guide/versioning/)

            **How Nexus does it:** everything lives under `/api/v1/`; the CORS settings in
            `hub/settings.py` expose `Deprecation` and `Sunset` so browser clients can read
            them; tokens are explained in `docs/decisions/0010-api-tokens.md`.
            """,
        ),
        _s(
            "Documenting an API people can use",
            "DRF 3.18",
            """
            Good API documentation answers four questions fast: how do I authenticate,
            what does a request look like, what comes back, and what goes wrong.
            Generate the reference from the code, so it cannot drift, and write the guide
            parts (authentication, pagination, errors) by hand.

            With drf-spectacular, the schema comes from your serializers and views:

            ```python
            # settings.py
            REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}

            # urls.py
            from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

            urlpatterns = [
                path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
                path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema")),
            ]
            ```

            ```bash
            python manage.py spectacular --file schema.yml --validate
            ```

            Annotate what it cannot infer (`@extend_schema(responses=...)`), and give
            every endpoint one real example.

            **Official docs:** [drf-spectacular](https://drf-spectacular.readthedocs.io/) ·
            [OpenAPI](https://spec.openapis.org/oas/latest.html)

            **How Nexus does it:** `SPECTACULAR_SETTINGS` in `hub/settings.py` serves Swagger
            UI and ReDoc from our own static files (the sidecar package), because our
            Content-Security-Policy allows no CDN.
            """,
        ),
        _s(
            "Pagination that stays fast on page 500",
            "DRF 3.18, PostgreSQL 15",
            """
            `OFFSET 10000` makes the database read and throw away ten thousand rows.
            Keyset (cursor) pagination instead remembers where the last page ended and
            asks for rows after it, which an index answers directly:

            ```sql
            SELECT id, title, created_at FROM question
            WHERE (created_at, id) < ('2026-11-30 10:00', 4812)
            ORDER BY created_at DESC, id DESC
            LIMIT 20;
            ```

            The `id` is the tie-breaker: two rows can share a timestamp, never an id.
            DRF's `CursorPagination` does this for you:

            ```python
            from rest_framework.pagination import CursorPagination

            class NewestFirst(CursorPagination):
                ordering = ("-created_at", "-id")
                page_size = 20
            ```

            The cost: no "jump to page 37". For feeds and infinite lists nobody misses it.

            **Official docs:** [DRF pagination](https://www.django-rest-framework.org/api-guide/pagination/#cursorpagination)

            **How Nexus does it:** every list pages by keyset, with one cursor format
            (`hub/keyset.py`) and the bound in `_keyset_bound` (`discussions/selectors.py`),
            explained in
            `docs/decisions/0005-stored-markdown-and-keyset-pages.md`.
            """,
        ),
    ),
)

GRAPHQL = GuideText(
    slug="graphql",
    category="graphql",
    title="GraphQL",
    summary="Schemas, resolvers and the N+1 trap, with strawberry on Django; when GraphQL "
    "is the better door and when REST is.",
    sections=(
        _s(
            "A schema with strawberry",
            "strawberry 0.341, Django 6.1",
            """
            In GraphQL the client asks for exactly the fields it needs, and the schema is
            the contract. With strawberry the schema is written as typed Python classes:

            ```python
            import strawberry


            @strawberry.type
            class Question:
                id: strawberry.ID
                title: str
                answer_count: int


            @strawberry.type
            class Query:
                @strawberry.field
                def question(self, id: strawberry.ID) -> Question | None:
                    return Question(id=id, title="Why does my migration fail?", answer_count=2)


            schema = strawberry.Schema(query=Query)
            print(schema.execute_sync('{ question(id: "1") { title answerCount } }').data)
            ```

            Run it with `python example.py` after `pip install strawberry-graphql`. Note the
            automatic camelCase: `answer_count` is `answerCount` to clients.

            Mutations should call the same service functions your views call; the resolver
            only translates arguments and errors.

            **Official docs:** [strawberry](https://strawberry.rocks/docs) ·
            [strawberry-django](https://strawberry.rocks/docs/django)

            **How Nexus does it:** the GraphQL door at `/graphql/` sits on the same
            services as the pages and the REST API, so a rule changes in one place.
            """,
        ),
        _s(
            "N+1 in resolvers, and dataloaders",
            "strawberry 0.341",
            """
            A query for 50 questions with their authors calls the `author` resolver 50
            times. If each one queries the database, that is 51 queries. A **dataloader**
            collects the keys requested in one tick and loads them in one batch:

            ```python
            import asyncio
            from strawberry.dataloader import DataLoader

            calls = []


            async def load_users(keys: list[int]) -> list[str]:
                calls.append(keys)  # one call for the whole batch
                return [f"user {k}" for k in keys]


            async def main():
                loader = DataLoader(load_fn=load_users)
                names = await asyncio.gather(*(loader.load(k) for k in [1, 2, 3, 2]))
                print(names, calls)  # [...] [[1, 2, 3]]


            asyncio.run(main())
            ```

            Create loaders per request (in the context), never globally: a global cache
            would leak one person's data into another's request. With strawberry-django,
            its optimizer can also turn field selections into `select_related` and
            `prefetch_related` for you.

            Limit what a client may ask: maximum query depth, a cap on aliases, and
            pagination on every list.

            **Official docs:** [DataLoaders](https://strawberry.rocks/docs/guides/dataloaders) ·
            [Query depth limiter](https://strawberry.rocks/docs/extensions/query-depth-limiter)

            **How Nexus does it:** the pinned strawberry is at least 0.315.7 because older
            versions let fragments bypass the alias limit (see the known traps in the
            design notes).
            """,
        ),
        _s(
            "REST or GraphQL?",
            "DRF 3.18, strawberry 0.341",
            """
            Neither is better; they fit different clients.

            | | REST | GraphQL |
            | --- | --- | --- |
            | HTTP caching | natural (GET, ETags) | hard (POST, one URL) |
            | many screens, each needing a different shape | many endpoints or over-fetching | one query per screen |
            | errors | status codes | `errors` in a 200 response |
            | learning curve for clients | low | schema, queries, tooling |
            | risk | over-fetching | expensive queries: limit depth and cost |

            A good rule: public, cache-friendly, resource-shaped data over REST; a rich
            client app with many related views over GraphQL. Serving both from the same
            service layer costs little and lets each client choose.

            ```bash
            # The same question, two doors:
            curl -s https://example.com/api/v1/questions/42/
            curl -s https://example.com/graphql/ -H 'Content-Type: application/json' \\
                 -d '{"query": "{ question(id: 42) { title answers { body } } }"}'
            ```

            **Official docs:** [GraphQL best practices](https://graphql.org/learn/best-practices/)

            **How Nexus does it:** both doors exist for the frontend learners; neither
            writes to the database itself.
            """,
        ),
    ),
)

DOCKER = GuideText(
    slug="docker",
    category="docker",
    title="Docker",
    summary="Small, safe images for a Django app, Compose for the whole stack, and what "
    "actually differs between your laptop and production.",
    sections=(
        _s(
            "A production Dockerfile for Django",
            "Docker 27, Python 3.13",
            """
            Build in one stage, run in another, so compilers and caches never reach the
            image you deploy; run as a user that is not root; collect static files at
            build time.

            ```dockerfile
            FROM python:3.13-slim AS build
            WORKDIR /app
            COPY requirements/base.txt .
            RUN pip install --no-cache-dir --prefix=/install -r base.txt

            FROM python:3.13-slim
            RUN useradd --create-home app
            COPY --from=build /install /usr/local
            WORKDIR /app
            COPY . .
            RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput
            USER app
            EXPOSE 8000
            CMD ["gunicorn", "hub.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2"]
            ```

            Copy the requirements before the code: Docker caches each layer, so a code
            change does not reinstall every dependency. Add a `.dockerignore` (`.venv`,
            `.git`, `db.sqlite3`) so they are never sent to the build.

            **Official docs:** [Dockerfile reference](https://docs.docker.com/reference/dockerfile/) ·
            [Multi-stage builds](https://docs.docker.com/build/building/multi-stage/)

            **How Nexus does it:** the repository's `Dockerfile` is multi-stage and
            non-root, and one image runs every process: `docker/entrypoint.sh web|ws|worker|beat|migrate`.
            """,
        ),
        _s(
            "Compose for the whole stack",
            "Docker 27, PostgreSQL 15, Redis 7.4, RabbitMQ 4.0",
            """
            Compose starts the app with its real services, so "works on my machine" means
            the same as "works in production". Give each service a health check and make
            the app wait for it:

            ```yaml
            services:
              db:
                image: postgres:15
                environment: {POSTGRES_PASSWORD: example}
                healthcheck:
                  test: ["CMD-SHELL", "pg_isready -U postgres"]
                  interval: 5s
                volumes: [pgdata:/var/lib/postgresql/data]
              web:
                build: .
                environment:
                  DATABASE_URL: postgres://postgres:example@db:5432/postgres
                depends_on:
                  db: {condition: service_healthy}
                ports: ["8000:8000"]
            volumes:
              pgdata:
            ```

            ```bash
            docker compose up --build
            docker compose exec web python manage.py migrate
            docker compose logs -f web
            ```

            Inside Compose, services reach each other by name (`db`, not `localhost`).

            **Official docs:** [Compose file reference](https://docs.docker.com/reference/compose-file/)

            **How Nexus does it:** `docker-compose.yml` runs web, ws, worker, beat,
            PostgreSQL, Redis, RabbitMQ and Caddy as the proxy;
            `docs/decisions/0002-containers-and-fly.md` explains how `/ws/` is routed.
            """,
        ),
        _s(
            "Configuration from the environment",
            "Docker 27, Django 6.1",
            """
            The same image must run in CI, staging and production, so nothing that differs
            between them may be baked in. Read settings from environment variables, with
            defaults that are safe for local work and refuse to start where they are not:

            ```python
            import os

            DEBUG = os.environ.get("DJANGO_DEBUG", "false").lower() == "true"
            SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
            if not SECRET_KEY and not DEBUG:
                raise RuntimeError("Set DJANGO_SECRET_KEY")
            ```

            Keep the list of variables in one place (a table in the README), give each a
            safe default or a clear error, and never read `os.environ` deep inside the
            code: only the settings module does, so a reader finds every knob at once.

            Then check the result the way Django's deployment checklist does:

            ```bash
            DJANGO_DEBUG=false DJANGO_SECRET_KEY=$(openssl rand -base64 48) \\
              python manage.py check --deploy
            ```

            **Official docs:** [Deployment checklist](https://docs.djangoproject.com/en/6.1/howto/deployment/checklist/) ·
            [The Twelve-Factor App: config](https://12factor.net/config)

            **How Nexus does it:** one `hub/settings.py` reads every variable (the README's
            table lists them); `scripts/check_deploy.sh` runs `check --deploy` with
            production values in CI.
            """,
        ),
    ),
)

CI_CD = GuideText(
    slug="ci-cd",
    category="ci-cd",
    title="CI/CD",
    summary="Tests and linting on every push, against the real services, and deployments "
    "that are boring because they are automatic.",
    sections=(
        _s(
            "A CI pipeline with real services",
            "Python 3.13, PostgreSQL 15, Redis 7.4",
            """
            Run the tests against the same database you deploy on. SQLite in CI hides
            PostgreSQL-only behaviour (full-text search, `select_for_update`, constraint
            timing) until production finds it for you.

            ```yaml
            # .github/workflows/ci.yml
            name: ci
            on: [push, pull_request]
            jobs:
              test:
                runs-on: ubuntu-latest
                services:
                  postgres:
                    image: postgres:15
                    env: {POSTGRES_PASSWORD: postgres}
                    ports: ["5432:5432"]
                    options: >-
                      --health-cmd pg_isready --health-interval 5s --health-retries 10
                env:
                  DATABASE_URL: postgres://postgres:postgres@localhost:5432/postgres
                steps:
                  - uses: actions/checkout@v4
                  - uses: actions/setup-python@v5
                    with: {python-version: "3.13"}
                  - run: pip install -r requirements/dev.txt
                  - run: ruff check . && ruff format --check .
                  - run: python manage.py makemigrations --check --dry-run
                  - run: pytest -q
            ```

            Keep the steps in a script in the repository (not only in the CI file), so
            anyone can run exactly what CI runs.

            **Official docs:** [GitHub Actions service containers](https://docs.github.com/en/actions/use-cases-and-examples/using-containerized-services/about-service-containers)

            **How Nexus does it:** `.ci/run` starts any of PostgreSQL, Redis and RabbitMQ
            that is down, then runs `make test`, `makemigrations --check` and
            `check --deploy`; `.github/workflows/ci.yml` calls the same steps.
            """,
        ),
        _s(
            "Deploying: migrate, then switch",
            "Docker 27",
            """
            A deployment is safe when it is repeatable and reversible:

            1. Build one image per commit, tag it with the commit hash.
            2. Run migrations as a **release step** before new code takes traffic
               (and write migrations that the old code tolerates).
            3. Start the new processes, check their health endpoint, then move traffic.
            4. Keep the previous image: rolling back is deploying it again.

            ```bash
            docker build -t registry.example.com/nexus:$(git rev-parse --short HEAD) .
            docker run --rm registry.example.com/nexus:abc1234 migrate
            curl -fsS https://nexus.example.com/readyz
            ```

            Two health endpoints help: *alive* (the process answers) for restarts, and
            *ready* (the database, cache and broker answer) for routing traffic.

            **Official docs:** [fly.io release commands](https://fly.io/docs/reference/configuration/#run-one-off-commands-before-releasing-a-deployment)

            **How Nexus does it:** `fly.toml` runs `migrate` as the release command and
            checks `/healthz`; `/readyz` (in `hub/health.py`) names what failed with a 503.
            """,
        ),
        _s(
            "Fast feedback: what to run where",
            "Python 3.13",
            """
            Slow CI gets ignored. Split the work by how fast it fails:

            - **On save, in your editor**: the formatter and linter (`ruff format`,
              `ruff check`): milliseconds.
            - **Before a commit**: the tests of the app you touched
              (`pytest guides -x -q`).
            - **In CI**: everything, including browser journeys and the deploy check.

            ```bash
            pytest guides -x -q                      # one app, stop at the first failure
            pytest -k "proposal and not e2e" -q      # by name
            pytest -n auto -q                        # all cores (pytest-xdist)
            ```

            Mark slow tests (`@pytest.mark.e2e`) and run them in their own process;
            keep the default selection the one a newcomer runs first.

            **Official docs:** [pytest usage](https://docs.pytest.org/en/stable/how-to/usage.html) ·
            [Ruff](https://docs.astral.sh/ruff/)

            **How Nexus does it:** `make test-unit` and `make test-e2e` split the suite;
            browser journeys run in a separate pytest process because Playwright leaves an
            event loop behind (the design notes' known traps).
            """,
        ),
    ),
)

DATABASES = GuideText(
    slug="databases",
    category="databases",
    title="Database design",
    summary="Normalisation, indexes that match your queries, reading a query plan, and "
    "migrations on a live database.",
    sections=(
        _s(
            "Normalise first, denormalise on purpose",
            "PostgreSQL 15, Django 6.1",
            """
            Store each fact once. A question's author is a foreign key to the user, not a
            copy of their name; tags are rows joined through a table, not a comma-separated
            string. Normalised data cannot disagree with itself.

            Then denormalise **deliberately**, where a page would otherwise count or join
            on every view, and keep the copy correct in the same transaction as the change:

            ```python
            from django.db import transaction
            from django.db.models import F


            @transaction.atomic
            def answer_create(*, question, author, body):
                answer = question.answers.create(author=author, body=body)
                # A counter updated in the database, not read-modify-write in Python:
                type(question).objects.filter(pk=question.pk).update(
                    answer_count=F("answer_count") + 1
                )
                return answer
            ```

            `F()` makes the database do the arithmetic, so two answers posted at once both
            count. Put rules that must always hold in **constraints** (`UniqueConstraint`,
            `CheckConstraint(condition=...)`), not only in Python.

            **Official docs:** [F expressions](https://docs.djangoproject.com/en/6.1/ref/models/expressions/#f-expressions) ·
            [Constraints](https://docs.djangoproject.com/en/6.1/ref/models/constraints/)

            **How Nexus does it:** `Question.answer_count`, `score` and
            `last_activity_at` are denormalised and updated with `F()` in
            `discussions/services.py`; a vote is unique per person and post by constraint.
            """,
        ),
        _s(
            "Indexes that match the query",
            "PostgreSQL 15, Django 6.1",
            """
            An index helps a query when its columns match the query's filter *and* order,
            in that order. For "newest questions in a category":

            ```python
            class Meta:
                indexes = [
                    models.Index(
                        fields=["category", "-created_at", "-id"],
                        name="q_cat_newest",
                        condition=Q(is_deleted=False),  # a partial index: only live rows
                    ),
                ]
            ```

            Then check that the database uses it:

            ```sql
            EXPLAIN (ANALYZE, BUFFERS)
            SELECT id, title FROM discussions_question
            WHERE category_id = 3 AND NOT is_deleted
            ORDER BY created_at DESC, id DESC LIMIT 20;
            ```

            Look for `Index Scan using q_cat_newest` and a small `rows` figure; a
            `Seq Scan` followed by a `Sort` on a big table is the sign of a missing index.
            Every index costs writes and space: add the ones your pages need, and measure.

            **Official docs:** [Django indexes](https://docs.djangoproject.com/en/6.1/ref/models/indexes/) ·
            [Using EXPLAIN](https://www.postgresql.org/docs/15/using-explain.html)

            **How Nexus does it:** `Question.Meta.indexes` has one partial index per list
            order and filter; `make bench-pages` seeds 20,000 questions and prints each
            page's query count and timings.
            """,
        ),
        _s(
            "Full-text search in PostgreSQL",
            "PostgreSQL 15, Django 6.1",
            """
            `LIKE '%word%'` cannot use a normal index and knows nothing of stems
            ("migrate" vs "migrations"). PostgreSQL's full-text search does:

            ```python
            from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

            vector = SearchVector("title", weight="A") + SearchVector("body", weight="B")
            query = SearchQuery("celery retry", search_type="websearch")
            results = (
                Question.objects.annotate(rank=SearchRank(vector, query))
                .filter(rank__gt=0)
                .order_by("-rank")[:20]
            )
            ```

            Computing the vector per query is slow on big tables: store it in a column
            (or a narrow table of its own), keep it updated when the row changes, and put a
            GIN index on it. `SearchHeadline` returns highlighted snippets.

            **Official docs:** [Full text search](https://docs.djangoproject.com/en/6.1/ref/contrib/postgres/search/) ·
            [PostgreSQL text search](https://www.postgresql.org/docs/15/textsearch.html)

            **How Nexus does it:** `QuestionSearch` and this guide's `SectionSearch` keep
            vectors in narrow tables with GIN indexes created by PostgreSQL-only
            migrations; on SQLite, search falls back to `LIKE`.
            """,
        ),
    ),
)

ASYNC = GuideText(
    slug="async-tasks",
    category="async-tasks",
    title="Asynchronous work with Celery and RabbitMQ",
    summary="Tasks that survive failures: when to enqueue, retries with backoff, idempotent "
    "tasks, error logging and monitoring.",
    sections=(
        _s(
            "Enqueue after commit, never before",
            "Celery 5.5, Django 6.1",
            """
            A task enqueued inside a transaction can run before the transaction commits:
            the worker looks for the new row and does not find it. Or the transaction rolls
            back and the email goes out anyway. Enqueue from `on_commit`:

            ```python
            from django.db import transaction


            @transaction.atomic
            def signup(*, email):
                user = User.objects.create(email=email)
                transaction.on_commit(lambda: send_welcome.delay(user.pk))
                return user
            ```

            Pass ids, not objects: the task loads a fresh row, and the message stays small
            and serialisable.

            Decide what happens when the broker is down at that moment. Either the request
            fails (rarely what you want for an email), or the request succeeds and
            something else notices the work was never queued: a row that records what is
            owed, and a periodic sweep that queues it again. Bound the publish with a
            short timeout, so a dead broker costs a page two seconds, not thirty.

            **Official docs:** [Celery with Django](https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html) ·
            [transaction.on_commit](https://docs.djangoproject.com/en/6.1/topics/db/transactions/#performing-actions-after-commit)

            **How Nexus does it:** services schedule emails with `transaction.on_commit`;
            the notification row is the record of truth and the task only sends it
            (`notifications/tasks.py`).
            """,
        ),
        _s(
            "Retries, idempotency and exactly-once effects",
            "Celery 5.5, RabbitMQ 4.0",
            """
            A broker delivers a message *at least* once. With `acks_late`, a worker that
            dies mid-task leaves the message to be delivered again. So make every task
            safe to run twice:

            ```python
            from celery import shared_task
            from django.db import transaction
            from django.utils import timezone


            @shared_task(
                bind=True, acks_late=True, autoretry_for=(ConnectionError,),
                retry_backoff=True, retry_backoff_max=600, retry_jitter=True, max_retries=8,
            )
            def send_notification(self, notification_id: int) -> bool:
                with transaction.atomic():
                    row = Notification.objects.select_for_update().get(pk=notification_id)
                    if row.emailed_at is not None:
                        return False  # already sent: a retry or a duplicate delivery
                    send_the_email(row)
                    row.emailed_at = timezone.now()
                    row.save(update_fields=["emailed_at"])
                return True
            ```

            The lock plus the sent-marker make a duplicate delivery harmless. A periodic
            **sweep** re-enqueues what was never sent (the broker was down when you tried).

            **Official docs:** [Task retrying](https://docs.celeryq.dev/en/stable/userguide/tasks.html#retrying) ·
            [acks_late](https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-acks-late)

            **How Nexus does it:** exactly this design, with its one remaining window
            spelled out, in `docs/decisions/0007-notification-email-exactly-once.md`; the
            sweep is `notification_email_sweep` in `notifications/tasks.py`.
            """,
        ),
        _s(
            "Logging and monitoring tasks",
            "Celery 5.5",
            """
            A task that fails silently is worse than one that fails loudly. Log with the
            task id and the object it concerns, and never the secrets it handles:

            ```python
            import logging

            from celery import shared_task

            logger = logging.getLogger(__name__)


            @shared_task(bind=True)
            def export_report(self, report_id: int) -> None:
                logger.info("export start", extra={"task_id": self.request.id, "report": report_id})
                try:
                    build(report_id)
                except Exception:
                    logger.exception("export failed", extra={"report": report_id})
                    raise  # let Celery record the failure and retry policy act
            ```

            ```bash
            celery -A hub inspect active      # what each worker is doing now
            celery -A hub inspect scheduled   # what waits for a countdown or ETA
            celery -A hub events              # a live view of task events
            ```

            Watch three numbers: queue length (work arriving faster than it is done),
            failure rate, and the age of the oldest unprocessed item.

            **Official docs:** [Monitoring and management](https://docs.celeryq.dev/en/stable/userguide/monitoring.html) ·
            [RabbitMQ monitoring](https://www.rabbitmq.com/docs/monitoring)

            **How Nexus does it:** `CELERY_BEAT_SCHEDULE` in `hub/settings.py` runs the
            sweep and the digests; the broker's publish is bounded (2 s), so a page never
            hangs when RabbitMQ is down.
            """,
        ),
    ),
)

CACHING = GuideText(
    slug="caching",
    category="caching",
    title="Caching: Redis, HTTP and invalidation",
    summary="What to cache, for how long, and how to make sure nobody sees stale data: "
    "Django's cache with Redis, HTTP caching and invalidation.",
    sections=(
        _s(
            "Django's cache with Redis",
            "Django 6.1, Redis 7.4",
            """
            Django ships a Redis cache backend. Configure it with bounded timeouts, so a
            Redis outage slows a page down instead of hanging it:

            ```python
            CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": "redis://127.0.0.1:6379/0",
                    "KEY_PREFIX": "myapp",
                    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
                }
            }
            ```

            The everyday pattern is *get or compute*:

            ```python
            from django.core.cache import cache

            def tag_cloud():
                return cache.get_or_set("tag-cloud:v1", compute_tag_cloud, timeout=300)
            ```

            Put a version in the key (`:v1`) so a change of shape does not read old data.

            Cache what is expensive to compute and read far more often than it changes:
            a rendered fragment, an aggregate, the answer of a slow third-party call. Do
            not cache what is cheap (a primary-key lookup is already fast), nor anything
            personal under a shared key. And decide what the page does when the cache is
            down: computing the value directly is usually the right fallback.

            **Official docs:** [Django's cache framework](https://docs.djangoproject.com/en/6.1/topics/cache/)

            **How Nexus does it:** `CACHES` in `hub/settings.py` is exactly this when
            `REDIS_URL` is set (local memory otherwise); `hub/presence.py` keeps "N viewing"
            in the cache.
            """,
        ),
        _s(
            "Invalidation: the hard part",
            "Django 6.1, Redis 7.4",
            """
            A cache is only as good as its invalidation. Three strategies, from simplest:

            1. **Short timeouts**: accept data up to N seconds old. Fine for counts on a
               home page, wrong for "my own answer is missing".
            2. **Delete on write**: the service that changes the data deletes the key,
               *after commit* (before commit, another request can refill the cache with the
               old value).
            3. **Versioned keys**: keep a version number per object and put it in the key;
               a write bumps the version and old keys simply stop being read.

            ```python
            from django.core.cache import cache
            from django.db import transaction

            def question_cache_key(question_id: int) -> str:
                version = cache.get_or_set(f"question:{question_id}:v", 1)
                return f"question:{question_id}:{version}:html"

            def question_changed(question_id: int) -> None:
                transaction.on_commit(lambda: cache.incr(f"question:{question_id}:v"))
            ```

            Whatever you choose, test it: change the data and assert the next read shows it.

            **Official docs:** [Cache versioning](https://docs.djangoproject.com/en/6.1/topics/cache/#cache-versioning)

            **How Nexus does it:** services run side effects on commit
            (`transaction.on_commit` everywhere in `*/services.py`), which is where
            invalidation belongs.
            """,
        ),
        _s(
            "HTTP caching: ETags and Cache-Control",
            "Django 6.1",
            """
            The fastest request is one the browser does not make. Tell clients how long a
            response stays fresh, and how to ask whether it changed:

            ```python
            from django.views.decorators.cache import cache_control
            from django.views.decorators.http import condition


            def latest(request, slug):
                return Guide.objects.filter(slug=slug).values_list("updated_at", flat=True).first()


            @cache_control(public=True, max_age=60)
            @condition(last_modified_func=latest)
            def guide_page(request, slug):
                ...
            ```

            A client that sends `If-Modified-Since` (or `If-None-Match` with an ETag) gets
            `304 Not Modified` and no body: the server still runs the cheap `latest`
            query, but skips rendering the page and sending it. Behind a proxy or a CDN,
            `max_age` lets the proxy answer without asking you at all. Never mark a page `public` if it shows anything
            about the signed-in person.

            ```bash
            curl -sI https://example.com/guide/django/ | grep -i -E 'etag|cache-control|last-modified'
            ```

            **Official docs:** [Conditional view processing](https://docs.djangoproject.com/en/6.1/topics/conditional-view-processing/) ·
            [MDN: HTTP caching](https://developer.mozilla.org/en-US/docs/Web/HTTP/Caching)

            **How Nexus does it:** static files are served by whitenoise with hashed names
            and far-future caching (`CompressedManifestStaticFilesStorage` in production).
            """,
        ),
    ),
)

CHALLENGES = GuideText(
    slug="challenges",
    title="Challenges and their solutions",
    summary="The problems learners of this program hit most, and what solved them: complex "
    "queries, task failures, API versioning and “works on my machine”.",
    position=20,
    sections=(
        _s(
            "A complex query that got slow",
            "Django 6.1, PostgreSQL 15",
            """
            **The problem.** A dashboard listed each learner with their question count,
            answer count and latest activity. With 5,000 learners it took 9 seconds.

            **What was wrong.** Two `Count()` annotations over two different relations in
            one query multiply each other's rows (a join fan-out), so the counts were wrong
            *and* slow.

            **The fix.** One subquery per count, so each aggregates on its own:

            ```python
            from django.db.models import Count, IntegerField, OuterRef, Subquery
            from django.db.models.functions import Coalesce


            def count_of(model, field="author"):
                return Coalesce(
                    Subquery(
                        model.objects.filter(**{field: OuterRef("pk")})
                        .order_by()
                        .values(field)
                        .annotate(n=Count("pk"))
                        .values("n")[:1],
                        output_field=IntegerField(),
                    ),
                    0,
                )


            people = User.objects.annotate(
                questions=count_of(Question), answers=count_of(Answer)
            ).order_by("-answers")[:50]
            ```

            Then `EXPLAIN ANALYZE` showed index scans on `(author, created_at)` and the
            page answered in 40 ms.

            **Official docs:** [Subquery expressions](https://docs.djangoproject.com/en/6.1/ref/models/expressions/#subquery-expressions) ·
            [Combining aggregations](https://docs.djangoproject.com/en/6.1/topics/db/aggregation/#combining-multiple-aggregations)

            **How Nexus does it:** hiding an answer recounts its question with this very
            subquery pattern (`question_answers_recount` in `discussions/services.py`).
            """,
        ),
        _s(
            "Tasks that failed and nobody knew",
            "Celery 5.5, RabbitMQ 4.0",
            """
            **The problem.** Welcome emails stopped for two days. No error anywhere.

            **What was wrong.** The task was enqueued with `.delay()` inside the signup
            view's transaction, and the SMTP server had started refusing connections. The
            task raised, Celery logged it in a worker nobody read, and there was no retry.

            **The fix**, in four parts:

            1. Enqueue after commit (`transaction.on_commit`).
            2. Retry the errors that pass (`autoretry_for=(SMTPException, ConnectionError)`,
               exponential backoff with jitter, a maximum).
            3. Record the outcome on the row (`emailed_at`), so "what was never sent" is a
               query, and sweep it periodically.
            4. Alert on the age of the oldest unsent row, not on individual failures.

            ```python
            # The query behind the alert:
            from datetime import timedelta
            from django.utils import timezone

            stuck = Notification.objects.filter(
                emailed_at__isnull=True, created_at__lt=timezone.now() - timedelta(minutes=15)
            ).count()
            print("unsent for 15 minutes:", stuck)
            ```

            **Official docs:** [Celery task options](https://docs.celeryq.dev/en/stable/userguide/tasks.html#list-of-options)

            **How Nexus does it:** `docs/decisions/0007-notification-email-exactly-once.md`;
            the outage drills in `docs/decisions/0009-outages-users-never-notice.md`.
            """,
        ),
        _s(
            "Changing an API without breaking its clients",
            "DRF 3.18",
            """
            **The problem.** A learner renamed `author` to `user` in their API's
            responses. Two classmates' mobile apps crashed on the next release.

            **The fix.** Treat the response shape as a contract:

            - Add the new field next to the old one; keep both for a deprecation period.
            - Mark the old one deprecated in the schema and send `Deprecation` and `Sunset`
              headers on responses that still use it.
            - Remove it only in `/api/v2/`, or after the sunset date you announced.
            - Add a contract test that fails when a field disappears:

            ```python
            def test_question_fields_are_a_contract(client, question):
                body = client.get(f"/api/v1/questions/{question.pk}/").json()
                assert {"id", "title", "author", "created_at"} <= body.keys()
            ```

            **Official docs:** [DRF versioning](https://www.django-rest-framework.org/api-guide/versioning/) ·
            [RFC 8594: the Sunset header](https://www.rfc-editor.org/rfc/rfc8594)

            **How Nexus does it:** `/api/v1/` is versioned in the path and the CORS
            settings expose `Deprecation` and `Sunset` to browser clients.
            """,
        ),
        _s(
            "It works on my machine",
            "Docker 27, Python 3.13",
            """
            **The problem.** Tests pass locally, fail in CI; or the app runs in CI and
            crashes in production. The usual causes, in order of how often we saw them:

            1. **Unpinned dependencies**: CI installed a newer release. Pin everything in
               the application's lock file.
            2. **A different Python**: 3.11 locally, 3.13 in production. Say which version
               in one place and check it at start.
            3. **A different database**: SQLite locally, PostgreSQL in production. Run
               PostgreSQL locally too (Compose makes it one command).
            4. **Configuration in your shell**: an environment variable you forgot you
               set. List what the app reads; refuse to start without the required ones.
            5. **Time zones and the clock**: set `TIME_ZONE = "UTC"`, `USE_TZ = True`, and
               never let a test depend on today's date.

            ```bash
            python --version && pip freeze | head -5     # what am I actually running?
            env | grep -E '^(DJANGO|DATABASE|REDIS|CELERY)_'
            docker compose run --rm web pytest -q         # the production image, locally
            ```

            **Official docs:** [pip freeze](https://pip.pypa.io/en/stable/cli/pip_freeze/) ·
            [Time zones in Django](https://docs.djangoproject.com/en/6.1/topics/i18n/timezones/)

            **How Nexus does it:** `make run` works with nothing installed (the embedded
            default), and the same settings switch to PostgreSQL, Redis and RabbitMQ when
            their URLs are set; `.ci/run` is what CI runs, so you can run it too.
            """,
        ),
    ),
)

BEST_PRACTICES = GuideText(
    slug="best-practices",
    title="Best practices",
    summary="Clean modular code, documented APIs, automated tests and linting, secrets out "
    "of the source, and measuring before optimising.",
    position=21,
    sections=(
        _s(
            "Clean, modular code: one job per piece",
            "Python 3.13, Django 6.1",
            """
            Code is read far more often than it is written. Make it easy to find where a
            thing happens by its name:

            - Small apps with one domain each; dependencies that point one way (a content
              app never imports the moderation app that acts on it).
            - Functions named `<thing>_<action>` (`proposal_accept`), keyword-only, typed.
            - No business rules in `save()` or signals: a reader cannot see them from the
              call site. Call them explicitly from the service.

            When an app must react to another without importing it, let the lower one
            announce the event and the higher one subscribe:

            ```python
            _receivers: dict[str, list] = {}

            def connect(name, fn):
                _receivers.setdefault(name, []).append(fn)

            def emit(name, **payload):
                return [fn(**payload) for fn in _receivers.get(name, [])]

            connect("question.closed", lambda **kw: print("log it", kw))
            emit("question.closed", question_id=42)
            ```

            **Official docs:** [Django design philosophies](https://docs.djangoproject.com/en/6.1/misc/design-philosophies/)

            **How Nexus does it:** `hub/hooks.py` is this registry; the guide emits
            `guide.question_closed` and moderation's `ready()` writes the log entry, so
            `guides` never imports `moderation`.
            """,
        ),
        _s(
            "Automated tests and linting",
            "Python 3.13, Django 6.1",
            """
            Tests are how you change code without fear. Write most of them against the
            service layer (fast, precise), some against views (the page and the HTMX
            fragment), a few in a real browser (the journeys people take).

            ```python
            import pytest

            from guides import services
            from guides.tests import factories


            @pytest.mark.django_db
            def test_a_proposal_publishes_nothing_until_accepted(mentor, learner):
                section = factories.section(mentor, body="Before.")
                services.proposal_create(
                    proposer=learner, section=section, title=section.title,
                    body="After.", note="clearer",
                )
                section.refresh_from_db()
                assert section.body == "Before."
            ```

            A test that cannot fail is worse than none: it tells you something is checked
            when it is not. Make it fail once (break the code) before trusting it.

            Let a linter and a formatter settle style so reviews talk about design:

            ```bash
            ruff check . && ruff format --check .
            ```

            **Official docs:** [pytest-django](https://pytest-django.readthedocs.io/) ·
            [Testing in Django](https://docs.djangoproject.com/en/6.1/topics/testing/)

            **How Nexus does it:** each app has `tests/` with factories; query counts are
            pinned; `make test` runs ruff first.
            """,
        ),
        _s(
            "Secrets stay out of the source",
            "Django 6.1",
            """
            A secret committed once is public forever: it lives in the history, in every
            clone, and in every fork. Keep them in the environment (or a secret manager),
            never in code, and make the app refuse to start with a development secret in
            production:

            ```python
            import secrets

            print(secrets.token_urlsafe(50))  # a good DJANGO_SECRET_KEY
            ```

            - Add `.env` to `.gitignore` before you create it.
            - Store only digests of tokens you issue (SHA-256 of a long random secret),
              and show the secret once.
            - If a secret leaks: rotate it first, then clean up.

            **Official docs:** [SECRET_KEY](https://docs.djangoproject.com/en/6.1/ref/settings/#secret-key) ·
            [secrets](https://docs.python.org/3/library/secrets.html)

            **How Nexus does it:** `hub/settings.py` refuses a `django-insecure-` key
            without DEBUG; `make run` writes a local secret into the ignored `.env`; API
            tokens are stored as digests (`docs/decisions/0010-api-tokens.md`).
            """,
        ),
        _s(
            "Optimise early: measure, then fix what the numbers show",
            "Django 6.1, PostgreSQL 15",
            """
            "Optimise early" does not mean guessing. It means building the habit of
            measuring from the first page, while changes are cheap:

            1. Count queries per page and pin them in tests (N+1 shows up at once).
            2. Time real pages with realistic data: 20 rows tell you nothing.
            3. Profile before changing anything; the slow part is rarely where you think.

            ```python
            import cProfile
            import pstats

            from django.test import Client

            client = Client()
            cProfile.run("client.get('/questions/')", "page.prof")
            pstats.Stats("page.prof").sort_stats("cumulative").print_stats(15)
            ```

            On a peer forum, one request spent most of its time in templates and 264
            `reverse()` calls, not in its 6 to 9 queries: measure the whole request.

            **Official docs:** [Performance and optimization](https://docs.djangoproject.com/en/6.1/topics/performance/) ·
            [The Python profilers](https://docs.python.org/3/library/profile.html)

            **How Nexus does it:** `bench/pages.py` prints p50/p99 and queries per page on
            20,000 questions (the README's table); `Model.urls` reverses each URL pattern
            once per process instead of per row.
            """,
        ),
    ),
)

GUIDES: tuple[GuideText, ...] = (
    PYTHON,
    DJANGO,
    REST,
    GRAPHQL,
    DOCKER,
    CI_CD,
    DATABASES,
    ASYNC,
    CACHING,
    CHALLENGES,
    BEST_PRACTICES,
)
