"""A realistic schemac spec of any size, for the benchmark.

Each table has 16 columns of mixed types (uuid key, an owner, a foreign key to an earlier
table, text, numbers, dates, jsonb, arrays, two columns on shared enums), a classification
on every column (PHI ones encrypted), a check, three indexes covering its foreign keys and an
owner policy: the shape of the repo's own schema.yaml, repeated. Deterministic: the same
size gives the same bytes.

    python bench/generate.py 1000 > big.yaml
"""

from __future__ import annotations

import sys

ENUMS = {
    "status": ["draft", "active", "archived", "deleted"],
    "priority": ["low", "normal", "high", "urgent"],
    "channel": ["email", "sms", "whatsapp", "phone", "letter"],
    "region": ["north", "south", "east", "west", "central"],
    "outcome": ["success", "failure", "partial"],
}
ENUM_NAMES = list(ENUMS)


def _table(i: int) -> str:
    name = f"table_{i:05d}"
    first_enum, second_enum = ENUM_NAMES[i % len(ENUM_NAMES)], ENUM_NAMES[(i + 2) % len(ENUM_NAMES)]
    parent = f"table_{i // 2:05d}" if i else None  # a tree of foreign keys, each to an earlier table
    lines = [
        f"  {name}:",
        f"    description: Records of kind {i}, kept for the benchmark; each row belongs to one owner.",
        "    classification: administrative",
        "    retention: Kept while the owner's account exists; deleted with it.",
        "    timestamps: true",
        "    columns:",
        "      id:",
        "        type: uuid",
        "        primary_key: true",
        "        default: gen_random_uuid()",
        "        classification: administrative",
        "        description: Row identifier.",
        "      owner_id:",
        "        type: uuid",
        "        references: auth.users.id",
        "        on_delete: cascade",
        "        classification: administrative",
        "        description: The user who owns the row.",
    ]
    if parent:
        lines += [
            "      parent_id:",
            "        type: uuid",
            "        nullable: true",
            f"        references: {parent}.id",
            "        on_delete: set null",
            "        classification: administrative",
            "        description: The row of the parent kind this one hangs under.",
        ]
    else:
        lines += [
            "      parent_id:",
            "        type: uuid",
            "        nullable: true",
            "        classification: administrative",
            "        description: Unused on the first table.",
        ]
    lines += [
        "      title:",
        "        type: text",
        "        classification: public_social",
        "        description: A short public title.",
        "      full_name:",
        "        type: text",
        "        nullable: true",
        "        classification: phi",
        "        encrypted: true",
        "        description: The person's full name.",
        "      notes:",
        "        type: text",
        "        nullable: true",
        "        classification: phi",
        "        encrypted: true",
        "        description: Free-text notes about the person.",
        "      status:",
        f"        enum: {first_enum}",
        f"        default: {ENUMS[first_enum][0]}",
        "        classification: administrative",
        "        description: Where the row is in its lifecycle.",
        "      kind:",
        f"        enum: {second_enum}",
        "        nullable: true",
        "        classification: administrative",
        "        description: A second shared enum.",
        "      quantity:",
        "        type: integer",
        "        default: 0",
        "        classification: administrative",
        "        description: How many.",
        "      total:",
        "        type: bigint",
        "        nullable: true",
        "        classification: administrative",
        "        description: A running total.",
        "      price:",
        '        type: "numeric(10,2)"',
        "        default: 0",
        "        classification: administrative",
        "        description: Price in the account's currency.",
        "      is_active:",
        "        type: boolean",
        "        default: true",
        "        classification: administrative",
        "        description: False to hide the row without deleting it.",
        "      due_date:",
        "        type: date",
        "        nullable: true",
        "        classification: administrative",
        "        description: When it is due.",
        "      happened_at:",
        "        type: timestamptz",
        "        default: now()",
        "        classification: administrative",
        "        description: When it happened.",
        "      settings:",
        "        type: jsonb",
        "        default: {}",
        "        classification: administrative",
        "        description: Display settings.",
        "      tags:",
        '        type: "text[]"',
        "        default: []",
        "        classification: public_social",
        "        description: Public tags.",
        "    checks:",
        f"      - name: {name}_quantity_check",
        "        expression: quantity >= 0",
        "        description: Never negative.",
        "    indexes:",
        "      - columns: [owner_id, status]",
        "        description: An owner's rows by status; covers the owner foreign key.",
        "      - columns: [parent_id]",
        "        description: Covers the parent foreign key.",
        "      - columns: [owner_id, due_date]",
        "        unique: true",
        "        where: due_date IS NOT NULL",
        "        description: One row per owner and day.",
        "    policies:",
        f"      - name: {name}_owner",
        "        for: [select, insert, update, delete]",
        "        owner: owner_id",
        "        description: An owner reads and writes only their own rows.",
        "",
    ]
    return "\n".join(lines)


def generate(tables: int) -> str:
    """The spec text for `tables` tables."""
    parts = [
        "# Generated by bench/generate.py: a benchmark spec, not a real schema.",
        "version: 1",
        "",
        "enums:",
    ]
    for name, values in ENUMS.items():
        parts += [f"  {name}:", f"    description: Shared enum {name}.", f"    values: [{', '.join(values)}]"]
    parts += ["", "tables:"]
    parts += [_table(i) for i in range(tables)]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
