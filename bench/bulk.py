"""Bulk rows for the read-side benchmarks (inbox, reports, score table): what a settled database
holds, written in one go — PostgreSQL ``COPY``, SQLite one ``executemany`` per table — then
analysed, as autovacuum / ``ANALYZE`` would leave it. Benchmarks of reading only: the rows are
not made through the commands (100,000 projects through the engine would take an hour)."""

from __future__ import annotations

from workflows.store import Database


def load(db: Database, tables: dict[str, tuple[str, list]], serial: tuple[str, ...] = ()) -> None:
    """``tables``: table → ("col, col, …", rows), in insert order; ``serial``: tables whose id
    sequence PostgreSQL must move past the copied ids."""
    raw = db.engine.raw_connection()
    try:
        if not db.is_sqlite:
            with raw.driver_connection.cursor() as cur:
                for table, (cols, rows) in tables.items():
                    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                for table in serial:
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
            raw.driver_connection.commit()
            # VACUUM runs outside a transaction; the connection then goes back to the pool, which
            # does not reset autocommit: left on, the benchmark's next reads on that connection ran
            # without a transaction and a streamed query (yield_per: a server-side cursor) failed
            # with "DECLARE CURSOR can only be used in transaction blocks" (bench/score_table.py)
            raw.driver_connection.autocommit = True
            try:
                with raw.driver_connection.cursor() as cur:
                    cur.execute("VACUUM ANALYZE")
            finally:
                raw.driver_connection.autocommit = False
        else:
            cur = raw.cursor()
            cur.execute("BEGIN")
            for table, (cols, rows) in tables.items():
                marks = ", ".join("?" for _ in cols.split(","))
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
            cur.execute("COMMIT")
            cur.execute("ANALYZE")
            cur.close()
    finally:
        raw.close()
