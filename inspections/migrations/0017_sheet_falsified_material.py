"""A scored sheet may rest on falsified material (seed 002): it then scores 0,
for the reason recorded."""

import scoring.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0016_objections'),
    ]

    operations = [
        migrations.AddField(
            model_name='sheetrecord',
            name='falsified_material',
            field=models.BooleanField(default=False, verbose_name='falsified material'),
        ),
        migrations.AddField(
            model_name='sheetrecord',
            name='falsified_reason',
            field=scoring.text.PlainTextField(blank=True, verbose_name='what was falsified'),
        ),
    ]
