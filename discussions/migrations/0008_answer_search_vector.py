"""Answers keep their body's full-text vector in a column (PostgreSQL; the services write
it with the body), GIN-indexed, in place of migration 0006's expression index: search
then reads stored vectors instead of computing to_tsvector for each matching body
(docs/decisions/0022-one-site-search.md, addendum). SQLite gets the column, unused."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE discussions_answer SET search_vector = "
    "to_tsvector('english'::regconfig, COALESCE(body, ''))"
)
INDEX = (
    "CREATE INDEX IF NOT EXISTS a_search_vector ON discussions_answer USING gin (search_vector)"
)
OLD_INDEX = (
    "CREATE INDEX IF NOT EXISTS a_search_body ON discussions_answer "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(body, '')))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)
        schema_editor.execute(INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS a_search_body")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS a_search_vector")


class Migration(migrations.Migration):
    dependencies = [("discussions", "0007_merge_20261202_1230")]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="questionsearch",
            name="question",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="search_row",
                serialize=False,
                to="discussions.question",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
