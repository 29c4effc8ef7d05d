"""dropout's foreign keys now point at the roster in core (core/0006 moved its tables and rows).

State only: the database's constraints already follow the renamed tables, and the round's
many-to-many table keeps its name and columns.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_roster_moves_to_core"),
        ("dropout", "0002_one_scheduled_round_per_date"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="dropoutcase",
                    name="roster_child",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.rosterchild",
                        verbose_name="roster child",
                    ),
                ),
                migrations.AlterField(
                    model_name="screeningresult",
                    name="roster_child",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="results",
                        to="core.rosterchild",
                        verbose_name="roster child",
                    ),
                ),
                migrations.AlterField(
                    model_name="screeninground",
                    name="roster_versions",
                    field=models.ManyToManyField(
                        related_name="rounds",
                        to="core.rosterversion",
                        verbose_name="roster versions",
                    ),
                ),
                migrations.DeleteModel(name="RosterChild"),
                migrations.DeleteModel(name="RosterVersion"),
            ],
        ),
    ]
