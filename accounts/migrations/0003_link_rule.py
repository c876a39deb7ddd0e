# The profile website joins the one link rule (hub.links). Websites stored before it are
# normalised, and those the rule refuses (localhost, metadata IPs, ftp:, user:pass@,
# look-alike hosts...) are cleared: they were never safe to show as links.

from django.core.exceptions import ValidationError
from django.db import migrations

import hub.links


def websites_through_the_rule(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(website="").only("pk", "website").iterator():
        try:
            website = hub.links.link_validate(user.website, field="website")
        except ValidationError:
            website = ""
        if website != user.website:
            User.objects.filter(pk=user.pk).update(website=website)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_tokens"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="website",
            field=hub.links.LinkField(blank=True, max_length=500),
        ),
        migrations.RunPython(websites_through_the_rule, migrations.RunPython.noop, elidable=True),
    ]
