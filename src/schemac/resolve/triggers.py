"""The `triggers:` section resolved into model Triggers.

A trigger may sit on a table of the spec or on a Supabase table the spec does not own
(auth.users: Supabase's `handle_new_user` pattern). Its function must be a function of the
spec that returns `trigger`; its WHEN condition is read by PostgreSQL's parser with the
table's columns in scope as OLD.column and NEW.column.
"""

from __future__ import annotations

import difflib

from ..model import Function, Table, Trigger, View
from ..spec.language import TriggerSpec
from .expressions import TRIGGER_WHEN, Scope
from .problems import Problems

# The columns of Supabase's auth.users (supabase/auth migrations), so a WHEN condition on it can be checked.
AUTH_USERS_COLUMNS = frozenset(
    "instance_id id aud role email encrypted_password email_confirmed_at invited_at confirmation_token confirmation_sent_at "
    "recovery_token recovery_sent_at email_change_token_new email_change email_change_sent_at last_sign_in_at "
    "raw_app_meta_data raw_user_meta_data is_super_admin created_at updated_at phone phone_confirmed_at phone_change "
    "phone_change_token phone_change_sent_at confirmed_at email_change_token_current email_change_confirm_status "
    "banned_until reauthentication_token reauthentication_sent_at is_sso_user deleted_at is_anonymous".split()
)
EXTERNAL_TABLES = {("auth", "users"): AUTH_USERS_COLUMNS}

# Trigger functions PostgreSQL or a contrib extension ships, which a trigger may run without a `functions:` entry:
# name -> the extension that brings it (None: built into pg_catalog). Supabase's `moddatetime(updated_at)` is the
# common one.
READY_TRIGGER_FUNCTIONS: dict[str, str | None] = {
    "moddatetime": "moddatetime",
    "insert_username": "insert_username",
    "autoinc": "autoinc",
    "tsvector_update_trigger": None,
    "tsvector_update_trigger_column": None,
    "suppress_redundant_updates_trigger": None,
}


def ready_trigger_function(written: str, extensions: dict[str, str]) -> tuple[str | None, str | None]:
    """(schema.name, None) for a ready-made trigger function as written (bare or qualified), or (None, why not);
    (None, None) when the name is not one of them. `extensions` maps each declared extension to its schema."""
    schema, _, name = written.rpartition(".")
    if name not in READY_TRIGGER_FUNCTIONS:
        return None, None
    extension = READY_TRIGGER_FUNCTIONS[name]
    home = "pg_catalog" if extension is None else extensions.get(extension)
    if home is None:
        return None, f"{name} comes from the {extension} extension; declare it: 'extensions: {{{extension}: {{schema: extensions}}}}'"
    if schema and schema != home:
        return None, f"{name} lives in schema {home}, not {schema}; write '{home}.{name}' or '{name}'"
    return f"{home}.{name}", None


def build_triggers(
    specs: dict[str, TriggerSpec], tables: dict[str, Table], functions: dict[str, Function], all_functions: set[str], problems: Problems,
    views: dict[str, View] | None = None, extensions: dict[str, str] | None = None,
) -> tuple[Trigger, ...]:
    """Triggers on spec tables, on auth.users, and (INSTEAD OF) on the spec's views."""
    views = views or {}
    triggers = []
    names: dict[tuple[str, str, str], str] = {}
    for table in tables.values():
        for trg in table.triggers:
            names[("public", table.name, trg.name)] = "the updated_at trigger of 'timestamps: true'"
    for name, spec in specs.items():
        trigger = _build_trigger(name, spec, tables, functions, all_functions, problems, views, extensions or {})
        if trigger is None:
            continue
        key = (trigger.table_schema, trigger.table, trigger.name)
        if key in names:
            where = ("triggers", name, "name") if spec.name is not None else ("triggers", name)
            problems.add(where, f"table {trigger.table_qualified} already has a trigger named '{trigger.name}' ({names[key]}); rename this one")
            continue
        names[key] = f"triggers.{name}"
        triggers.append(trigger)
    return tuple(triggers)


def _ready_function_arguments(function: str, spec: TriggerSpec, columns: frozenset[str], path, problems: Problems) -> bool:
    """moddatetime sets the one column its argument names, before an update: say so at compile time, not at the
    first UPDATE."""
    if function.endswith(".moddatetime"):
        if len(spec.arguments) != 1 or spec.arguments[0] not in columns:
            problems.add(path + ("arguments",), "moddatetime takes one argument, the timestamp column it sets: e.g. 'arguments: [updated_at]'")
            return False
        if spec.timing != "before" or spec.for_each != "row":
            problems.add(path + ("timing",), "moddatetime sets NEW's column, so it runs 'timing: before' for each row")
            return False
    return True


