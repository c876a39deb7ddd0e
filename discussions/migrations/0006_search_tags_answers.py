"""Search finds questions by their tags and their answers (PostgreSQL only; SQLite
searches with LIKE): the question vectors gain the tag names (weight B, as
services._search_index now writes them), and answer bodies get an expression GIN index,
the same expression as selectors.ANSWER_VECTOR, so "answers matching" is an index scan."""

from django.db import migrations

ANSWER_INDEX = (
    "CREATE INDEX IF NOT EXISTS a_search_body ON discussions_answer "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(body, '')))"
)

REINDEX = """
UPDATE discussions_questionsearch AS s SET search_vector =
    setweight(to_tsvector('english'::regconfig, COALESCE(q.title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE((
        SELECT string_agg(t.name, ' ' ORDER BY t.name)
        FROM discussions_question_tags AS qt JOIN discussions_tag AS t ON t.id = qt.tag_id
        WHERE qt.question_id = q.id), '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(q.body, '')), 'B')
FROM discussions_question AS q WHERE q.id = s.question_id
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ANSWER_INDEX)
        schema_editor.execute(REINDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS a_search_body")


class Migration(migrations.Migration):
    dependencies = [("discussions", "0005_moderation_state")]

    operations = [migrations.RunPython(forwards, backwards)]
