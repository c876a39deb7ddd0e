"""The demo showcase's content: projects, stars, feedback and reviews, as data.

`projects.demo.seed_projects` turns this into rows through the services. Handles are the
demo accounts of accounts/demo.py (`ada`, `grace`, `admin-nexus`) or the people of
discussions/demo_content.py (`kenji`, `priya-s`, `marta-k`...). Descriptions and feedback
are Markdown; `md()` strips the indentation of the source. Times are in days before the
seeding ("days_ago") or after the project's publication ("days_after").
"""

from dataclasses import dataclass

from discussions.demo_content import md
from projects.models import Verdict


@dataclass(frozen=True)
class DemoReply:
    author: str
    body: str


@dataclass(frozen=True)
class DemoFeedback:
    author: str
    body: str
    days_after: float
    replies: tuple[DemoReply, ...] = ()


@dataclass(frozen=True)
class DemoReview:
    """A completed review: requested by the author, claimed and submitted by `reviewer`."""

    reviewer: str
    verdict: str
    works: str
    improve: str
    notes_api_design: str = ""
    notes_data_model: str = ""
    notes_tests: str = ""
    notes_deployment: str = ""


@dataclass(frozen=True)
class DemoOpenReview:
    """The review request still open at the end: waiting, or claimed by `claimed_by`."""

    requested_days_ago: float
    claimed_by: str = ""


@dataclass(frozen=True)
class DemoProject:
    author: str
    title: str
    pitch: str
    repository_url: str
    tags: tuple[str, ...]
    days_ago: float
    description: str
    demo_url: str = ""
    docs_url: str = ""
    feedback_note: str = ""  # non-empty: "feedback wanted"
    draft: bool = False
    hidden_by: str = ""
    hidden_reason: str = ""
    stars: int = 0
    feedback: tuple[DemoFeedback, ...] = ()
    reviews: tuple[DemoReview, ...] = ()
    open_review: DemoOpenReview | None = None


