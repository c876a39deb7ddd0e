"""The demo forum's content: people, questions, answers and comments, as data.

`discussions.demo.seed_forum` turns this into rows through the services. Handles in
`author` fields are either the demo accounts of accounts/demo.py (`ada`, `grace`,
`admin-nexus`) or the people in `PEOPLE` below. Bodies are Markdown, written the way
learners and mentors really write; `md()` strips the indentation of the source.
"""

from dataclasses import dataclass
from textwrap import dedent


def md(text: str) -> str:
    return dedent(text).strip() + "\n"


@dataclass(frozen=True)
class DemoComment:
    author: str
    body: str


@dataclass(frozen=True)
class DemoAnswer:
    author: str
    body: str
    accepted: bool = False
    comments: tuple[DemoComment, ...] = ()


@dataclass(frozen=True)
class DemoQuestion:
    author: str
    category: str
    title: str
    tags: tuple[str, ...]
    days_ago: float
    body: str
    answers: tuple[DemoAnswer, ...] = ()
    comments: tuple[DemoComment, ...] = ()


# The demo people (PEOPLE) live in accounts/demo.py; both demo seeders use them.

QUESTIONS = [
    # --- Python -----------------------------------------------------------------------
    DemoQuestion(
        author="kenji",
        category="python",
        title="Mutable default argument: my list keeps growing between calls",
        tags=("python", "functions"),
        days_ago=57.3,
        body=md("""
            I wrote a small helper that collects validation errors, and the errors from one call
            show up in the next one. Reduced example:

            ```python
            def collect_errors(value, errors=[]):
                if not value:
                    errors.append("empty value")
                return errors

            print(collect_errors(""))   # ['empty value']
            print(collect_errors("ok")) # ['empty value']  <- why??
            ```

            I expected the second call to return `[]` because I never passed `errors`. Is this a
            bug in Python 3.13 or am I misunderstanding something?
        """),
        answers=(
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    Not a bug, and everyone gets bitten by it once. Default values are evaluated
                    **once, when the `def` statement runs**, not on every call. So every call that
                    doesn't pass `errors` shares the same list object, and `append` mutates it.

                    The idiom is a `None` sentinel:

                    ```python
                    def collect_errors(value, errors=None):
                        if errors is None:
                            errors = []
                        if not value:
                            errors.append("empty value")
                        return errors
                    ```

                    The same applies to `{}` and `set()` defaults, and to Django too:
                    `models.JSONField(default={})` shares one dict, which is why Django asks for
                    a callable, `default=dict`.

                    Ruff catches this with rule `B006` (flake8-bugbear), worth enabling.
                """),
                comments=(
                    DemoComment(
                        "kenji",
                        "That explains the JSONField warning I ignored last week. "
                        "Enabled B006, it found two more. Thanks!",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="priya-s",
        category="python",
        title="How do I type-hint a function that returns a model instance or None?",
        tags=("python", "typing", "mypy"),
        days_ago=44.6,
        body=md("""
            I'm adding type hints to my recipe app and mypy (with django-stubs) complains:

            ```python
            def find_recipe(slug: str) -> Recipe:
                return Recipe.objects.filter(slug=slug).first()
            ```

            ```text
            error: Incompatible return value type (got "Recipe | None", expected "Recipe")
            ```

            I've seen `Optional[Recipe]` in older code. Is that still the way, and how do callers
            deal with the `None` without `# type: ignore` everywhere?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                accepted=True,
                body=md("""
                    mypy is right: `.first()` returns `None` when nothing matches. Since Python 3.10
                    the spelling is `Recipe | None` (same meaning as `Optional[Recipe]`):

                    ```python
                    def find_recipe(slug: str) -> Recipe | None:
                        return Recipe.objects.filter(slug=slug).first()
                    ```

                    Callers then *narrow* the type, and mypy understands the check:

                    ```python
                    recipe = find_recipe(slug)
                    if recipe is None:
                        raise Http404("No such recipe")
                    recipe.title  # mypy knows it's a Recipe here
                    ```

                    If "not found" is an error for every caller, make that the contract instead
                    and return `Recipe`: use `Recipe.objects.get(slug=slug)` (raises
                    `Recipe.DoesNotExist`) or `get_object_or_404` in a view. Choose one contract
                    per function; the `| None` version is best when absence is normal.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="olu",
        category="python",
        title="ModuleNotFoundError for my own package when running pytest",
        tags=("python", "pytest", "packaging"),
        days_ago=38.2,
        body=md("""
            My layout:

            ```text
            bracket/
              app/
                __init__.py
                scoring.py
              tests/
                test_scoring.py
            ```

            `tests/test_scoring.py` does `from app.scoring import points`. Running `pytest`
            from `bracket/` gives:

            ```text
            ImportError while importing test module 'tests/test_scoring.py'.
            E   ModuleNotFoundError: No module named 'app'
            ```

            but `python -c "import app.scoring"` works from the same folder. pytest 8.3,
            Python 3.13, inside a venv. What's different?
        """),
        answers=(
            DemoAnswer(
                author="diego-f",
                body=md("""
                    I had the same thing. Running `python -m pytest` instead of `pytest` fixed it
                    for me, because `python -m` puts the current directory on `sys.path`.
                """),
            ),
            DemoAnswer(
                author="tomas-r",
                accepted=True,
                body=md("""
                    @diego-f's explanation is the right one: `python -c` and `python -m` add the
                    current directory to `sys.path`, the `pytest` script doesn't. pytest only
                    inserts the *rootdir of the test file* (here `tests/`, since it has no
                    `__init__.py`), so `app` isn't importable.

                    Rather than remembering `python -m`, tell pytest in your config:

                    ```toml
                    # pyproject.toml
                    [tool.pytest.ini_options]
                    pythonpath = ["."]
                    testpaths = ["tests"]
                    ```

                    For a real library the cleaner fix is to make it installable and run
                    `pip install -e .` in the venv, so the tests import the package exactly like
                    its users do. For an application like yours, `pythonpath` is enough.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="amir-h",
        category="python",
        title="List comprehension or generator expression: when does memory actually matter?",
        tags=("python", "generators", "performance"),
        days_ago=1.4,
        body=md("""
            I'm summing points over all matches of a tournament:

            ```python
            total = sum([m.points for m in matches])
            total = sum(m.points for m in matches)
            ```

            A friend said the second is "always better" because it doesn't build a list. With
            about 2,000 matches I can't measure a difference. Is there a rule of thumb for when
            it matters, and are there cases where the list version is actually better (I read
            something about `str.join`)?
        """),
    ),
    # --- Django -----------------------------------------------------------------------
    DemoQuestion(
        author="diego-f",
        category="django",
        title="N+1 queries on my list page: select_related or prefetch_related?",
        tags=("django", "django-orm", "n+1", "performance"),
        days_ago=52.8,
        body=md("""
            My question list page makes 61 queries for 20 questions (django-debug-toolbar shows
            the same `SELECT ... FROM accounts_user WHERE id = ...` over and over).

            ```python
            # views.py
            def question_list(request):
                questions = Question.objects.order_by("-created_at")[:20]
                return render(request, "questions/list.html", {"questions": questions})
            ```

            ```django
            {% for q in questions %}
              {{ q.title }} by {{ q.author.display_name }}
              {% for tag in q.tags.all %}{{ tag.name }}{% endfor %}
            {% endfor %}
            ```

            I know the fix is one of `select_related` / `prefetch_related`, but which one for
            which field? Django 5.2.
        """),
        answers=(
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    Both, one per relation:

                    - `author` is a **ForeignKey** (one row per question): use `select_related`,
                      which adds a JOIN to the same query.
                    - `tags` is a **ManyToMany** (many rows per question): use
                      `prefetch_related`, which runs *one* extra query for all 20 questions and
                      joins them up in Python.

                    ```python
                    questions = (
                        Question.objects.select_related("author")
                        .prefetch_related("tags")
                        .order_by("-created_at")[:20]
                    )
                    ```

                    That's 2 queries instead of 61, whatever the page size.

                    Two follow-ups that trip people up:

                    1. A prefetch is thrown away if you filter the relation afterwards:
                       `q.tags.filter(...)` in the template hits the database again. Use
                       `Prefetch("tags", queryset=Tag.objects.order_by("name"))` to shape it.
                    2. Write a test that pins the count, so it can't regress silently:

                    ```python
                    def test_list_query_count(client, django_assert_num_queries, questions):
                        with django_assert_num_queries(3):  # session/user + list + tags
                            client.get("/questions/")
                    ```
                """),
                comments=(
                    DemoComment(
                        "diego-f",
                        "Down to 3 queries. The test with "
                        "django_assert_num_queries is a great idea, adding it now.",
                    ),
                    DemoComment(
                        "kenji",
                        "Bookmarking this. Is there a way to make Django raise "
                        "on lazy loads during development?",
                    ),
                    DemoComment(
                        "grace",
                        "@kenji not built in; the django-zeal package does "
                        "exactly that (raises on N+1 in tests and dev).",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="lena-m",
        category="django",
        title="Every row gets the same created_at timestamp: default=timezone.now()",
        tags=("django", "models", "migrations"),
        days_ago=31.5,
        body=md("""
            All my `Ticket` rows created today have the exact same `created_at`, which is the
            time I last restarted the dev server:

            ```python
            class Ticket(models.Model):
                title = models.CharField(max_length=200)
                created_at = models.DateTimeField(default=timezone.now())
            ```

            `makemigrations` also printed a warning I didn't understand:

            ```text
            tickets.Ticket.created_at: (fields.W161) Fixed default value provided.
                HINT: It seems you set a fixed date / time / datetime value as default for
                this field. This may not be what you want.
            ```

            What's going on?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                accepted=True,
                body=md("""
                    The parentheses. `timezone.now()` is *called* once, when Python imports
                    `models.py`, and that single datetime becomes the default for every row
                    until the process restarts. Pass the function itself and Django calls it for
                    each new row:

                    ```python
                    created_at = models.DateTimeField(default=timezone.now)
                    ```

                    Then run `makemigrations` again: the migration will reference
                    `django.utils.timezone.now` instead of a frozen literal.

                    (`auto_now_add=True` also works, but it makes the field non-editable
                    everywhere, including tests and data migrations, so I prefer
                    `default=timezone.now`.)
                """),
                comments=(DemoComment("lena-m", "Two characters. Two hours. Thank you!"),),
            ),
        ),
    ),
    DemoQuestion(
        author="kenji",
        category="django",
        title="CSRF verification failed behind my reverse proxy (Origin checking failed)",
        tags=("django", "csrf", "nginx", "deployment"),
        days_ago=27.9,
        body=md("""
            Locally every form works. On the staging server (nginx terminating TLS in front of
            gunicorn) every POST fails with 403:

            ```text
            Forbidden (403)
            CSRF verification failed. Request aborted.
            Reason given for failure:
                Origin checking failed - https://staging.bracket.dev does not match any
                trusted origins.
            ```

            The cookie is set and the form has `{% csrf_token %}`. My nginx block:

            ```nginx
            location / {
                proxy_pass http://127.0.0.1:8000;
                proxy_set_header Host $host;
            }
            ```

            Django 5.2, `DEBUG=False`, `ALLOWED_HOSTS=["staging.bracket.dev"]`.
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                accepted=True,
                body=md("""
                    Since Django 4.0 the CSRF check compares the browser's `Origin` header
                    (`https://staging.bracket.dev`) with the origin Django thinks it is serving.
                    Behind your proxy, gunicorn receives plain HTTP, so Django believes the
                    origin is `http://staging.bracket.dev`, and the scheme doesn't match.

                    Tell nginx to forward the original scheme, and Django to trust that header
                    (only safe because nginx always sets it):

                    ```nginx
                    proxy_set_header X-Forwarded-Proto $scheme;
                    ```

                    ```python
                    # settings.py
                    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
                    ```

                    Now `request.is_secure()` is true and the origins match. Only if the form is
                    posted from a *different* origin do you need
                    `CSRF_TRUSTED_ORIGINS = ["https://staging.bracket.dev"]` (note: with the
                    scheme, that's required since 4.0).

                    While you're there, `CSRF_COOKIE_SECURE = True` and
                    `SESSION_COOKIE_SECURE = True` belong in production settings too.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="priya-s",
        category="django",
        title="Adding a non-null field to a table with existing rows: how do I backfill it?",
        tags=("django", "migrations", "postgresql"),
        days_ago=19.4,
        body=md("""
            I want to add `slug = models.SlugField(unique=True)` to `Recipe`, which already has
            about 40,000 rows in staging. `makemigrations` asks for a one-off default, but a
            single default can't be unique:

            ```text
            It is impossible to add a non-nullable field 'slug' to recipe without specifying a
            default. This is because the database needs something to populate existing rows.
            ```

            What's the proper way to compute the slug from the title for existing rows?
        """),
        answers=(
            DemoAnswer(
                author="grace",
                body=md("""
                    Do it in three migrations, so each step is simple and safe:

                    1. **Add the field as nullable**, not unique yet:
                       `slug = models.SlugField(null=True, blank=True)` then `makemigrations`.
                    2. **Backfill with a data migration** (`makemigrations recipes --empty`):

                    ```python
                    from django.db import migrations
                    from django.utils.text import slugify


                    def fill_slugs(apps, schema_editor):
                        Recipe = apps.get_model("recipes", "Recipe")
                        seen = set()
                        batch = []
                        for recipe in Recipe.objects.only("pk", "title").iterator(chunk_size=2000):
                            base = slugify(recipe.title)[:45] or "recipe"
                            slug, n = base, 2
                            while slug in seen:
                                slug, n = f"{base}-{n}", n + 1
                            seen.add(slug)
                            recipe.slug = slug
                            batch.append(recipe)
                        Recipe.objects.bulk_update(batch, ["slug"], batch_size=2000)


                    class Migration(migrations.Migration):
                        dependencies = [("recipes", "0007_recipe_slug")]
                        operations = [migrations.RunPython(fill_slugs, migrations.RunPython.noop)]
                    ```

                    3. **Make it required and unique**: change the field back to
                       `models.SlugField(unique=True)` and `makemigrations`.

                    Always use `apps.get_model` in data migrations, never import the model: the
                    historical model matches the schema at that point in history. And make sure
                    new code that creates recipes sets a slug *before* step 3 is deployed.
                """),
                comments=(
                    DemoComment(
                        "priya-s",
                        "Does step 3 lock the table for long on PostgreSQL? "
                        "Staging is small but production will have ~2M rows.",
                    ),
                    DemoComment(
                        "marta-k",
                        "@priya-s SET NOT NULL scans the table under an "
                        "ACCESS EXCLUSIVE lock, and the unique index build blocks "
                        "writes. For 2M rows: build the index with AddIndexConcurrently "
                        "first, then attach it. Happy to pair on it.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="amir-h",
        category="django",
        title="I already ran migrate. Is it too late to switch to a custom user model?",
        tags=("django", "auth", "migrations"),
        days_ago=12.2,
        body=md("""
            The Django docs say to set up a custom user model *before* the first `migrate`.
            I didn't, and now I want an `email`-based login and a `handle` field.

            The project is two weeks old, only on my laptop and a free Postgres instance with
            test data. Setting `AUTH_USER_MODEL = "accounts.User"` now gives:

            ```text
            django.db.migrations.exceptions.InconsistentMigrationHistory: Migration
            admin.0001_initial is applied before its dependency accounts.0001_initial on
            database 'default'.
            ```

            Is there a clean way out?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                accepted=True,
                body=md("""
                    With no real users yet, the cleanest way out is to **start the database
                    over**; migrating a live project to a custom user model is possible but it
                    is a day of careful, manual work.

                    1. Create `accounts/models.py` with
                       `class User(AbstractUser): ...` (or `AbstractBaseUser` +
                       `PermissionsMixin` if you want email as the username).
                    2. Set `AUTH_USER_MODEL = "accounts.User"` and make sure every
                       ForeignKey to users uses `settings.AUTH_USER_MODEL`.
                    3. Delete your apps' migration files (keep the `__init__.py`), drop and
                       recreate the database, then `makemigrations` and `migrate`.

                    ```bash
                    dropdb bracket && createdb bracket
                    python manage.py makemigrations
                    python manage.py migrate
                    ```

                    Keep test data in a fixture or a seed command, so a reset costs a minute,
                    not an afternoon.
                """),
                comments=(
                    DemoComment(
                        "amir-h",
                        "Done, took ten minutes. I wrote a seed_demo command "
                        "like this hub has, so resets are painless now.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="olu",
        category="django",
        title="Signals or overriding save(): where should 'send a welcome email' go?",
        tags=("django", "signals", "architecture"),
        days_ago=23.7,
        body=md("""
            When a user signs up I need to send a welcome email and create a `Profile`. I've
            seen three approaches in tutorials: a `post_save` signal, overriding `User.save()`,
            and "just call it in the view". Each tutorial says the others are wrong.

            ```python
            @receiver(post_save, sender=User)
            def on_user_created(sender, instance, created, **kwargs):
                if created:
                    Profile.objects.create(user=instance)
                    send_welcome_email(instance)
            ```

            This works, but it also sends an email whenever my tests create a user. Which
            approach do mentors here recommend, and why?
        """),
        answers=(
            DemoAnswer(
                author="diego-f",
                body=md("""
                    Not a mentor, but our team lead made us move everything out of signals: they
                    made it really hard to see what happens when you call `.save()`. We use
                    a `services.py` per app now.
                """),
            ),
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    I'd put it in a **service function**, called by the sign-up view (and by
                    anything else that creates users, like the admin or a management command):

                    ```python
                    # accounts/services.py
                    @transaction.atomic
                    def user_sign_up(*, email: str, password: str) -> User:
                        user = User.objects.create_user(email=email, password=password)
                        Profile.objects.create(user=user)
                        transaction.on_commit(lambda: send_welcome_email.delay(user.pk))
                        return user
                    ```

                    Why not the others:

                    - `save()` runs on *every* save, and side effects like email don't belong in
                      the model layer; a `bulk_create` skips it entirely anyway.
                    - Signals are invisible at the call site, fire in tests and fixtures (your
                      exact problem), and run *inside* the transaction, so the email can go out
                      for a user whose creation then rolls back.

                    Signals are still the right tool when *another app* needs to react to yours
                    without you importing it (that's what they were designed for). This is also
                    the pattern Nexus itself uses: every write goes through `services.py`.
                """),
                comments=(
                    DemoComment(
                        "olu",
                        "The on_commit detail is the part I was missing. Thanks "
                        "@grace, and @diego-f too.",
                    ),
                ),
            ),
        ),
    ),
    # --- REST APIs ----------------------------------------------------------------------
    DemoQuestion(
        author="ada",
        category="rest-apis",
        title="PageNumberPagination gets slow on page 2000: is CursorPagination the fix?",
        tags=("drf", "pagination", "postgresql"),
        days_ago=41.3,
        body=md("""
            My `/api/events/` endpoint lists a table with ~3 million rows. Page 1 is fast, but
            deep pages take seconds, and even page 1 spends most of its time in one query:

            ```python
            class EventViewSet(viewsets.ReadOnlyModelViewSet):
                queryset = Event.objects.order_by("-created_at")
                serializer_class = EventSerializer
                pagination_class = PageNumberPagination
            ```

            ```sql
            SELECT COUNT(*) AS "__count" FROM "events_event";  -- 900 ms
            SELECT ... ORDER BY "created_at" DESC LIMIT 50 OFFSET 99950;  -- 1.4 s
            ```

            I read that `CursorPagination` avoids this. What do I lose by switching, and does
            it need anything special on the model?
        """),
        answers=(
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    Yes, for a big, append-mostly table like events, `CursorPagination` is the
                    right tool. Your two slow queries are exactly the two things it removes:

                    - **No `COUNT(*)`**: the response has `next`/`previous` links, no `count`.
                    - **No `OFFSET`**: an offset makes PostgreSQL read and discard every
                      skipped row. A cursor becomes `WHERE created_at < <last seen>`, which an
                      index answers directly, as fast on page 2000 as on page 1.

                    ```python
                    class EventCursorPagination(CursorPagination):
                        page_size = 50
                        ordering = ("-created_at", "-id")  # unique, unchanging


                    class EventViewSet(viewsets.ReadOnlyModelViewSet):
                        queryset = Event.objects.all()
                        serializer_class = EventSerializer
                        pagination_class = EventCursorPagination
                    ```

                    What it needs:

                    1. An ordering on fields that **never change** after creation, ending in a
                       unique one (the `-id` tie-break: two events can share a timestamp).
                    2. An index matching it:
                       `models.Index(fields=["-created_at", "-id"], name="event_newest")`.

                    What you lose: jumping to "page 37" and showing "3,012,554 results". For an
                    infinite-scroll or "load more" client that's no loss at all; for an admin
                    table that needs page numbers, keep `PageNumberPagination` but add filters
                    so nobody pages through millions of rows.
                """),
                comments=(
                    DemoComment(
                        "ada",
                        "Switched, and the slowest page went from 2.3 s to 14 ms. "
                        "The `-id` tie-break was the part I'd have missed.",
                    ),
                ),
            ),
            DemoAnswer(
                author="kenji",
                body=md("""
                    If you must keep page numbers, you can at least avoid the exact count on
                    PostgreSQL by reading the planner's estimate
                    (`SELECT reltuples FROM pg_class WHERE relname = 'events_event'`) and
                    overriding `get_paginated_response`. It's approximate, but fine for a
                    "about 3M results" label.
                """),
                comments=(
                    DemoComment(
                        "marta-k",
                        "Good trick. Note reltuples is only refreshed by "
                        "VACUUM/ANALYZE, and is -1 on a never-analysed table.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="diego-f",
        category="rest-apis",
        title="DRF serializers: where do cross-field checks go, validate() or validate_<field>?",
        tags=("drf", "serializers", "validation"),
        days_ago=35.1,
        body=md("""
            I have a booking serializer where `end` must be after `start`. I put the check in
            `validate_end`, but `self.initial_data["start"]` is a string there, and I have to
            parse it myself:

            ```python
            class BookingSerializer(serializers.ModelSerializer):
                class Meta:
                    model = Booking
                    fields = ["room", "start", "end"]

                def validate_end(self, value):
                    start = parse_datetime(self.initial_data["start"])
                    if value <= start:
                        raise serializers.ValidationError("End must be after start.")
                    return value
            ```

            This feels wrong. What's the idiomatic way?
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                accepted=True,
                body=md("""
                    Rule of thumb: `validate_<field>` sees **one already-parsed value**;
                    `validate(self, attrs)` runs after all fields are parsed and sees **all of
                    them**, so cross-field checks belong there:

                    ```python
                    def validate(self, attrs):
                        start = attrs.get("start", getattr(self.instance, "start", None))
                        end = attrs.get("end", getattr(self.instance, "end", None))
                        if start and end and end <= start:
                            raise serializers.ValidationError({"end": "End must be after start."})
                        return attrs
                    ```

                    Two details in there:

                    - Raising with a dict attaches the error to the `end` field, so the client
                      gets `{"end": ["End must be after start."]}` instead of
                      `non_field_errors`.
                    - Falling back to `self.instance` keeps `PATCH` working when only one of the
                      two fields is sent.

                    If the rule must hold no matter how rows are written, also add a constraint
                    on the model; the serializer gives the nice message, the database the
                    guarantee:

                    ```python
                    class Meta:
                        constraints = [
                            models.CheckConstraint(
                                condition=Q(end__gt=F("start")), name="booking_end_after_start"
                            )
                        ]
                    ```
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="lena-m",
        category="rest-apis",
        title="Writable nested serializer: create a recipe with its ingredients in one POST",
        tags=("drf", "serializers", "nested"),
        days_ago=16.8,
        body=md("""
            I want to POST a recipe with its ingredients:

            ```json
            {"title": "Shakshuka", "ingredients": [{"name": "eggs", "quantity": "4"}]}
            ```

            With a nested serializer I get:

            ```text
            AssertionError: The `.create()` method does not support writable nested fields by
            default. Write an explicit `.create()` method for serializer
            `recipes.serializers.RecipeSerializer`, or set `read_only=True` on nested
            serializer fields.
            ```

            Do I really have to write `create()` myself, or is there a setting I'm missing?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                body=md("""
                    You do have to write it. DRF refuses to guess (create? update? delete the
                    missing ones?), which is a good thing. For create it's short:

                    ```python
                    class IngredientSerializer(serializers.ModelSerializer):
                        class Meta:
                            model = Ingredient
                            fields = ["name", "quantity"]


                    class RecipeSerializer(serializers.ModelSerializer):
                        ingredients = IngredientSerializer(many=True)

                        class Meta:
                            model = Recipe
                            fields = ["id", "title", "ingredients"]

                        @transaction.atomic
                        def create(self, validated_data):
                            ingredients = validated_data.pop("ingredients")
                            recipe = Recipe.objects.create(**validated_data)
                            Ingredient.objects.bulk_create(
                                Ingredient(recipe=recipe, **item) for item in ingredients
                            )
                            return recipe
                    ```

                    `update()` is where the real decisions are. The simplest honest version for
                    a small list is "replace all": delete the recipe's ingredients and recreate
                    them, inside the same transaction.
                """),
                comments=(
                    DemoComment(
                        "lena-m",
                        "Works. Why the transaction.atomic, though? "
                        "ATOMIC_REQUESTS is off in my project.",
                    ),
                    DemoComment(
                        "marta-k",
                        "@lena-m exactly because it's off: without it a "
                        "failing bulk_create would leave a recipe with no ingredients.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="kenji",
        category="rest-apis",
        title="Token authentication or JWT for the mobile client of my DRF API?",
        tags=("drf", "authentication", "jwt"),
        days_ago=9.6,
        body=md("""
            My API will have one client: our own mobile app. Tutorials push
            `djangorestframework-simplejwt` everywhere, but DRF ships `TokenAuthentication`.

            What I care about: users stay logged in for weeks, and if a phone is lost we can
            log that device out. What are the real trade-offs?
        """),
        answers=(
            DemoAnswer(
                author="amir-h",
                body=md("""
                    JWTs are stateless, so the server doesn't hit the database to check them.
                    That's why people like them for scaling. The downside is you can't revoke a
                    token before it expires unless you add a blacklist.
                """),
            ),
            DemoAnswer(
                author="grace",
                body=md("""
                    For a first-party app with "log out this device", I'd start with **opaque
                    tokens stored in the database**, not JWT:

                    - Revocation is a `DELETE`. With JWTs you need short-lived access tokens,
                      refresh tokens *and* a blacklist table, which is a database lookup again,
                      so the "stateless" benefit mostly evaporates.
                    - The lookup is a primary-key query, cheap at any size you'll reach.

                    DRF's built-in `TokenAuthentication` gives one token per user, so "log out
                    one device" isn't possible. `django-rest-knox` gives one token per login,
                    stores only a hash, and supports expiry; that matches your requirements.

                    JWTs shine when *other services* must verify identity without calling you.
                    If that day comes, you can add them then.
                """),
            ),
        ),
        comments=(
            DemoComment(
                "tomas-r",
                "Whatever you choose: store it in the platform keychain "
                "(Keychain / Keystore), never in plain app storage.",
            ),
        ),
    ),
    DemoQuestion(
        author="olu",
        category="rest-apis",
        title="'Authentication credentials were not provided' only in production",
        tags=("drf", "authentication", "apache", "deployment"),
        days_ago=47.2,
        body=md("""
            Locally with `runserver`, this works:

            ```bash
            curl -H "Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b" \\
                https://api.example.test/api/me/
            ```

            On the production server (Apache + mod_wsgi on a VPS) the same request returns:

            ```json
            {"detail": "Authentication credentials were not provided."}
            ```

            Same token, same database. Session login in the browsable API works fine.
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                accepted=True,
                body=md("""
                    Classic mod_wsgi: by default it **does not pass the `Authorization` header**
                    to the application (so that Apache's own auth stays in charge). DRF never
                    sees your token, hence "not provided" rather than "invalid token".

                    Add this to the virtual host and reload Apache:

                    ```apache
                    WSGIPassAuthorization On
                    ```

                    You can confirm from the Django side by logging
                    `request.META.get("HTTP_AUTHORIZATION")` in a view: `None` in production,
                    the token locally. If you ever move to nginx + gunicorn, the header is
                    passed through by default.
                """),
                comments=(
                    DemoComment("olu", "That was it. One line after two evenings of debugging."),
                ),
            ),
        ),
    ),
    # --- GraphQL ------------------------------------------------------------------------
    DemoQuestion(
        author="priya-s",
        category="graphql",
        title="Strawberry: every recipe resolves its author with a separate query",
        tags=("graphql", "strawberry", "n+1", "dataloader"),
        days_ago=29.4,
        body=md("""
            This query makes 1 + 50 SQL queries:

            ```graphql
            query {
              recipes(first: 50) {
                title
                author { displayName }
              }
            }
            ```

            ```python
            @strawberry.type
            class RecipeType:
                title: str
                author_id: strawberry.Private[int]

                @strawberry.field
                def author(self) -> UserType:
                    return User.objects.get(pk=self.author_id)
            ```

            In DRF I'd use `select_related`, but here each field is resolved on its own. I've
            read "use a DataLoader", but how does that fit with Django?
        """),
        answers=(
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    A DataLoader collects every `load(key)` made while resolving one level of
                    the query, then calls your batch function **once** with all the keys.
                    50 authors become one `WHERE id IN (...)` query.

                    ```python
                    from strawberry.dataloader import DataLoader


                    async def load_users(keys: list[int]) -> list[User]:
                        users = {u.pk: u async for u in User.objects.filter(pk__in=keys)}
                        return [users[key] for key in keys]  # same order as keys!


                    @strawberry.type
                    class RecipeType:
                        title: str
                        author_id: strawberry.Private[int]

                        @strawberry.field
                        async def author(self, info: strawberry.Info) -> UserType:
                            return await info.context["user_loader"].load(self.author_id)
                    ```

                    Create the loader **per request** (it caches, and you don't want one user's
                    cache served to another), in the view's context:

                    ```python
                    class NexusGraphQLView(AsyncGraphQLView):
                        async def get_context(self, request, response):
                            return {
                                "request": request,
                                "user_loader": DataLoader(load_fn=load_users),
                            }
                    ```

                    For plain model-to-model relations, `strawberry-django`'s
                    `DjangoOptimizerExtension` can add the `select_related`/`prefetch_related`
                    for you from the query's shape. I use loaders for the cases it can't see,
                    like computed fields or data from another service.
                """),
                comments=(
                    DemoComment(
                        "priya-s",
                        "The 'same order as keys' comment saved me: my first "
                        "version returned users in id order and authors got swapped.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="amir-h",
        category="graphql",
        title="How do I return field-level validation errors from a GraphQL mutation?",
        tags=("graphql", "strawberry", "validation"),
        days_ago=18.1,
        body=md("""
            My `createTournament` mutation raises an exception when the name is taken, and the
            client gets this:

            ```json
            {
              "data": null,
              "errors": [{"message": "Tournament name already taken", "path": ["createTournament"]}]
            }
            ```

            The frontend dev wants errors per field, like our DRF endpoints return. How do
            people model that in GraphQL?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                body=md("""
                    The common convention is to treat expected errors as **data**, not as
                    exceptions. The top-level `errors` array is for things the client can't
                    fix (bugs, auth, malformed queries). Return a payload type instead:

                    ```python
                    @strawberry.type
                    class FieldError:
                        field: str
                        messages: list[str]


                    @strawberry.type
                    class CreateTournamentPayload:
                        tournament: TournamentType | None = None
                        errors: list[FieldError] = strawberry.field(default_factory=list)


                    @strawberry.mutation
                    def create_tournament(self, name: str) -> CreateTournamentPayload:
                        try:
                            tournament = services.tournament_create(name=name)
                        except ValidationError as exc:
                            return CreateTournamentPayload(
                                errors=[FieldError(field=f, messages=m)
                                        for f, m in exc.message_dict.items()]
                            )
                        return CreateTournamentPayload(tournament=tournament)
                    ```

                    The client always asks for `errors { field messages }` and renders them like
                    form errors. Reusing your Django `ValidationError` from a service keeps the
                    rules in one place for DRF and GraphQL.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="lena-m",
        category="graphql",
        title="Should our GraphQL endpoint replace the DRF API or live next to it?",
        tags=("graphql", "drf", "architecture"),
        days_ago=6.3,
        body=md("""
            Our team project has a DRF API used by a React app and two partner integrations
            (webhooks + a few endpoints). The frontend team asked for GraphQL because the
            dashboard needs 6 requests to render.

            Is it normal to run both in one Django project? What do teams do about auth and
            permissions so the two don't drift apart?
        """),
        answers=(
            DemoAnswer(
                author="kenji",
                body=md("""
                    We do exactly this in our capstone: `/api/` for DRF and `/graphql/` for
                    Strawberry, both in the same project. Partners keep the stable REST
                    endpoints, the dashboard uses GraphQL.

                    The trick that kept them from drifting was putting permission checks and
                    writes in plain functions (`permissions.py`, `services.py`) that both the
                    DRF views and the resolvers call. Auth is the same session/token for both,
                    since they're just two URL patterns.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="diego-f",
        category="graphql",
        title="How do I stop deeply nested GraphQL queries from hammering the database?",
        tags=("graphql", "strawberry", "security"),
        days_ago=0.8,
        body=md("""
            Someone on the team showed that this query takes our staging server down, because
            users have tournaments, tournaments have players, players have users...

            ```graphql
            query {
              users { tournaments { players { user {
                tournaments { players { user { handle } } }
              } } } }
            }
            ```

            I found `QueryDepthLimiter` in the Strawberry docs. Is a depth limit enough, or do
            I also need query cost analysis? What limits do you use in production?
        """),
    ),
    # --- Docker ---------------------------------------------------------------------------
    DemoQuestion(
        author="ada",
        category="docker",
        title="Django container can't reach Postgres: connection refused on localhost:5432",
        tags=("docker", "docker-compose", "postgresql"),
        days_ago=33.6,
        body=md("""
            I moved my project into Docker Compose and the web container can't connect:

            ```text
            django.db.utils.OperationalError: connection to server at "localhost" (127.0.0.1),
            port 5432 failed: Connection refused
                Is the server running on that host and accepting TCP/IP connections?
            ```

            ```yaml
            services:
              db:
                image: postgres:17
                environment:
                  POSTGRES_PASSWORD: devpass
                ports: ["5432:5432"]
              web:
                build: .
                environment:
                  DATABASE_URL: postgres://postgres:devpass@localhost:5432/postgres
                ports: ["8000:8000"]
            ```

            `docker compose ps` shows db as running, and I can connect from my laptop with
            `psql -h localhost`. So why not from the container?
        """),
        answers=(
            DemoAnswer(
                author="olu",
                body=md("""
                    Had the same! Inside the container `localhost` is the container itself. Use
                    `db` (the service name) as the host.
                """),
            ),
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    @olu has the fix; here's the why, because it explains a lot of Compose
                    behaviour. Each container has its **own network namespace**: its own
                    `localhost`. Postgres listens in the `db` container; `localhost` inside
                    `web` is `web` itself, where nothing listens on 5432.

                    Compose puts all services of a project on a shared network with DNS, where
                    each **service name is a hostname**:

                    ```yaml
                    web:
                      environment:
                        DATABASE_URL: postgres://postgres:devpass@db:5432/postgres
                    ```

                    And `ports: ["5432:5432"]` on `db` is only for *your laptop* to reach
                    Postgres; containers talk over the internal network and don't need it.
                    You can drop it unless you use a desktop client.

                    Next thing you'll hit: `web` starting before Postgres accepts connections.
                    The fix for that is `depends_on` with `condition: service_healthy` and a
                    healthcheck on `db`.
                """),
                comments=(
                    DemoComment(
                        "ada",
                        "Makes sense now, thank you! And yes, I hit the "
                        "startup race ten minutes later.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="olu",
        category="docker",
        title="depends_on doesn't wait for Postgres to be ready, migrate fails on startup",
        tags=("docker", "docker-compose", "healthcheck"),
        days_ago=32.9,
        body=md("""
            My web service runs `python manage.py migrate && gunicorn ...` on start. About half
            the time, the first `docker compose up` fails with:

            ```text
            django.db.utils.OperationalError: connection to server at "db" (172.18.0.2),
            port 5432 failed: Connection refused
            ```

            I have `depends_on: [db]`. A second `up` always works. Do I really need a
            `wait-for-it.sh` script?
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                accepted=True,
                body=md("""
                    No script needed. Plain `depends_on` only waits for the db container to be
                    **started**, not for Postgres inside it to accept connections (it needs a
                    few seconds to initialise, longer on the first run). Give `db` a
                    healthcheck and make `web` wait for **healthy**:

                    ```yaml
                    services:
                      db:
                        image: postgres:17
                        environment:
                          POSTGRES_PASSWORD: devpass
                        healthcheck:
                          test: ["CMD-SHELL", "pg_isready -U postgres -d postgres"]
                          interval: 2s
                          timeout: 3s
                          retries: 15
                      web:
                        build: .
                        depends_on:
                          db:
                            condition: service_healthy
                    ```

                    `pg_isready` ships in the postgres image. Same idea for Redis
                    (`redis-cli ping`) and RabbitMQ (`rabbitmq-diagnostics -q ping`).

                    One caution for production: your app should still survive the database
                    going away *after* startup (it will, during a failover), so don't treat the
                    healthcheck as a substitute for connection retries.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="kenji",
        category="docker",
        title="My Django image is 1.2 GB: how do I slim it down?",
        tags=("docker", "dockerfile", "multi-stage"),
        days_ago=21.3,
        body=md("""
            ```dockerfile
            FROM python:3.13
            WORKDIR /app
            COPY . .
            RUN pip install -r requirements.txt
            CMD ["gunicorn", "bracket.wsgi", "-b", "0.0.0.0:8000"]
            ```

            `docker images` says 1.21 GB, and every code change reinstalls all dependencies,
            which takes two minutes in CI. What are the usual steps to make this smaller and
            faster to build?
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                body=md("""
                    Four changes, biggest win first:

                    1. **`python:3.13-slim`** instead of the full image (which includes
                       compilers and dev headers): roughly 1 GB down to ~150 MB base.
                    2. **Copy requirements before the code** so the dependency layer is cached
                       until requirements change.
                    3. **`--no-cache-dir`** so pip's download cache isn't baked into the layer.
                    4. **A `.dockerignore`** with `.git`, `.venv`, `__pycache__`, `node_modules`,
                       `*.sqlite3`, so `COPY . .` doesn't ship them (and doesn't bust the cache).

                    ```dockerfile
                    FROM python:3.13-slim
                    ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
                    WORKDIR /app
                    COPY requirements.txt .
                    RUN pip install --no-cache-dir -r requirements.txt
                    COPY . .
                    RUN useradd --create-home app
                    USER app
                    CMD ["gunicorn", "bracket.wsgi", "-b", "0.0.0.0:8000"]
                    ```

                    If a dependency needs a compiler (e.g. building `psycopg` from source), use
                    a multi-stage build: install build tools and build wheels in a `builder`
                    stage, then `COPY --from=builder` only the wheels into the slim stage.
                """),
                comments=(
                    DemoComment(
                        "kenji",
                        "218 MB and 9-second rebuilds on code changes. The "
                        ".dockerignore alone saved 300 MB (a forgotten .venv).",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="amir-h",
        category="docker",
        title="Files created in a bind mount are owned by root on my host",
        tags=("docker", "volumes", "linux"),
        days_ago=14.5,
        body=md("""
            I mount my project into the container for development (`.:/app`). Every file the
            container creates, like migrations from `makemigrations`, is owned by root on my
            Ubuntu laptop, and I need `sudo` to edit or delete them:

            ```text
            -rw-r--r-- 1 root root 1.2K  0002_match_round.py
            ```

            Is there a clean way to avoid this?
        """),
        answers=(
            DemoAnswer(
                author="diego-f",
                body=md("""
                    The container runs as root (uid 0) by default, and a bind mount keeps
                    numeric owners as they are. Run the container as your own uid/gid in dev:

                    ```yaml
                    services:
                      web:
                        user: "${UID:-1000}:${GID:-1000}"
                        volumes:
                          - .:/app
                    ```

                    ```bash
                    export UID GID=$(id -g)
                    docker compose up
                    ```

                    (`UID` is a bash variable but not exported by default, hence the export.)
                    To fix the files you already have: `sudo chown -R $(id -u):$(id -g) .`
                """),
                comments=(
                    DemoComment(
                        "amir-h",
                        "Works. pip then complained about a non-writable "
                        "home dir, fixed with HOME=/tmp in the environment.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="priya-s",
        category="docker",
        title="collectstatic fails during docker build because SECRET_KEY isn't set",
        tags=("docker", "dockerfile", "static-files"),
        days_ago=2.7,
        body=md("""
            My settings read the secret key from the environment and fail loudly if it's
            missing, which I like:

            ```python
            SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
            ```

            But now this Dockerfile step fails, because secrets are only provided at runtime:

            ```dockerfile
            RUN python manage.py collectstatic --noinput
            ```

            ```text
            KeyError: 'DJANGO_SECRET_KEY'
            ```

            I don't want to bake a real secret into the image. Do people run collectstatic at
            container start instead? That seems slow with several replicas.
        """),
    ),
    # --- CI/CD --------------------------------------------------------------------------
    DemoQuestion(
        author="lena-m",
        category="ci-cd",
        title="GitHub Actions: how do I run my tests against a real PostgreSQL?",
        tags=("github-actions", "postgresql", "pytest"),
        days_ago=49.7,
        body=md("""
            Our tests use SQLite locally, but we had a bug that only happened on PostgreSQL
            (a `DISTINCT ON` query). I want CI to run on Postgres like production. This is
            my workflow so far:

            ```yaml
            jobs:
              test:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - uses: actions/setup-python@v5
                    with:
                      python-version: "3.13"
                  - run: pip install -r requirements.txt
                  - run: pytest
            ```

            How do I get a database in there, and how does Django find it?
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                accepted=True,
                body=md("""
                    Use a **service container**. GitHub starts it next to the job and, with a
                    health check, waits for it before the steps run:

                    ```yaml
                    jobs:
                      test:
                        runs-on: ubuntu-latest
                        services:
                          postgres:
                            image: postgres:17
                            env:
                              POSTGRES_PASSWORD: postgres
                            ports: ["5432:5432"]
                            options: >-
                              --health-cmd pg_isready
                              --health-interval 5s
                              --health-timeout 5s
                              --health-retries 10
                        env:
                          DATABASE_URL: postgres://postgres:postgres@localhost:5432/postgres
                        steps:
                          - uses: actions/checkout@v4
                          - uses: actions/setup-python@v5
                            with:
                              python-version: "3.13"
                          - run: pip install -r requirements.txt
                          - run: pytest
                    ```

                    Because the job runs directly on the runner (not in a container), it reaches
                    the service through the mapped port on `localhost`. If you later run the
                    job itself in a `container:`, use the service name `postgres` as the host
                    instead and drop the port mapping.

                    Then read `DATABASE_URL` in settings (e.g. with `dj-database-url`). Django's
                    test runner creates and drops `test_postgres` by itself.
                """),
                comments=(
                    DemoComment(
                        "lena-m",
                        "Green on the first try, and it caught the DISTINCT ON "
                        "bug. Running SQLite locally and Postgres in CI for now.",
                    ),
                    DemoComment(
                        "grace",
                        "@lena-m consider Postgres locally too (one "
                        "`docker run`); the fewer differences, the fewer surprises.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="diego-f",
        category="ci-cd",
        title="setup-python pip cache never hits: 'No file matched to requirements.txt'",
        tags=("github-actions", "pip", "caching"),
        days_ago=39.9,
        body=md("""
            I added `cache: pip` to speed up CI:

            ```yaml
            - uses: actions/setup-python@v5
              with:
                python-version: "3.13"
                cache: pip
            ```

            The step fails with:

            ```text
            Error: No file in /home/runner/work/bracket/bracket matched to
            [**/requirements.txt or **/pyproject.toml], make sure you have checked out the
            target repository
            ```

            Our requirements live in `requirements/base.txt` and `requirements/dev.txt`.
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                accepted=True,
                body=md("""
                    `setup-python` builds the cache key from a hash of your dependency files,
                    and by default it only looks for `requirements.txt` (and `pyproject.toml`).
                    Point it at yours:

                    ```yaml
                    - uses: actions/setup-python@v5
                      with:
                        python-version: "3.13"
                        cache: pip
                        cache-dependency-path: requirements/*.txt
                    ```

                    Also make sure `actions/checkout` runs *before* this step, otherwise there
                    are no files to hash at all. The key changes whenever any of those files
                    changes, which is exactly when you want a fresh cache.
                """),
                comments=(DemoComment("diego-f", "Install step went from 74 s to 11 s. Thanks!"),),
            ),
        ),
    ),
    DemoQuestion(
        author="kenji",
        category="ci-cd",
        title="Test passes locally but fails in CI around midnight: timezone problem?",
        tags=("pytest", "github-actions", "timezones"),
        days_ago=26.4,
        body=md("""
            This test fails in CI roughly one run in ten, always on runs that start late in
            the evening (I'm in Tokyo, UTC+9):

            ```python
            def test_match_is_scheduled_today(match_factory):
                match = match_factory(starts_at=timezone.now())
                assert match.starts_at.date() == date.today()
            ```

            ```text
            AssertionError: assert datetime.date(2026, 3, 14) == datetime.date(2026, 3, 15)
            ```

            `USE_TZ = True`, `TIME_ZONE = "Asia/Tokyo"`. What's wrong?
        """),
        answers=(
            DemoAnswer(
                author="grace",
                body=md("""
                    The two sides use different clocks:

                    - `timezone.now()` is an **aware UTC** datetime, so `.date()` is the date
                      in **UTC**.
                    - `date.today()` is the date in the **process's local time zone**, which is
                      your `TIME_ZONE` (Django sets `TZ` from it on startup).

                    Between 00:00 and 09:00 Tokyo time, they differ by a day. Compare in the
                    same zone, the one you mean:

                    ```python
                    assert timezone.localdate(match.starts_at) == timezone.localdate()
                    ```

                    And make tests independent of the wall clock: freeze time with
                    `time-machine` so the test runs at the same instant every time, and add a
                    case just after local midnight on purpose:

                    ```python
                    @time_machine.travel(datetime(2026, 3, 14, 15, 30, tzinfo=UTC))  # 00:30 JST
                    def test_match_is_scheduled_today_after_midnight(match_factory): ...
                    ```
                """),
                comments=(
                    DemoComment(
                        "kenji",
                        "Confirmed: the failing runs all started between 00:00 "
                        "and 09:00 JST. Adding time-machine now.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="amir-h",
        category="ci-cd",
        title="How do I run Django migrations during a deploy without downtime?",
        tags=("deployment", "migrations", "postgresql"),
        days_ago=10.9,
        body=md("""
            Our deploy script does `git pull`, `migrate`, then restarts gunicorn. Last week
            a migration renamed a column, and for about 30 seconds the old code (still
            running) threw errors:

            ```text
            django.db.utils.ProgrammingError: column match.score_home does not exist
            ```

            How do teams avoid this? Is there a Django setting for it?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                body=md("""
                    No setting; it's a discipline called **expand / contract**. During a deploy
                    the old and the new code run at the same time against one schema, so every
                    migration must work with *both*.

                    A rename becomes three deploys:

                    1. **Expand**: add `home_score` (nullable), write to both columns, backfill.
                    2. **Switch**: read from `home_score`; keep writing both.
                    3. **Contract**: once no running code reads `score_home`, drop it.

                    Rules of thumb that follow:

                    - Adding a nullable column or a table: safe any time.
                    - Renaming or dropping a column: never in the same deploy as the code
                      change.
                    - Run `migrate` **before** starting the new code, as its own step.
                    - On PostgreSQL, watch for locks: a slow `ALTER` holds a lock that queues
                      every query behind it. Set `lock_timeout` for migrations so they fail fast
                      instead of freezing the site.

                    The `django-migration-linter` and `django-pg-zero-downtime-migrations`
                    packages automate some of these checks.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="olu",
        category="ci-cd",
        title="Where should deploy secrets live in a GitHub Actions workflow?",
        tags=("github-actions", "secrets", "deployment"),
        days_ago=3.9,
        body=md("""
            I'm adding a deploy job that pushes to our VPS over SSH after tests pass on `main`.
            Right now the private key is in a repository secret, used like this:

            ```yaml
            - run: |
                echo "${{ secrets.DEPLOY_KEY }}" > key && chmod 600 key
                ssh -i key deploy@203.0.113.10 './deploy.sh'
            ```

            Is that OK? I've seen "environments" and "OIDC" mentioned and I'm not sure whether
            they apply to a small VPS setup.
        """),
    ),
    # --- Databases ----------------------------------------------------------------------
    DemoQuestion(
        author="priya-s",
        category="databases",
        title="Which index speeds up a JSONField containment filter on PostgreSQL?",
        tags=("postgresql", "indexes", "jsonfield", "gin"),
        days_ago=37.0,
        body=md("""
            Recipes store free-form attributes in a `JSONField`, and this filter is slow on
            600k rows:

            ```python
            Recipe.objects.filter(attributes__contains={"diet": "vegan"})
            ```

            ```text
            Seq Scan on recipes_recipe  (cost=0.00..48213.00 rows=60 width=412)
              Filter: (attributes @> '{"diet": "vegan"}'::jsonb)
            Execution Time: 812.4 ms
            ```

            I added `db_index=True` to the field but the plan didn't change. What kind of index
            does this need?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                accepted=True,
                body=md("""
                    `db_index=True` creates a B-tree, which can only compare whole JSON values;
                    it can't answer `@>` (contains). That operator needs a **GIN** index:

                    ```python
                    from django.contrib.postgres.indexes import GinIndex


                    class Recipe(models.Model):
                        attributes = models.JSONField(default=dict)

                        class Meta:
                            indexes = [
                                GinIndex(
                                    fields=["attributes"],
                                    name="recipe_attributes_gin",
                                    opclasses=["jsonb_path_ops"],
                                ),
                            ]
                    ```

                    `jsonb_path_ops` makes a smaller, faster index that supports only `@>`
                    (plus jsonpath matches); the default `jsonb_ops` also supports key-exists
                    lookups (`has_key`, `has_any_keys`). For your filter, `jsonb_path_ops` is
                    the better choice. Remove `db_index=True`, the B-tree is dead weight.

                    On a big live table, create it with `AddIndexConcurrently` (in a
                    non-atomic migration) so writes aren't blocked during the build. Then check
                    with `EXPLAIN ANALYZE`: you should see a `Bitmap Index Scan on
                    recipe_attributes_gin`.
                """),
                comments=(
                    DemoComment("priya-s", "812 ms to 3 ms. And now I know what an opclass is."),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="olu",
        category="databases",
        title="EXPLAIN shows a Seq Scan even though I indexed the title column",
        tags=("postgresql", "indexes", "explain", "django-orm"),
        days_ago=24.6,
        body=md("""
            The search box on my project filters like this:

            ```python
            Project.objects.filter(title__icontains=query)
            ```

            I added `db_index=True` to `title`, ran the migration, and `EXPLAIN ANALYZE` still
            shows:

            ```text
            Seq Scan on projects_project  (actual time=0.021..187.6 rows=41 loops=1)
              Filter: (upper((title)::text) ~~ '%DOCKER%'::text)
              Rows Removed by Filter: 249959
            ```

            Why is Postgres ignoring my index?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                accepted=True,
                body=md("""
                    Look at the `Filter` line: Django turned `icontains` into
                    `UPPER(title) LIKE '%DOCKER%'`. A B-tree index on `title` can't help with
                    that, for two reasons: the column is wrapped in `UPPER()`, and the pattern
                    starts with a wildcard, so there's no prefix to seek to.

                    For "contains" searches, PostgreSQL's tool is a **trigram** index (the
                    `pg_trgm` extension), which supports `LIKE '%...%'` and `ILIKE`:

                    ```python
                    # migration
                    from django.contrib.postgres.operations import TrigramExtension
                    operations = [TrigramExtension(), ...]
                    ```

                    ```python
                    from django.contrib.postgres.indexes import GinIndex, OpClass
                    from django.db.models.functions import Upper

                    class Meta:
                        indexes = [
                            GinIndex(
                                OpClass(Upper("title"), name="gin_trgm_ops"),
                                name="project_title_trgm",
                            ),
                        ]
                    ```

                    Indexing `Upper("title")` matches the exact expression Django generates for
                    `icontains`, so the planner can use it. Queries shorter than 3 characters
                    can't use trigrams, so consider a minimum search length too.
                """),
            ),
            DemoAnswer(
                author="grace",
                body=md("""
                    Adding to Marta's answer: if what you really want is *search* (ranking,
                    stemming so "containers" matches "container"), look at PostgreSQL full-text
                    search with `SearchVector`/`SearchQuery` and a GIN index on a
                    `SearchVectorField`. Trigrams are great for "contains this substring",
                    full-text for "is about these words". This hub uses the latter.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="kenji",
        category="databases",
        title="Two simultaneous orders push stock below zero: how do I prevent the race?",
        tags=("django-orm", "transactions", "postgresql", "concurrency"),
        days_ago=46.5,
        body=md("""
            My checkout view does this, and under a load test with 20 concurrent users the
            stock of a product ends up at -3:

            ```python
            product = Product.objects.get(pk=product_id)
            if product.stock < quantity:
                raise OutOfStock()
            product.stock -= quantity
            product.save()
            ```

            I wrapped it in `transaction.atomic()` and it still happens. What's the right
            pattern?
        """),
        answers=(
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    A transaction alone doesn't stop two requests from **reading the same
                    stock** before either writes (that's a read-modify-write race). Two good
                    fixes:

                    **1. A conditional atomic update** (my default, no locks held):

                    ```python
                    updated = Product.objects.filter(pk=product_id, stock__gte=quantity).update(
                        stock=F("stock") - quantity
                    )
                    if not updated:
                        raise OutOfStock()
                    ```

                    The check and the write happen in one SQL statement, so PostgreSQL
                    serialises concurrent updates of that row.

                    **2. Lock the row** when you need the object for more logic:

                    ```python
                    with transaction.atomic():
                        product = Product.objects.select_for_update().get(pk=product_id)
                        if product.stock < quantity:
                            raise OutOfStock()
                        product.stock -= quantity
                        product.save(update_fields=["stock"])
                    ```

                    And add a constraint as a safety net, so a bug elsewhere fails loudly
                    instead of silently overselling:

                    ```python
                    constraints = [
                        models.CheckConstraint(condition=Q(stock__gte=0), name="stock_non_negative")
                    ]
                    ```
                """),
                comments=(
                    DemoComment(
                        "kenji",
                        "Went with option 1. The load test now shows exactly "
                        "0 stock and 3 clean 'out of stock' responses.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="lena-m",
        category="databases",
        title="UUID or bigint primary keys for a new Django project?",
        tags=("postgresql", "schema-design", "uuid"),
        days_ago=8.2,
        body=md("""
            Starting a new service and the team is split. One side says UUIDs so that IDs in
            URLs aren't guessable and we can merge data from different databases. The other
            says bigint because it's smaller and faster.

            Is there a practical answer for a Django + PostgreSQL app with maybe a few million
            rows per table?
        """),
        answers=(
            DemoAnswer(
                author="diego-f",
                body=md("""
                    We use bigint primary keys (Django's `BigAutoField` default) plus a separate
                    `public_id = models.UUIDField(default=uuid.uuid4, unique=True)` on the few
                    models whose IDs appear in URLs. Joins and foreign keys stay small, and the
                    URLs aren't enumerable.
                """),
            ),
            DemoAnswer(
                author="amir-h",
                body=md("""
                    One thing I learned: random UUIDs (v4) scatter inserts all over the index,
                    which hurts on big tables. Time-ordered UUIDv7 avoids that (Python 3.14 has
                    `uuid.uuid7()`, and PostgreSQL 18 has `uuidv7()`). So if you go UUID, v7 is
                    worth a look.
                """),
                comments=(
                    DemoComment(
                        "lena-m",
                        "Both helpful, thanks. We're going with @diego-f's "
                        "split: bigint internally, UUID in URLs.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="diego-f",
        category="databases",
        title="Is PostgreSQL full-text search worth it over icontains for a small site?",
        tags=("postgresql", "full-text-search", "django-orm"),
        days_ago=0.4,
        body=md("""
            Our side project has about 5,000 articles and search is
            `filter(Q(title__icontains=q) | Q(body__icontains=q))`. It takes ~40 ms, which is
            fine, but results are in date order and searching "migrate" doesn't find
            "migrations".

            Is moving to `SearchVector` / `SearchRank` worth the complexity at this size? And
            if so, do I need a stored `SearchVectorField` with a trigger, or is computing the
            vector in the query OK for 5k rows?
        """),
    ),
    # --- Async tasks (Celery/RabbitMQ) ----------------------------------------------------
    DemoQuestion(
        author="amir-h",
        category="async-tasks",
        title="Celery task runs twice after a worker restart in the middle of it",
        tags=("celery", "rabbitmq", "acks-late", "idempotency"),
        days_ago=28.8,
        body=md("""
            My task that generates a tournament's bracket PDF and emails it sometimes sends
            the email twice. It seems to happen when we deploy (workers restart) while it runs.

            ```python
            @shared_task(acks_late=True)
            def send_bracket_pdf(tournament_id):
                pdf = render_bracket(tournament_id)  # ~40 s
                send_mail_with_attachment(tournament_id, pdf)
            ```

            Broker is RabbitMQ, Celery 5.5. I added `acks_late=True` because a blog said it
            makes tasks "safer". Did it cause this?
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                accepted=True,
                body=md("""
                    Yes, and it's doing its job. With `acks_late=True` the worker acknowledges
                    the message **after** the task finishes. If the worker dies mid-task, the
                    message was never acked, so RabbitMQ redelivers it to another worker. That's
                    *at-least-once* delivery: nothing is lost, but things can run twice.

                    (With the default early ack, your restart would have lost the email
                    entirely: *at-most-once*.)

                    So keep `acks_late`, and make the task **idempotent**: running it twice
                    must have the effect of running it once. Record that the side effect
                    happened, atomically, and check first:

                    ```python
                    @shared_task(acks_late=True)
                    def send_bracket_pdf(tournament_id):
                        updated = Tournament.objects.filter(
                            pk=tournament_id, bracket_sent_at__isnull=True
                        ).update(bracket_sent_at=timezone.now())
                        if not updated:
                            return  # someone already sent it
                        pdf = render_bracket(tournament_id)
                        send_mail_with_attachment(tournament_id, pdf)
                    ```

                    This marks *before* sending, so a crash between the two means no email
                    rather than two; pick the order based on which failure you prefer.

                    Also: give workers time to finish on deploy. Celery finishes running tasks
                    on `SIGTERM` (warm shutdown); make your orchestrator's stop timeout longer
                    than your longest task (e.g. `stop_grace_period: 2m` in Compose).
                """),
                comments=(
                    DemoComment(
                        "amir-h",
                        "Our stop timeout was the Docker default of 10 s, so "
                        "every deploy killed running tasks. Fixed both.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="ada",
        category="async-tasks",
        title="Celery task raises DoesNotExist for an object I just created",
        tags=("celery", "transactions", "django"),
        days_ago=13.1,
        body=md("""
            After a user places an order, I queue a task to send the receipt:

            ```python
            def place_order(request):
                order = Order.objects.create(user=request.user, total=cart.total)
                send_receipt.delay(order.pk)
                ...
            ```

            Sometimes (not always!) the worker logs:

            ```text
            orders.models.Order.DoesNotExist: Order matching query does not exist.
            ```

            The order is definitely in the database when I check afterwards.
            `ATOMIC_REQUESTS = True` in settings, if that matters.
        """),
        answers=(
            DemoAnswer(
                author="grace",
                body=md("""
                    `ATOMIC_REQUESTS` is the key. The whole view runs inside one transaction
                    that commits only when the view returns. But `.delay()` sends the message
                    to the broker **immediately**, and a fast worker can pick it up and query
                    the order before the view's transaction commits. Other connections can't
                    see uncommitted rows, hence `DoesNotExist`, "sometimes".

                    Queue the task when the transaction commits:

                    ```python
                    from django.db import transaction

                    transaction.on_commit(lambda: send_receipt.delay(order.pk))
                    ```

                    If the transaction rolls back, the task is never sent, which is also what
                    you want. Celery 5.4+ has a shortcut for Django projects:
                    `send_receipt.delay_on_commit(order.pk)`.

                    Rule of thumb: any task that reads rows you just wrote should be queued
                    with `on_commit`.
                """),
                comments=(
                    DemoComment(
                        "ada",
                        "Makes total sense. Do I need on_commit in tests too? "
                        "My test now says the task was never called.",
                    ),
                    DemoComment(
                        "grace",
                        "@ada yes: pytest-django's test transactions never "
                        "commit. Use the django_capture_on_commit_callbacks fixture "
                        "with execute=True.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="olu",
        category="async-tasks",
        title="Retrying a Celery task with exponential backoff when an API returns 5xx",
        tags=("celery", "retries", "requests"),
        days_ago=22.0,
        body=md("""
            A task posts match results to a partner's API, which is flaky (502s, timeouts).
            My manual retry looks like this and feels clumsy:

            ```python
            @shared_task(bind=True, max_retries=5)
            def push_result(self, match_id):
                try:
                    resp = requests.post(PARTNER_URL, json=payload(match_id), timeout=10)
                    resp.raise_for_status()
                except requests.RequestException as exc:
                    raise self.retry(exc=exc, countdown=5)
            ```

            All retries happen within 25 seconds, which doesn't help when their outage lasts
            minutes. Is there a built-in way to back off?
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                accepted=True,
                body=md("""
                    Celery has this built in via task options:

                    ```python
                    @shared_task(
                        autoretry_for=(requests.RequestException,),
                        retry_backoff=True,       # 1 s, 2 s, 4 s, 8 s, ...
                        retry_backoff_max=600,    # never wait more than 10 minutes
                        retry_jitter=True,        # randomise, so retries don't arrive in waves
                        max_retries=8,
                    )
                    def push_result(match_id):
                        resp = requests.post(PARTNER_URL, json=payload(match_id), timeout=10)
                        resp.raise_for_status()
                    ```

                    `raise_for_status()` raises `requests.HTTPError` (a `RequestException`) on
                    4xx and 5xx. You probably don't want to retry a 400 or 422 (the request
                    itself is wrong and will stay wrong), so in practice I narrow it:

                    ```python
                    if resp.status_code >= 500:
                        resp.raise_for_status()  # retried
                    elif resp.status_code >= 400:
                        logger.error("Partner rejected match %s: %s", match_id, resp.text)
                        return
                    ```

                    Because retries may resend, make sure the partner treats a repeated push
                    as the same result (an idempotency key, e.g. the match id, is the usual
                    way).
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="priya-s",
        category="async-tasks",
        title="Celery beat runs my nightly job twice after scaling to two containers",
        tags=("celery", "celery-beat", "docker"),
        days_ago=11.5,
        body=md("""
            I scaled our worker service to two replicas, and now the nightly "recompute
            recipe ratings" job runs twice. The service starts the worker with embedded beat:

            ```yaml
            worker:
              build: .
              command: celery -A recipes worker -B -l info
              deploy:
                replicas: 2
            ```

            Logs show both containers sending the task at 02:00. How do I make it run once?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                body=md("""
                    `-B` embeds the **beat scheduler** in each worker, so two replicas mean two
                    schedulers, each sending the job. Beat must run as **exactly one** process:
                    split it into its own service and scale only the workers.

                    ```yaml
                    worker:
                      build: .
                      command: celery -A recipes worker -l info
                      deploy:
                        replicas: 2
                    beat:
                      build: .
                      command: celery -A recipes beat -l info
                      deploy:
                        replicas: 1
                    ```

                    (The Celery docs also say `-B` is for development only.) If you ever need
                    stronger guarantees, make the job itself safe to run twice, for example by
                    taking a PostgreSQL advisory lock or a Redis lock at the start.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="lena-m",
        category="async-tasks",
        title="RabbitMQ or Redis as the Celery broker for a small project?",
        tags=("celery", "rabbitmq", "redis"),
        days_ago=4.6,
        body=md("""
            We already run Redis for caching. The course material uses RabbitMQ as the Celery
            broker. For a small project (a few thousand tasks a day), is it worth running
            RabbitMQ as well, or is Redis fine as the broker? What do we give up?
        """),
        answers=(
            DemoAnswer(
                author="kenji",
                body=md("""
                    We use Redis as the broker in our team project and it's been fine at that
                    volume: one less service to run. The thing to know is the
                    **visibility timeout**: with Redis, a task that's been reserved but not
                    acked for longer than `visibility_timeout` (1 hour by default) is delivered
                    again. So long tasks with `acks_late`, or tasks with an ETA far in the
                    future, can run twice.

                    RabbitMQ doesn't have that issue and has better delivery guarantees and
                    tooling (management UI, per-queue metrics), which is why the course uses it.
                """),
            ),
        ),
    ),
    # --- Caching (Redis) ------------------------------------------------------------------
    DemoQuestion(
        author="diego-f",
        category="caching",
        title="cache.get_or_set with a callable: when does the callable actually run?",
        tags=("redis", "django-cache"),
        days_ago=43.8,
        body=md("""
            I'm caching the leaderboard, which takes ~300 ms to compute:

            ```python
            leaderboard = cache.get_or_set("leaderboard", compute_leaderboard(), 60)
            ```

            Response times didn't improve at all. django-debug-toolbar shows the leaderboard
            queries on every request, even though Redis has the key. What am I missing?
        """),
        answers=(
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    `compute_leaderboard()` with parentheses runs *before* `get_or_set` is even
                    called, on every request, and the result is then thrown away when the key
                    exists. Pass the function itself:

                    ```python
                    leaderboard = cache.get_or_set("leaderboard", compute_leaderboard, timeout=60)
                    ```

                    `get_or_set` calls a callable default only on a miss, then stores it with
                    `add()`, so if two processes miss at once, the first value written wins.

                    Two more things worth knowing:

                    - On a miss, *every* concurrent request computes the value (a small cache
                      stampede). At 300 ms and moderate traffic that's fine; for expensive
                      values, recompute in a periodic Celery task and only ever read the cache.
                    - Put a version in the key (`"leaderboard:v2"`) so a deploy that changes
                      the data's shape doesn't read old entries.
                """),
                comments=(
                    DemoComment("diego-f", "The parentheses again! p95 went from 340 ms to 25 ms."),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="kenji",
        category="caching",
        title="How do I invalidate a cached list page when one item is edited?",
        tags=("redis", "django-cache", "cache-invalidation"),
        days_ago=30.3,
        body=md("""
            I cache the first page of matches per tournament under keys like
            `matches:{tournament_id}:page:1`, and also per filter (`status=live`, etc.). When a
            match is edited, I don't know which keys to delete, and `cache.delete_pattern` is
            only in django-redis, not in Django's built-in Redis backend.

            What's the usual approach?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                accepted=True,
                body=md("""
                    Don't delete keys: **change the key**. Keep a small version number per
                    tournament and put it into every key derived from that tournament's data.
                    Bumping the version makes all old keys unreachable at once; they simply
                    expire.

                    ```python
                    def matches_version(tournament_id: int) -> int:
                        return cache.get_or_set(f"matches:{tournament_id}:v", 1, timeout=None)


                    def matches_page_key(tournament_id: int, status: str, page: int) -> str:
                        v = matches_version(tournament_id)
                        return f"matches:{tournament_id}:v{v}:{status}:p{page}"


                    def matches_changed(tournament_id: int) -> None:
                        try:
                            cache.incr(f"matches:{tournament_id}:v")
                        except ValueError:  # key missing: nothing cached yet
                            pass
                    ```

                    Call `matches_changed()` from the service that edits a match, wrapped in
                    `transaction.on_commit(...)` so a concurrent reader can't re-cache the old
                    data between your bump and the commit.

                    Make sure the derived keys have a timeout, so abandoned versions don't pile
                    up in Redis.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="amir-h",
        category="caching",
        title="Redis memory keeps growing: my cache keys never expire",
        tags=("redis", "django-cache", "ttl"),
        days_ago=20.6,
        body=md("""
            Our Redis instance (256 MB plan) hit its memory limit and started refusing writes:

            ```text
            redis.exceptions.ResponseError: OOM command not allowed when used memory >
            'maxmemory'.
            ```

            `redis-cli info keyspace` shows 1.9M keys. Our settings:

            ```python
            CACHES = {
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": os.environ["REDIS_URL"],
                    "TIMEOUT": None,
                }
            }
            ```
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                accepted=True,
                body=md("""
                    `"TIMEOUT": None` means **every** `cache.set()` without an explicit timeout
                    is stored forever. With per-user or per-page keys, that grows without
                    bound. Two fixes, do both:

                    1. **Give entries a default lifetime** (Django's default is 300 s), and
                       pass longer timeouts explicitly where you mean it:

                    ```python
                    "TIMEOUT": 600,
                    ```

                    2. **Tell Redis it's a cache**, so it evicts instead of refusing writes when
                       full:

                    ```text
                    maxmemory 200mb
                    maxmemory-policy allkeys-lru
                    ```

                    On managed Redis this is usually a setting in the dashboard; many plans
                    default to `noeviction`, which is what gave you the OOM error.

                    Careful if the same Redis is also your Celery broker: `allkeys-lru` may
                    evict queued tasks. Use a separate Redis instance (or at least a separate
                    database with `volatile-lru`) for the broker.
                """),
                comments=(
                    DemoComment(
                        "amir-h",
                        "It was the broker too. Split into two instances. "
                        "Memory has been flat at 60 MB for a week.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="priya-s",
        category="caching",
        title="cache_page on my API endpoint shows one user's data to another user",
        tags=("django-cache", "drf", "security"),
        days_ago=15.7,
        body=md("""
            This is scary. I added page caching to speed up the "my recipes" endpoint:

            ```python
            class MyRecipesView(generics.ListAPIView):
                serializer_class = RecipeSerializer
                permission_classes = [IsAuthenticated]

                def get_queryset(self):
                    return Recipe.objects.filter(owner=self.request.user)

                @method_decorator(cache_page(60))
                def get(self, *args, **kwargs):
                    return super().get(*args, **kwargs)
            ```

            Testing with two tokens: the second user sees the **first user's** recipes for up
            to a minute. Auth is DRF `TokenAuthentication`.
        """),
        answers=(
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    Good catch, and good that it happened in testing. `cache_page` builds the
                    key from the **URL** plus the headers listed in the response's `Vary`
                    header. Session-based views get `Vary: Cookie` automatically when the
                    session is accessed, but token auth reads the `Authorization` header and
                    nothing adds it to `Vary`. So every user shares one cache entry.

                    The minimal fix is to vary on that header:

                    ```python
                    @method_decorator(cache_page(60))
                    @method_decorator(vary_on_headers("Authorization"))
                    def get(self, *args, **kwargs):
                        return super().get(*args, **kwargs)
                    ```

                    But I'd rather not page-cache per-user responses at all: the savings are
                    small (each entry serves one user) and the failure mode is a data leak.
                    Cache the expensive *data* instead, with the user in the key:

                    ```python
                    key = f"recipes:owner:{request.user.pk}:v1"
                    data = cache.get_or_set(key, lambda: build_recipe_list(request.user), 60)
                    ```

                    Keep `cache_page` for responses that are the same for everyone.
                """),
                comments=(
                    DemoComment(
                        "priya-s",
                        "Switched to caching the data per user. Also added "
                        "a test that logs in as two users and compares the responses.",
                    ),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="lena-m",
        category="caching",
        title="Cache stampede when a popular key expires: what are the standard fixes?",
        tags=("redis", "django-cache", "performance"),
        days_ago=1.9,
        body=md("""
            Every 10 minutes, when our cached homepage stats expire, the database CPU spikes
            to 100% for a few seconds: about 80 requests miss at the same moment and all run
            the same heavy aggregate query.

            I've read about locks, "probabilistic early expiration" and background refresh.
            Which one do people actually use with Django and Redis, and is there a library,
            or is this usually a dozen lines of custom code?
        """),
    ),
    # --- Career & general -----------------------------------------------------------------
    DemoQuestion(
        author="olu",
        category="career",
        title="What should a junior backend portfolio project actually show?",
        tags=("career", "portfolio"),
        days_ago=55.2,
        body=md("""
            I'm three months into the program and want one solid project on GitHub before I
            start applying. I have ideas (a recipe API, a tournament tracker), but I don't
            know what reviewers look at. Features? Tests? Deployment?

            What would make you say "this person can do the job" in five minutes of browsing
            a repository?
        """),
        answers=(
            DemoAnswer(
                author="grace",
                accepted=True,
                body=md("""
                    I review a lot of these. In five minutes I look at, in order:

                    1. **The README**: what it does, a live URL or a screenshot, and how to run
                       it in one or two commands (`docker compose up`). If I can't run it, I
                       mostly won't.
                    2. **Tests and CI**: a green GitHub Actions badge and tests that check
                       behaviour, not just "the page returns 200".
                    3. **One hard thing done well**: pagination that scales, a Celery task
                       with retries, a permission model, a query you optimised with numbers
                       before/after. Write about it in the README.
                    4. **Code shape**: consistent structure, small functions, no secrets in the
                       repo, sensible commits.

                    Fewer features, finished properly, beats a long feature list. A recipe API
                    with auth, tests, CI, a deployed instance and one well-explained
                    performance fix is a strong junior portfolio.
                """),
                comments=(
                    DemoComment(
                        "olu",
                        "This is a checklist now. Starting with the README and "
                        "the docker compose setup.",
                    ),
                ),
            ),
            DemoAnswer(
                author="admin-nexus",
                body=md("""
                    Adding one program-specific tip: the end-of-module project reviews count
                    as portfolio material. Ask your mentor to review it as if it were a job
                    application; several of last cohort's learners said that review was the
                    most useful hour of the program.
                """),
            ),
        ),
    ),
    DemoQuestion(
        author="ada",
        category="career",
        title="How do you find your way around a large, unfamiliar Django codebase?",
        tags=("career", "learning", "code-reading"),
        days_ago=7.4,
        body=md("""
            For the open-source module I picked an issue in a big Django project (hundreds
            of models, dozens of apps). I've been reading for two days and I still can't tell
            where a request goes after it hits the URLconf.

            How do experienced developers get oriented in a codebase like this? Any concrete
            techniques, not just "read the code"?
        """),
        answers=(
            DemoAnswer(
                author="tomas-r",
                body=md("""
                    Don't read it top to bottom; **follow one request** and let the code pull
                    you along:

                    1. Run it locally and reproduce the issue first. Everything is easier with
                       a running system.
                    2. Find the view for the URL: `python manage.py show_urls` (from
                       `django-extensions`) or search the `urls.py` files for the path.
                    3. Put a `breakpoint()` in that view and step through with `pdb`
                       (`s` to step into, `n` for next, `w` to see the call stack). Twenty
                       minutes of this beats two days of reading.
                    4. Read the **tests** for the area: they're the best usage docs.
                    5. Use `git log -p --follow path/to/file.py` and `git blame` to see *why*
                       the code looks the way it does; commit messages often link issues.

                    Keep notes as you go (a small map of "URL, view, service, model"), and
                    it's fine to ask the maintainers in the issue where to start.
                """),
                comments=(
                    DemoComment(
                        "ada",
                        "The breakpoint tip is gold. I found the code path in "
                        "20 minutes. Opened my first draft PR!",
                    ),
                    DemoComment("grace", "Congrats @ada! Link it here when it's merged."),
                ),
            ),
        ),
    ),
    DemoQuestion(
        author="amir-h",
        category="career",
        title="How do I prepare for a backend system design interview as a junior?",
        tags=("career", "interviews", "system-design"),
        days_ago=17.3,
        body=md("""
            I have an interview for a junior backend role next month, and the process
            includes a "45 minutes system design" round. Most material online is about
            designing Twitter for a billion users, which feels far from what a junior would
            be asked.

            What do interviewers expect at junior level, and how should I practise?
        """),
        answers=(
            DemoAnswer(
                author="marta-k",
                body=md("""
                    At junior level we mostly check that you can **reason out loud** about a
                    small system, not that you know every distributed-systems term. A typical
                    prompt: "design a URL shortener" or "a job board API".

                    A structure that works:

                    1. **Clarify** requirements and rough numbers (users, reads vs writes).
                    2. **Data model first**: tables, keys, the main queries, the indexes they
                       need. This is where juniors who've built real projects shine.
                    3. **API**: a few endpoints with request/response shapes.
                    4. **Then scale the bottleneck you identified**: caching for hot reads,
                       a queue (Celery) for slow work, pagination, rate limiting.
                    5. **Trade-offs**: say what you'd do differently at 100x the load.

                    Practise by designing things you've built in this program and explaining
                    them to someone in 30 minutes. "In my project I used cursor pagination
                    because..." is worth more than buzzwords.
                """),
                comments=(
                    DemoComment(
                        "amir-h",
                        "Super helpful. Would a mentor here do a mock round "
                        "with me? @marta-k @tomas-r",
                    ),
                    DemoComment(
                        "tomas-r", "@amir-h happy to, pick a slot in the mentor calendar next week."
                    ),
                ),
            ),
        ),
    ),
]
