"""Projects in the site search: a narrow vector table (ProjectSearch), GIN-indexed and
filled for existing projects on PostgreSQL only (SQLite searches with LIKE)."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FILL = """
INSERT INTO projects_projectsearch (project_id, search_vector)
SELECT p.id,
    setweight(to_tsvector('english'::regconfig, COALESCE(p.title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE((
        SELECT string_agg(t.name, ' ' ORDER BY t.name)
        FROM projects_project_tags AS pt JOIN projects_projecttag AS t ON t.id = pt.projecttag_id
        WHERE pt.project_id = p.id), '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(p.pitch, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, COALESCE(p.description, '')), 'C')
FROM projects_project AS p
ON CONFLICT (project_id) DO NOTHING
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS p_search_vector "
            "ON projects_projectsearch USING gin (search_vector)"
        )
        schema_editor.execute(FILL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS p_search_vector")


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0003_link_rule'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProjectSearch',
            fields=[
                ('project', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='projects.project')),
                ('search_vector', django.contrib.postgres.search.SearchVectorField()),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