def _build_trigger(
    name: str, spec: TriggerSpec, tables: dict[str, Table], functions: dict[str, Function], all_functions: set[str], problems: Problems,
    views: dict[str, View], extensions: dict[str, str],
) -> Trigger | None:
    path = ("triggers", name)
    ok = problems.name(path, name, "trigger")
    if spec.name is not None:
        ok = problems.name(path + ("name",), spec.name, "trigger") and ok
    schema, _, table = spec.table.rpartition(".")
    schema = schema or "public"
    on_view = schema == "public" and table in views and table not in tables
    if schema == "public" and table in tables:
        columns = frozenset(c.name for c in tables[table].columns)
    elif on_view:
        columns = frozenset(c.name for c in views[table].columns)
    elif (schema, table) in EXTERNAL_TABLES:
        columns = EXTERNAL_TABLES[(schema, table)]
    else:
        close = difflib.get_close_matches(spec.table, sorted(tables) + sorted(views) + ["auth.users"], n=1)
        hint = f"did you mean '{close[0]}'?" if close else "name a table or view of this spec, or auth.users"
        problems.add(path + ("table",), f"unknown table '{spec.table}' for trigger '{name}'; {hint}")
        return None
    function = functions.get(spec.function)
    ready, why_not = (None, None) if function is not None else ready_trigger_function(spec.function, extensions)
    if why_not is not None:
        problems.add(path + ("function",), why_not)
        return None
    if ready is not None:
        ok = _ready_function_arguments(ready, spec, columns, path, problems) and ok
    elif function is None:
        if spec.function not in all_functions:  # a function with its own errors is reported there
            close = difflib.get_close_matches(spec.function, sorted(all_functions), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "declare it under 'functions:' with 'returns: trigger'"
            problems.add(path + ("function",), f"unknown function '{spec.function}'; {hint}")
        return None
    if function is not None and not function.returns.trigger:
        problems.add(path + ("function",), f"function '{spec.function}' returns {function.returns.sql}, not trigger; a trigger runs a function declared with 'returns: trigger'")
        ok = False
    instead = spec.timing == "instead of"
    if on_view and not instead:
        problems.add(path + ("timing",), f"a view takes only INSTEAD OF triggers (PostgreSQL refuses {spec.timing.upper()} row triggers on views); write 'timing: instead of'")
        ok = False
    if instead and not on_view:
        problems.add(path + ("timing",), f"INSTEAD OF triggers go on views, and '{spec.table}' is not a view of this spec; use before or after on a table")
        ok = False
    if instead and views.get(table) is not None and views[table].materialized:
        problems.add(path + ("table",), f"'{table}' is a materialized view, which takes no triggers; write to its tables instead")
        ok = False
    if instead and spec.for_each != "row":
        problems.add(path + ("for_each",), "an INSTEAD OF trigger fires for each row; remove 'for_each: statement'")
        ok = False
    if instead and "truncate" in spec.events:
        problems.add(path + ("events",), "an INSTEAD OF trigger fires on insert, update or delete, not TRUNCATE; drop 'truncate'")
        ok = False
    if instead and spec.when is not None:
        problems.add(path + ("when",), "an INSTEAD OF trigger cannot have WHEN (PostgreSQL refuses it); test the condition in the function")
        ok = False
    if instead and spec.update_of:
        problems.add(path + ("update_of",), "an INSTEAD OF trigger cannot have UPDATE OF (PostgreSQL refuses it); test the columns in the function")
        ok = False
    # in the order the catalog lists them (pg_trigger.tgtype bits), so spec and database spell a trigger alike
    events = tuple(e for e in ("INSERT", "DELETE", "UPDATE", "TRUNCATE") if e.lower() in spec.events)
    level = spec.for_each.upper()
    for i, column in enumerate(spec.update_of):
        if column not in columns:
            close = difflib.get_close_matches(column, sorted(columns), n=1)
            problems.add(path + ("update_of", i), f"unknown column '{column}' of {schema}.{table}" + (f"; did you mean '{close[0]}'?" if close else ""))
            ok = False
    if spec.update_of and "UPDATE" not in events:
        problems.add(path + ("update_of",), "'update_of' needs 'update' among the events")
        ok = False
    if "TRUNCATE" in events and level == "ROW":
        problems.add(path + ("events",), "TRUNCATE fires only statement-level triggers; write 'for_each: statement' or drop 'truncate'")
        ok = False
    when = None
    if spec.when is not None and not instead:
        if level == "STATEMENT":
            problems.add(path + ("when",), "a statement-level trigger cannot have WHEN (there is no OLD or NEW row); use for_each: row")
            ok = False
        else:
            scope = Scope(None, columns, row_names=frozenset({"old", "new"}))
            when = problems.expression(path + ("when",), spec.when, TRIGGER_WHEN, scope)
            ok = ok and when is not None
    old_table = new_table = None
    if spec.referencing is not None:
        old_table, new_table = spec.referencing.old_table, spec.referencing.new_table
        if spec.timing != "after":
            problems.add(path + ("referencing",), "transition tables ('referencing') need an AFTER trigger")
            ok = False
        if old_table is None and new_table is None:
            problems.add(path + ("referencing",), "'referencing' needs old_table or new_table")
            ok = False
        for key, value in (("old_table", old_table), ("new_table", new_table)):
            if value is not None:
                ok = problems.name(path + ("referencing", key), value, "transition table") and ok
        if old_table is not None and "INSERT" in events:
            problems.add(path + ("referencing", "old_table"), "an INSERT has no old rows; drop old_table or the insert event")
            ok = False
        if new_table is not None and "DELETE" in events:
            problems.add(path + ("referencing", "new_table"), "a DELETE has no new rows; drop new_table or the delete event")
            ok = False
    for i, arg in enumerate(spec.arguments):
        if "\x00" in arg:
            problems.add(path + ("arguments", i), "a trigger argument cannot contain a NUL character")
            ok = False
    if not ok:
        return None
    return Trigger(
        name=spec.name if spec.name is not None else name,
        timing=spec.timing.upper(),
        events=events,
        function=ready if ready is not None else f"public.{function.name}",
        level=level,
        update_of=tuple(spec.update_of),
        when=when,
        old_table=old_table,
        new_table=new_table,
        arguments=tuple(spec.arguments),
        description=spec.description,
        table_schema=schema,
        table=table,
        pos=problems.loaded.pos(path),
    )
