"""The counter posts of seed 004 and the business lines each covers."""

from django.db import migrations

DEFAULT_POSTS = [
    # code, name, new business, policy change, claims
    ("contract", "契约", True, False, False),
    ("first_review", "初审", True, False, False),
    ("documents", "单证", True, False, False),
    ("policy_change", "保全", False, True, False),
    ("claims", "理赔", False, False, True),
    ("renewal", "续期", False, False, False),
    ("general", "综合", False, False, False),
    ("supervisor", "主管", False, False, False),
    ("guide", "引导", False, False, False),
]


def add_posts(apps, schema_editor):
    Post = apps.get_model("inspections", "Post")
    for order, (code, name, nb, pc, cl) in enumerate(DEFAULT_POSTS):
        Post.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "covers_new_business": nb,
                "covers_policy_change": pc,
                "covers_claims": cl,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(add_posts, migrations.RunPython.noop)]
