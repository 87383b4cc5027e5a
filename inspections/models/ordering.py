"""The organisation's own order, for every list of branches, offices or units
(a branch itself or one of its offices) that the app shows or exports.

Branches by rollout batch (首批, 第二批, 第三批), then their display order, then
code; within a branch its own unit first, then its offices by display order and
code. Integers, and codes compared byte by byte, so no database collation (nor
where a database puts NULLs) decides it.
"""

from django.db.models import F, Func, IntegerField

from scoring.models import RolloutBatch


class Bytewise(Func):
    """A text expression compared byte by byte (codes, employee numbers):
    SQLite's default BINARY collation, PostgreSQL's "C"."""

    template = "%(expressions)s"

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template='%(expressions)s COLLATE "C"', **extra_context
        )


def bytewise(field: str) -> Bytewise:
    return Bytewise(F(field))


class BatchRank(Func):
    """A rollout batch's place in the rollout (首批 0, 第二批 1, …). A simple SQL
    CASE over the column: Django cannot re-root a Case/When (Q) expression when
    another model's default ordering follows a relation to this one."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        whens = " ".join("WHEN %s THEN %s" for _batch in RolloutBatch)
        values = [v for rank, batch in enumerate(RolloutBatch) for v in (batch.value, rank)]
        return (
            f"CASE {column} {whens} ELSE %s END",
            (*params, *values, len(RolloutBatch)),
        )


def branch_order(prefix: str = "") -> list:
    """ORDER BY terms for branches reached through `prefix` (e.g. "visit__branch__")."""
    return [
        BatchRank(F(f"{prefix}rollout_batch")).asc(),
        F(f"{prefix}order").asc(),
        bytewise(f"{prefix}code").asc(),
    ]


def office_order(prefix: str = "") -> list:
    """ORDER BY terms for offices reached through `prefix` (e.g. "responsible_office__")."""
    return [
        *branch_order(f"{prefix}branch__"),
        F(f"{prefix}order").asc(),
        bytewise(f"{prefix}code").asc(),
    ]


def unit_order(branch: str = "branch__", office: str = "office__") -> list:
    """ORDER BY terms for units: the branch's order, then the branch's own unit
    (no office) first, then its offices."""
    return [
        *branch_order(branch),
        F(f"{office}order").asc(nulls_first=True),
        bytewise(f"{office}code").asc(nulls_first=True),
    ]