PROJECTS = [
    DemoProject(
        author="kenji",
        title="Shelfie: a bookstore REST API",
        pitch="A DRF API for a small bookstore: catalogue, stock, orders and JWT auth.",
        repository_url="https://github.com/kenji-watanabe/shelfie-api",
        demo_url="https://shelfie-api.fly.dev",
        docs_url="https://shelfie-api.fly.dev/api/schema/swagger-ui/",
        tags=("django", "drf", "postgresql", "pytest", "docker"),
        days_ago=84,
        feedback_note="Is my permission setup (staff vs. customers) sane? And the order model.",
        stars=6,
        description=md("""
            ## What it does

            Shelfie is the backend of an imaginary neighbourhood bookstore. Customers browse
            the catalogue, filter by author or genre and place orders; staff manage stock.
            Placing an order reserves stock in one transaction (`select_for_update`), so two
            customers can never buy the last copy twice.

            ## Stack

            - Django 5 + Django REST Framework, `djangorestframework-simplejwt`
            - PostgreSQL 16, `drf-spectacular` for the OpenAPI schema
            - pytest + factory_boy (96% coverage), Docker Compose for local runs

            ## How to run

            ```bash
            git clone https://github.com/kenji-watanabe/shelfie-api
            cd shelfie-api
            cp .env.example .env
            docker compose up --build
            docker compose exec web python manage.py seed_books
            ```

            The Swagger UI is at `/api/schema/swagger-ui/`.

            ## Feedback wanted

            Mostly the permissions: I wrote `IsStaffOrReadOnly` and `IsOrderOwner` myself and
            I am not sure they compose the way I think they do.
        """),
        feedback=(
            DemoFeedback(
                "priya-s",
                "Really clean viewsets! How did you make the order total read-only but still "
                "show it in the response?",
                days_after=2,
                replies=(
                    DemoReply(
                        "kenji",
                        '`read_only_fields = ["total"]` in the serializer\'s `Meta`, and the '
                        "total is computed in `OrderService.place()`.",
                    ),
                ),
            ),
            DemoFeedback(
                "marta-k",
                md("""
                    Nice use of `select_for_update`. One thing: `Book.stock` has no
                    `CheckConstraint(stock__gte=0)`. The lock protects you today; the
                    constraint protects you from the next code path someone adds.
                """),
                days_after=4,
                replies=(DemoReply("kenji", "Added it in #14, with a migration. Thanks!"),),
            ),
        ),
        reviews=(
            DemoReview(
                reviewer="grace",
                verdict=Verdict.LOOKS_GOOD,
                works=md("""
                    - The service layer: views stay thin, `OrderService` owns the transaction.
                    - Tests read like a specification; factories keep them short.
                    - The OpenAPI schema is complete, with examples.
                """),
                improve=md("""
                    - Permissions compose with `&` and `|` in DRF; you can drop the custom
                      `IsStaffOrOwner` class and write `IsAdminUser | IsOrderOwner`.
                    - Paginate `/orders/` too, not only `/books/`.
                """),
                notes_api_design="Use `201` plus a `Location` header when an order is placed.",
                notes_tests="Add one test for two concurrent orders of the last copy.",
            ),
        ),
    ),
    DemoProject(
        author="priya-s",
        title="Spotter: a GraphQL gym tracker",
        pitch="Log workouts, sets and personal records through a strawberry GraphQL API.",
        repository_url="https://github.com/priya-sharma-dev/spotter-graphql",
        demo_url="https://spotter-gym.onrender.com",
        docs_url="https://spotter-gym.onrender.com/graphql",
        tags=("django", "graphql", "strawberry", "postgresql", "pytest"),
        days_ago=71,
        feedback_note="I fixed the N+1 queries with dataloaders after the first review: "
        "did I do it right?",
        stars=5,
        description=md("""
            ## What it does

            Spotter tracks gym sessions: exercises, sets, reps and weight. It works out your
            personal records and weekly volume per muscle group, and the `progress` query
            returns a series ready for a chart.

            ## Stack

            - Django 5, `strawberry-graphql-django`, PostgreSQL
            - Dataloaders for every list field (after the first review!)
            - pytest with the strawberry test client

            ## How to run

            ```bash
            python -m venv .venv && source .venv/bin/activate
            pip install -r requirements.txt
            createdb spotter && python manage.py migrate
            python manage.py runserver  # GraphiQL on /graphql
            ```

            ## Feedback wanted

            Query counts: the `workouts { sets { exercise } }` query used to make 1 + N + N*M
            queries. It should be three now.
        """),
        feedback=(
            DemoFeedback(
                "kenji",
                "GraphiQL on the demo is a nice touch. What did you use for auth, sessions?",
                days_after=1.5,
                replies=(
                    DemoReply(
                        "priya-s",
                        "Sessions for now (same-site cookie) and a `login` mutation. JWT is on "
                        "the list.",
                    ),
                ),
            ),
            DemoFeedback(
                "amir-h",
                "The progress chart data is really handy. Are the weekly buckets computed in "
                "Python or in SQL?",
                days_after=9,
                replies=(DemoReply("priya-s", "In SQL: `TruncWeek` plus `Sum`, one query."),),
            ),
        ),
        reviews=(
            DemoReview(
                reviewer="marta-k",
                verdict=Verdict.NEEDS_WORK,
                works="The schema reads well and the types mirror the domain, not the tables.",
                improve=md("""
                    The `workouts` query runs one query per workout and one per set: about 240
                    queries for a month of data. Add dataloaders (or `prefetch_related` via
                    the optimizer extension) before anything else.
                """),
                notes_data_model="`PersonalRecord` can be derived; do you need to store it?",
                notes_tests="Assert query counts with `django_assert_num_queries`.",
            ),
        ),
        open_review=DemoOpenReview(requested_days_ago=6),
    ),
    DemoProject(
        author="diego-f",
        title="Postbox: a Celery + RabbitMQ email pipeline",
        pitch="Transactional emails through Celery workers and RabbitMQ, with retries and a "
        "dead-letter queue.",
        repository_url="https://github.com/diego-fernandez/postbox-pipeline",
        tags=("celery", "rabbitmq", "django", "docker", "pytest"),
        days_ago=46,
        feedback_note="Retry and idempotency: can an email ever be sent twice?",
        stars=4,
        description=md("""
            ## What it does

            Postbox takes "send this email" requests over a small API, renders the template
            and hands delivery to Celery workers. Failures retry with exponential backoff;
            after five attempts the message goes to a dead-letter queue that an admin page
            lists and can replay.

            ## Stack

            - Django + Celery 5, RabbitMQ (quorum queues), Redis as the result backend
            - `acks_late` and an `EmailAttempt` table for idempotency
            - Flower for watching the workers; everything in Docker Compose

            ## How to run

            ```bash
            docker compose up -d rabbitmq redis
            docker compose up web worker flower
            curl -X POST localhost:8000/api/emails/ -d @examples/welcome.json
            ```

            ## Feedback wanted

            The retry logic and whether `acks_late` plus my attempt table really gives me
            "at most once" delivery to the SMTP server.
        """),
        feedback=(
            DemoFeedback(
                "tomas-r",
                md("""
                    `acks_late=True` without `task_reject_on_worker_lost` means a killed
                    worker's task is *not* redelivered on some brokers. Worth a test with
                    `docker kill` on a worker mid-task.
                """),
                days_after=3,
                replies=(
                    DemoReply(
                        "diego-f",
                        "Tried it: the task came back after the visibility timeout. Adding the "
                        "setting anyway and documenting it.",
                    ),
                ),
            ),
        ),
        open_review=DemoOpenReview(requested_days_ago=4, claimed_by="grace"),
    ),
    DemoProject(
        author="olu",
        title="Snip: a Dockerised URL shortener with Redis caching",
        pitch="Short links served from Redis in under a millisecond, Django behind nginx, one "
        "docker compose up.",
        repository_url="https://github.com/olu-adeyemi/snip",
        demo_url="https://snip-olu.fly.dev",
        tags=("docker", "redis", "django", "nginx", "postgresql"),
        days_ago=58,
        feedback_note="My Dockerfile and compose file: image size, healthchecks, secrets.",
        stars=7,
        description=md("""
            ## What it does

            Paste a long URL, get `snip-olu.fly.dev/abc123`. Redirects are read from Redis
            (cache-aside, 24 h TTL) and fall back to PostgreSQL; click counts are buffered in
            Redis and flushed to the database every minute.

            ## Stack

            - Django 5, PostgreSQL, Redis 7
            - nginx in front of gunicorn, multi-stage Dockerfile (image: 148 MB)
            - Docker Compose for local runs, Fly.io for the demo

            ## How to run

            ```bash
            docker compose up --build
            open http://localhost:8080
            ```

            ## Feedback wanted

            This is my first Dockerfile that is not copied from a tutorial. Is the
            multi-stage build right? Should migrations run in the entrypoint?
        """),
        feedback=(
            DemoFeedback(
                "lena-m",
                "Nice small image! You can drop the `build-essential` layer entirely if you "
                "use `psycopg[binary]`.",
                days_after=1,
                replies=(DemoReply("olu", "Down to 121 MB, thank you!"),),
            ),
            DemoFeedback(
                "diego-f",
                "What happens to the buffered click counts if Redis restarts before the flush?",
                days_after=5,
                replies=(
                    DemoReply(
                        "olu",
                        "They are lost :( I turned on AOF persistence; losing a second of "
                        "clicks is fine for a shortener.",
                    ),
                    DemoReply(
                        "tomas-r",
                        "That is a reasonable trade-off; write it down in the README so it "
                        "reads as a decision, not an accident.",
                    ),
                ),
            ),
        ),
        open_review=DemoOpenReview(requested_days_ago=19),
    ),
    DemoProject(
        author="lena-m",
        title="django-ci-template: CI/CD for Django with GitHub Actions",
        pitch="A template repository: lint, test against PostgreSQL, build the image and "
        "deploy on tag, all in GitHub Actions.",
        repository_url="https://github.com/lena-mueller/django-ci-template",
        docs_url="https://lena-mueller.github.io/django-ci-template/docs/",
        tags=("ci-cd", "github-actions", "docker", "pytest", "postgresql"),
        days_ago=62,
        feedback_note="Caching and job layout: could the pipeline be faster?",
        stars=9,
        description=md("""
            ## What it does

            Click "Use this template" and you get a Django project with a complete pipeline:

            1. `ruff` and `mypy` on every push
            2. pytest against a PostgreSQL service container, with coverage in the summary
            3. a Docker image built with layer caching and pushed to GHCR
            4. a deploy job to Fly.io on every `v*` tag, gated by an environment approval

            ## Stack

            GitHub Actions, Docker Buildx, PostgreSQL 16, pytest, ruff, Fly.io.

            ## How to run

            Use the template, add `FLY_API_TOKEN` to the repository secrets, push a tag:

            ```bash
            git tag v0.1.0 && git push --tags
            ```

            ## Feedback wanted

            The whole pipeline takes 4 minutes. The test job is 2:40 of that.
        """),
        feedback=(
            DemoFeedback(
                "kenji",
                "Used this for Shelfie, worked first time. The coverage summary in the job "
                "page is great.",
                days_after=6,
            ),
            DemoFeedback(
                "tomas-r",
                md("""
                    Pin third-party actions to a commit SHA, not a tag: a moved tag is how
                    supply-chain attacks land. Dependabot can keep the SHAs fresh.
                """),
                days_after=2,
                replies=(DemoReply("lena-m", "Done, and Dependabot is configured."),),
            ),
        ),
        reviews=(
            DemoReview(
                reviewer="tomas-r",
                verdict=Verdict.LOOKS_GOOD,
                works=md("""
                    - Jobs are small and named for what they check.
                    - The deploy needs an approval and only runs on tags: exactly right.
                    - `concurrency` cancels superseded runs on the same branch.
                """),
                improve="Split the tests with `pytest-xdist -n auto`; the runners have 4 CPUs.",
                notes_deployment="Run migrations as a release command, not in the container "
                "entrypoint, so two machines never migrate at once.",
            ),
        ),
    ),
    DemoProject(
        author="amir-h",
        title="Bracketeer: tournament brackets with Celery beat",
        pitch="Single-elimination and Swiss tournaments; Celery beat closes rounds and "
        "notifies players.",
        repository_url="https://github.com/amir-haddad/bracketeer",
        demo_url="https://bracketeer.onrender.com",
        tags=("django", "celery", "redis", "htmx", "postgresql"),
        days_ago=33,
        feedback_note="The bracket data model: is a self-referencing Match table a good idea?",
        stars=3,
        description=md("""
            ## What it does

            Organisers create a tournament, players sign up, and Bracketeer draws the
            bracket. Each round has a deadline; a Celery beat task closes overdue matches
            (walkovers) and advances winners. Pages update with HTMX polling.

            ## Stack

            Django, Celery 5 with beat, Redis as broker, PostgreSQL, HTMX.

            ## How to run

            ```bash
            docker compose up
            docker compose exec web python manage.py createsuperuser
            ```

            ## Feedback wanted

            `Match.next_match` is a foreign key to `Match`. Swiss rounds do not fit that
            at all, so I am not sure the model is right.
        """),
        feedback=(
            DemoFeedback(
                "marta-k",
                md("""
                    For Swiss, store rounds and pairings explicitly (`Round`, `Pairing`) and
                    keep `next_match` for elimination only. Two models that fit beat one that
                    almost fits both.
                """),
                days_after=3,
                replies=(DemoReply("amir-h", "That makes sense, I'll try it on a branch."),),
            ),
        ),
        open_review=DemoOpenReview(requested_days_ago=2),
    ),
    DemoProject(
        author="priya-s",
        title="Pantry Analytics: a PostgreSQL-backed analytics service",
        pitch="Event ingestion and daily rollups for a recipe app, with partitioned tables "
        "and materialised views.",
        repository_url="https://github.com/priya-sharma-dev/pantry-analytics",
        docs_url="https://pantry-analytics.fly.dev/api/schema/swagger-ui/",
        demo_url="https://pantry-analytics.fly.dev",
        tags=("postgresql", "django", "drf", "celery", "pytest"),
        days_ago=40,
        feedback_note="Indexes and the partitioning scheme: does it hold up at 50M events?",
        stars=4,
        description=md("""
            ## What it does

            The recipe app sends events ("viewed", "cooked", "saved") to `/api/events/`.
            Events land in a table partitioned by month; a nightly Celery task refreshes
            materialised views with per-recipe and per-day rollups, which the dashboard API
            reads.

            ## Stack

            - PostgreSQL 16: declarative partitioning, BRIN index on `occurred_at`
            - Django + DRF for ingestion and the dashboard API
            - Celery for the nightly refresh, pytest with a real PostgreSQL

            ## How to run

            ```bash
            docker compose up -d db
            python manage.py migrate
            python manage.py generate_events --count 1000000
            python manage.py refresh_rollups
            ```

            ## Feedback wanted

            `EXPLAIN ANALYZE` output for the slow queries is in `docs/plans.md`.
        """),
        feedback=(
            DemoFeedback(
                "diego-f",
                "The `generate_events` command is so useful. Stealing it for my inventory service!",
                days_after=2,
            ),
        ),
        reviews=(
            DemoReview(
                reviewer="marta-k",
                verdict=Verdict.NEEDS_WORK,
                works=md("""
                    Partitioning by month plus BRIN on `occurred_at` is the right call for an
                    append-only table, and the plans document is excellent.
                """),
                improve=md("""
                    - `REFRESH MATERIALIZED VIEW` locks readers out: use `CONCURRENTLY` (it
                      needs a unique index on the view).
                    - Ingestion inserts one row per request; batch with `COPY` or
                      `bulk_create` from a buffer.
                """),
                notes_data_model="`event_type` as free text will drift: use a small enum.",
                notes_tests="Test that a refresh during reads does not block them.",
            ),
        ),
    ),
    DemoProject(
        author="kenji",
        title="Chatterbox: real-time chat with Django Channels",
        pitch="Rooms, typing indicators and message history over WebSockets, with Redis as "
        "the channel layer.",
        repository_url="https://github.com/kenji-watanabe/chatterbox",
        demo_url="https://chatterbox-kenji.fly.dev",
        tags=("channels", "websockets", "redis", "django", "pytest"),
        days_ago=27,
        feedback_note="Consumer structure and how I test the WebSocket consumers.",
        stars=5,
        description=md("""
            ## What it does

            Chat rooms in the browser: join a room, see who is online, get typing
            indicators and the last 50 messages when you connect. Messages are saved in
            PostgreSQL; presence lives in Redis with a TTL.

            ## Stack

            - Django 5, Channels 4, Daphne, `channels-redis`
            - PostgreSQL for history, Redis for the channel layer and presence
            - pytest-asyncio with `WebsocketCommunicator`

            ## How to run

            ```bash
            docker compose up redis db
            daphne chatterbox.asgi:application
            ```

            ## Feedback wanted

            My consumer is 300 lines. Where should the logic go?
        """),
        feedback=(
            DemoFeedback(
                "olu",
                "Typing indicators feel instant on the demo. Do you throttle them?",
                days_after=1,
                replies=(DemoReply("kenji", "Client side: at most one event every 2 seconds."),),
            ),
            DemoFeedback(
                "ada",
                "How do you stop someone from joining a private room by guessing its name?",
                days_after=4,
                replies=(
                    DemoReply(
                        "kenji",
                        "The consumer checks membership in `connect()` and closes with code "
                        "4403 if you are not in the room.",
                    ),
                ),
            ),
        ),
        open_review=DemoOpenReview(requested_days_ago=5, claimed_by="grace"),
    ),
    DemoProject(
        author="ada",
        title="Lendable: a library lending API with DRF",
        pitch="Borrow, return and reserve books through a DRF API, with cursor pagination and "
        "overdue reminders.",
        repository_url="https://github.com/ada-learns/lendable-api",
        docs_url="https://lendable-api.onrender.com/api/schema/swagger-ui/",
        tags=("django", "drf", "postgresql", "pytest"),
        days_ago=30,
        feedback_note="Pagination and filtering: cursor vs. page numbers for the loans list.",
        stars=3,
        description=md("""
            ## What it does

            Members borrow books, return them and reserve books that are out. Loans are due
            after 21 days; an overdue list is available to librarians.

            ## Stack

            Django 5, Django REST Framework, `django-filter`, PostgreSQL, pytest.

            ## How to run

            ```bash
            pip install -r requirements.txt
            python manage.py migrate && python manage.py loaddata demo_books
            python manage.py runserver
            ```

            ## Feedback wanted

            I use `CursorPagination` for `/loans/` and `PageNumberPagination` for `/books/`.
            Is mixing them confusing for API clients?
        """),
        feedback=(
            DemoFeedback(
                "priya-s",
                "Mixing is fine if each list documents its own! Your schema shows both.",
                days_after=2,
                replies=(DemoReply("ada", "Good to hear, thanks Priya."),),
            ),
        ),
        open_review=DemoOpenReview(requested_days_ago=11),
    ),
    DemoProject(
        author="ada",
        title="Cursor pagination playground",
        pitch="Benchmarks of offset vs. keyset pagination on a million rows, with DRF paginators.",
        repository_url="https://github.com/ada-learns/pagination-playground",
        tags=("django", "drf", "postgresql"),
        days_ago=8,
        draft=True,
        description=md("""
            ## What it does (work in progress)

            Compares `LimitOffsetPagination` and `CursorPagination` on a table of one
            million loans: query plans, timings per page, and what happens when rows are
            inserted while you page.

            ## TODO

            - [x] data generator
            - [ ] charts
            - [ ] write-up
        """),
    ),
    DemoProject(
        author="lena-m",
        title="Terraform + GitHub Actions: Django on AWS ECS",
        pitch="Infrastructure as code for a Django app on ECS Fargate with RDS, deployed by "
        "GitHub Actions through OIDC.",
        repository_url="https://github.com/lena-mueller/django-ecs-terraform",
        docs_url="https://github.com/lena-mueller/django-ecs-terraform/tree/main/docs",
        tags=("aws", "ci-cd", "github-actions", "docker", "postgresql"),
        days_ago=21,
        stars=5,
        description=md("""
            ## What it does

            One `terraform apply` creates a VPC, an RDS PostgreSQL instance, an ECS Fargate
            service behind an ALB, and the IAM role GitHub Actions assumes with OIDC (no
            long-lived AWS keys in secrets).

            ## Stack

            Terraform 1.8, AWS (ECS Fargate, RDS, ALB, ECR), GitHub Actions, Docker.

            ## How to run

            ```bash
            cd infra && terraform init && terraform apply -var-file=dev.tfvars
            ```

            Then push to `main`: the workflow builds, pushes to ECR and updates the service.
        """),
        feedback=(
            DemoFeedback(
                "tomas-r",
                "OIDC instead of access keys: yes! Consider a separate role per environment "
                "with a `sub` condition on the branch.",
                days_after=3,
                replies=(DemoReply("lena-m", "Added `repo:...:environment:prod` conditions."),),
            ),
        ),
    ),
    DemoProject(
        author="olu",
        title="Recipe Box: an HTMX front end for a DRF API",
        pitch="Server-rendered pages with HTMX on top of Priya's recipe API: search as you "
        "type, no JavaScript build.",
        repository_url="https://github.com/olu-adeyemi/recipe-box-htmx",
        demo_url="https://recipe-box.onrender.com",
        tags=("htmx", "django", "drf", "rest"),
        days_ago=15,
        feedback_note="Are my partial templates organised sensibly? Anything un-idiomatic?",
        stars=2,
        description=md("""
            ## What it does

            A small Django site that talks to a DRF recipe API: search as you type
            (`hx-trigger="keyup changed delay:300ms"`), infinite scroll, and an edit form
            that swaps itself in place.

            ## Stack

            Django templates, HTMX 2, `httpx` for calling the API, no Node at all.

            ## How to run

            ```bash
            RECIPE_API_URL=https://recipes-api.fly.dev python manage.py runserver
            ```

            ## Feedback wanted

            I have a `partials/` folder with 14 templates. Is there a better way?
        """),
        feedback=(
            DemoFeedback(
                "ada",
                "The search as you type is so smooth. Do you cancel in-flight requests?",
                days_after=1,
                replies=(DemoReply("olu", '`hx-sync="this:replace"` does it for me.'),),
            ),
            DemoFeedback(
                "grace",
                md("""
                    Partials per component are fine. Name them after what they render
                    (`recipe_card.html`), not after where they are used, and you'll find
                    them again in six months.
                """),
                days_after=3,
            ),
        ),
    ),
    DemoProject(
        author="diego-f",
        title="RouteWise: delivery route planning with PostGIS",
        pitch="Plan delivery routes over a road network stored in PostGIS, exposed as a DRF API.",
        repository_url="https://github.com/diego-fernandez/routewise",
        demo_url="https://routewise-demo.fly.dev",
        tags=("postgresql", "drf", "django", "docker"),
        days_ago=52,
        stars=2,
        hidden_by="tomas-r",
        hidden_reason="The README lists the demo's admin login and the live database password. "
        "Please rotate both and remove them from the README (and the git history); I will "
        "unhide the project then.",
        description=md("""
            ## What it does

            Upload a list of stops; RouteWise snaps them to the road network (OpenStreetMap
            data in PostGIS with pgRouting) and returns an ordered route with ETAs.

            ## Stack

            GeoDjango, PostGIS 3, pgRouting, DRF, Docker.

            ## How to run

            ```bash
            docker compose up
            python manage.py import_osm data/region.osm.pbf
            ```
        """),
        feedback=(
            DemoFeedback(
                "priya-s",
                "pgRouting is so cool. How long does the OSM import take for a city?",
                days_after=2,
                replies=(DemoReply("diego-f", "About 4 minutes for Porto."),),
            ),
        ),
    ),
    DemoProject(
        author="amir-h",
        title="Redis rate limiter middleware",
        pitch="A sliding-window rate limiter for Django views, backed by a Redis sorted set.",
        repository_url="https://github.com/amir-haddad/django-redis-ratelimit",
        tags=("redis", "django", "pytest"),
        days_ago=5,
        draft=True,
        description=md("""
            ## What it does (draft)

            `@ratelimit("10/m", key="user")` on a view: a Lua script does the sliding
            window in one round trip.

            Still missing: docs, benchmarks, and a fallback when Redis is down.
        """),
    ),
    DemoProject(
        author="kenji",
        title="pytest fixtures cookbook for DRF",
        pitch="Thirty small, tested recipes for testing Django REST Framework APIs with pytest.",
        repository_url="https://github.com/kenji-watanabe/drf-pytest-cookbook",
        docs_url="https://kenji-watanabe.github.io/drf-pytest-cookbook/docs/",
        tags=("pytest", "drf", "django", "ci-cd"),
        days_ago=66,
        feedback_note="Which recipes are missing? What confused you?",
        stars=8,
        description=md("""
            ## What it does

            A cookbook repository: each recipe is a short Markdown page and a test file that
            CI runs, so no recipe ever rots. Topics: API client fixtures, authentication,
            factories, freezing time, asserting query counts, testing Celery tasks eagerly,
            and parametrising permission matrices.

            ## Stack

            pytest, pytest-django, factory_boy, MkDocs for the site, GitHub Actions.

            ## How to run

            ```bash
            pip install -r requirements.txt
            pytest            # every recipe is a test
            mkdocs serve      # the site
            ```
        """),
        feedback=(
            DemoFeedback(
                "ada",
                "The permission matrix recipe saved me an afternoon. Thank you!",
                days_after=5,
                replies=(DemoReply("kenji", "That one is my favourite too."),),
            ),
            DemoFeedback(
                "lena-m",
                "Could you add a recipe for testing with a real PostgreSQL in GitHub Actions?",
                days_after=7,
                replies=(DemoReply("kenji", "Recipe 31 is up, it links to your CI template."),),
            ),
        ),
        reviews=(
            DemoReview(
                reviewer="grace",
                verdict=Verdict.LOOKS_GOOD,
                works="Every recipe is executable documentation. The structure is consistent "
                "and each page says *when* to use the recipe, not only how.",
                improve="Add a page on what **not** to mock; learners over-mock the ORM.",
                notes_tests="Consider `pytest --doctest-glob` for the Markdown code blocks.",
            ),
        ),
    ),
    DemoProject(
        author="priya-s",
        title="Hooky: signed webhooks with retries",
        pitch="Deliver webhooks signed with HMAC, retried with backoff, with a delivery log "
        "customers can replay.",
        repository_url="https://github.com/priya-sharma-dev/hooky",
        docs_url="https://hooky.onrender.com/api/schema/swagger-ui/",
        tags=("celery", "rabbitmq", "drf", "django", "postgresql"),
        days_ago=24,
        feedback_note="Signature scheme and replay protection.",
        stars=2,
        description=md("""
            ## What it does

            Customers register endpoints; Hooky signs each payload with
            `HMAC-SHA256(secret, timestamp + body)` and retries failed deliveries with
            exponential backoff for 24 hours. A delivery log shows every attempt.

            ## Stack

            DRF, Celery with RabbitMQ, PostgreSQL, pytest with `responses`.

            ## How to run

            ```bash
            docker compose up
            ```

            ## Feedback wanted

            Is a five-minute timestamp window enough to stop replays?
        """),
        reviews=(
            DemoReview(
                reviewer="tomas-r",
                verdict=Verdict.NEEDS_WORK,
                works="Backoff with jitter and a delivery log: the essentials are here.",
                improve=md("""
                    - Compare signatures with `hmac.compare_digest`, not `==`.
                    - Secrets are stored in plain text; encrypt them at rest or at least
                      allow rotation with two active secrets.
                """),
                notes_api_design="Return the delivery id in a header so customers can "
                "de-duplicate.",
            ),
        ),
    ),
    DemoProject(
        author="diego-f",
        title="Stockroom: an inventory service with async Django",
        pitch="Inventory and reservations with async views, PostgreSQL row locks and an "
        "outbox for events.",
        repository_url="https://github.com/diego-fernandez/stockroom",
        demo_url="https://stockroom-diego.fly.dev",
        docs_url="https://stockroom-diego.fly.dev/api/schema/swagger-ui/",
        tags=("django", "drf", "postgresql", "celery", "docker", "pytest"),
        days_ago=78,
        feedback_note="Second round: I rewrote the reservation flow after the first review.",
        stars=6,
        description=md("""
            ## What it does

            Stockroom tracks stock per warehouse and lets other services reserve items for
            15 minutes. Reservations that are not confirmed expire (a Celery beat task),
            and every change is written to an outbox table that a worker publishes.

            ## Stack

            Django 5 async views, DRF, PostgreSQL (`SELECT ... FOR UPDATE SKIP LOCKED`),
            Celery + RabbitMQ, Docker Compose, pytest with `pytest-asyncio`.

            ## How to run

            ```bash
            docker compose up --build
            docker compose exec web pytest
            ```

            ## Feedback wanted

            Is the outbox pattern overkill here?
        """),
        feedback=(
            DemoFeedback(
                "marta-k",
                "`SKIP LOCKED` for the outbox worker is exactly right. Add an index on "
                "`(published_at) WHERE published_at IS NULL` and it stays fast forever.",
                days_after=4,
                replies=(DemoReply("diego-f", "Partial index added, thanks Marta!"),),
            ),
            DemoFeedback(
                "amir-h",
                "How do you test the expiry task without waiting 15 minutes?",
                days_after=12,
                replies=(DemoReply("diego-f", "`time-machine` to jump the clock."),),
            ),
        ),
        reviews=(
            DemoReview(
                reviewer="grace",
                verdict=Verdict.NEEDS_WORK,
                works="A clear README and a sensible domain model.",
                improve=md("""
                    The reservation reads stock, checks it in Python, then writes: two
                    requests can both pass the check. Lock the row (`select_for_update`) or
                    use a conditional `UPDATE ... WHERE stock >= n`.
                """),
                notes_tests="Add a concurrency test with two threads.",
            ),
            DemoReview(
                reviewer="marta-k",
                verdict=Verdict.LOOKS_GOOD,
                works=md("""
                    The conditional update fixes the race, and the new concurrency test
                    proves it. The outbox is not overkill: it is what makes the events
                    trustworthy.
                """),
                improve="Document the expiry window and make it a setting.",
                notes_data_model="The `CheckConstraint(stock__gte=0)` is a great safety net.",
            ),
        ),
    ),
]
