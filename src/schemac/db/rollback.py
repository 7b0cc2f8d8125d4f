"""A block whose database changes are always undone, wherever the connection stands."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg


@contextlib.contextmanager
def rolled_back(conn: psycopg.Connection, name: str = "schemac_scratch") -> Iterator[None]:
    """A transaction rolled back at the end on an idle connection; inside an open one (apply checking
    its own uncommitted migration), a savepoint rolled back to, so the outer transaction goes on."""
    if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
        return
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    finally:
        conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
        conn.execute(f"RELEASE SAVEPOINT {name}")
