"""The unified urban-rural staffing standard of 2014 (中央编办 教育部 财政部, 城乡统一中小学
教职工编制标准): primary 19, junior middle 13.5, senior high 12.5 pupils per teacher — the row the
city starts from; a city administrator adds later ones."""

from decimal import Decimal

from django.db import migrations


def add(apps, schema_editor):
    StaffingStandard = apps.get_model("teachers", "StaffingStandard")
    StaffingStandard.objects.get_or_create(
        effective_from=2014,
        defaults={
            "primary": Decimal("19"),
            "junior": Decimal("13.5"),
            "senior": Decimal("12.5"),
            "small_school_pupils": 100,
            "teachers_per_class": Decimal("1.5"),
            "note": "城乡统一中小学教职工编制标准",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("teachers", "StaffingStandard").objects.filter(effective_from=2014).delete()


class Migration(migrations.Migration):
    dependencies = [("teachers", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
