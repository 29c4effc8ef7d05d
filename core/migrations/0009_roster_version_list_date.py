import django.utils.timezone
from django.db import migrations, models

import core.calendar


def list_date_from_load_date(apps, schema_editor):
    """Versions loaded before the list date existed: the best known date is the load's."""
    RosterVersion = apps.get_model("core", "RosterVersion")
    for version in RosterVersion.objects.only("pk", "created_at"):
        RosterVersion.objects.filter(pk=version.pk).update(
            as_of=django.utils.timezone.localtime(version.created_at).date()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_import_run_sample"),
    ]

    operations = [
        migrations.AddField(
            model_name="rosterversion",
            name="as_of",
            field=models.DateField(
                default=core.calendar.today,
                help_text="The day the list describes (the office's sheet), not the day it was loaded.",
                verbose_name="list date",
            ),
        ),
        migrations.RunPython(list_date_from_load_date, migrations.RunPython.noop),
    ]
