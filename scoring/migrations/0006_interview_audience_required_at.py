"""Interview audiences say at which visits an interview of them is required.
The 2012 rubric (version "2012", seed 000) requires every audience at head
office's checks and at a branch's checks of its offices, none at a branch's
check of its own counters (reported in its acceptance report instead), as
fixtures/rubric-2012.yaml now says."""

from django.db import migrations, models


def require_2012_interviews(apps, schema_editor):
    InterviewAudience = apps.get_model("scoring", "InterviewAudience")
    InterviewAudience.objects.filter(rubric__version="2012").update(
        required_at_head_office_check=True, required_at_office_self_inspection=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0005_field_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="interviewaudience",
            name="required_at_branch_self_inspection",
            field=models.BooleanField(
                default=False,
                verbose_name="required at a branch's self-inspection of its own counters",
            ),
        ),
        migrations.AddField(
            model_name="interviewaudience",
            name="required_at_head_office_check",
            field=models.BooleanField(default=False, verbose_name="required at head-office checks"),
        ),
        migrations.AddField(
            model_name="interviewaudience",
            name="required_at_office_self_inspection",
            field=models.BooleanField(
                default=False, verbose_name="required at a branch's self-inspection of an office"
            ),
        ),
        migrations.RunPython(require_2012_interviews, migrations.RunPython.noop),
    ]
