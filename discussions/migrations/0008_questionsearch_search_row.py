"""The search ranks a page's matches with one LEFT JOIN from a question to its search row
(QuestionSearch.question's reverse name, search_row): no schema change."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("discussions", "0007_merge_20261202_1230")]

    operations = [
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
    ]
