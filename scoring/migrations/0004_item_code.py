"""Items get a code that a copy of the version keeps: existing items are
numbered i1, i2, … in their section's order (what an import without item codes
gives them too)."""

from django.db import migrations, models

import scoring.models


def number_items(apps, schema_editor):
    Item = apps.get_model("scoring", "Item")
    changed = []
    section_id, n = None, 0
    for item in Item.objects.order_by("section_id", "order", "id"):
        if item.section_id != section_id:
            section_id, n = item.section_id, 0
        n += 1
        item.code = f"i{n}"
        changed.append(item)
    Item.objects.bulk_update(changed, ["code"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_plain_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="code",
            field=models.SlugField(
                default=scoring.models.new_item_code, max_length=50, verbose_name="code"
            ),
        ),
        migrations.RunPython(number_items, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.UniqueConstraint(
                fields=("section", "code"), name="unique_item_code_per_section"
            ),
        ),
    ]
