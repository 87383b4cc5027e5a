"""Deduction sections (seed 002's compliance item): a new scoring kind, whose
items carry the points taken off per occurrence."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0006_interview_audience_required_at'),
    ]

    operations = [
        migrations.AlterField(
            model_name='item',
            name='points',
            field=models.PositiveIntegerField(blank=True, help_text="The item's points; in a deduction section, the points taken off per occurrence.", null=True, verbose_name='points'),
        ),
        migrations.AlterField(
            model_name='section',
            name='scoring',
            field=models.CharField(choices=[('item_points', 'Points per item'), ('section_points', 'Points per section, items are checkpoints'), ('checklist', 'Yes/no checklist'), ('deduction', "Deductions per occurrence from the section's max")], max_length=20, verbose_name='scoring'),
        ),
    ]
