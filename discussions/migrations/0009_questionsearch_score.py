"""The search table keeps a copy of each question's score (discussions.services keep it in
step: _search_index and vote_toggle), so the ranking's tie-break needs no read of the
questions: the best matches of a common word come from this narrow table alone
(docs/decisions/0022, second addendum). Existing rows are filled from their questions."""

from django.db import migrations, models

FILL = """
UPDATE discussions_questionsearch AS s SET score = q.score
FROM discussions_question AS q WHERE q.id = s.question_id AND s.score <> q.score
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [("discussions", "0008_questionsearch_search_row")]

    operations = [
        migrations.AddField(
            model_name="questionsearch",
            name="score",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
