"""City administrators open the admin (core.models.User.derive_staff): the accounts made before
the role gave it get is_staff now."""

from django.db import migrations


def city_admins_are_staff(apps, schema_editor):
    apps.get_model("core", "User").objects.filter(role="city_admin").update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [("core", "0013_school_kind_special")]

    operations = [migrations.RunPython(city_admins_are_staff, migrations.RunPython.noop)]
