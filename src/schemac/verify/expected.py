"""The spec as this server would hold it: the model with every expression in the server's own spelling.

verify compares the database read into the model (db/inspector.py) with this, through the
differ (schemac.plan), so drift is found by the same comparison that plans migrations.
Migration hints are left out: verify asks what differs, not how it was renamed.
"""

from __future__ import annotations

import dataclasses

from ..model import Default, Identity, Schema, Table, Trigger

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .run import Normalized


def expected_model(schema: Schema, norm: Normalized) -> Schema:
    """`schema` with server-spelled defaults, checks, index predicates and policies, and no migration hints.

    What the inspector does not read back into the model (identity sequence options, index and exclusion
    elements with their operator classes, INCLUDE, NULLS NOT DISTINCT of indexes) is left out here too:
    verify/run.py compares those through the whole definitions PostgreSQL prints.
    """
    return dataclasses.replace(
        schema,
        externals=(),  # the policies on external tables are compared apart (verify/externals.py)
        tables=tuple(_table(t, norm, schema.triggers_on(t.schema, t.name)) for t in schema.tables),
        enums=tuple(dataclasses.replace(e, renamed_values=()) for e in schema.enums),
        # functions, views, triggers on tables outside public and what sql: blocks create: compared apart (verify/run.py)
        functions=(),
        views=(),
        triggers=(),
        sql_blocks=(),
    )


def _table(t: Table, norm: Normalized, triggers: tuple[Trigger, ...]) -> Table:
    def default(column: str) -> Default | None:
        sql = norm.defaults.get((t.name, column))
        return Default(sql) if sql is not None else None

    policies = []
    for p in t.policies:
        exp = norm.policies.get((t.name, p.name))
        if exp is not None and exp.problem is None:
            p = dataclasses.replace(p, operations=(exp.command.lower(),), roles=exp.roles, using=exp.using, with_check=exp.with_check)
        policies.append(p)
    return dataclasses.replace(
        t,
        renamed_from=None,
        columns=tuple(
            dataclasses.replace(
                c,
                default=None if c.generated else default(c.name),
                generated=default(c.name).sql if c.generated and default(c.name) else c.generated,
                identity=Identity(c.identity.generated) if c.identity else None,
                renamed_from=None,
                backfill=None,
                using=None,
            )
            for c in t.columns
        ),
        primary_key=t.primary_key,
        uniques=tuple(dataclasses.replace(u, renamed_from=None) for u in t.uniques),
        checks=tuple(dataclasses.replace(c, expression=norm.checks.get((t.name, c.name), c.expression), renamed_from=None) for c in t.checks),
        foreign_keys=tuple(dataclasses.replace(fk, renamed_from=None) for fk in t.foreign_keys),
        indexes=tuple(
            dataclasses.replace(
                ix,
                columns=norm.index_columns.get((t.name, ix.name), ix.columns),
                elements=(),
                include=(),
                nulls_not_distinct=False,
                where=norm.predicates.get((t.name, ix.name)),
                renamed_from=None,
            )
            for ix in t.indexes
        ),
        exclusions=tuple(dataclasses.replace(ex, elements=(), where=None) for ex in t.exclusions),
        policies=tuple(policies),
        # every trigger on the table as the inspector reads one (timing, events, function); the rest of a definition
        # (level, UPDATE OF, WHEN, transition tables, arguments) is compared whole by verify/run.py
        triggers=tuple(Trigger(trg.name, trg.timing, trg.events, trg.function) for trg in triggers),
    )
