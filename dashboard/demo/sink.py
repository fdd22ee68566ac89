"""Streaming writers: batches of generated rows into SQLite (executemany) or PostgreSQL (COPY).

A batch is a mapping column name -> sequence of plain Python values (int, float, str, bool, None);
dates and times arrive as strings in the format SQLAlchemy itself stores in SQLite
(``YYYY-MM-DD`` and ``YYYY-MM-DDTHH:MM:SS``, see ``dashboard.models.Timestamp``), which
PostgreSQL also parses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from sqlalchemy import Engine, Index

from dashboard.models import Base


class Rows(dict):
    """A table's rows gathered column by column for :meth:`Sink.write`; absent columns are NULL.

    ``add`` numbers the rows (1, 2, …) when the table has an ``id`` the caller does not give.
    """

    def __init__(self, table: str):
        super().__init__({column.name: [] for column in Base.metadata.tables[table].columns})
        self.next_id = 1

    def add(self, **row) -> int | None:
        """Append one row; returns its id."""
        if "id" in self and "id" not in row:
            row["id"] = self.next_id
            self.next_id += 1
        for name, values in self.items():
            values.append(row.get(name))
        return row.get("id")


class Sink:
    """Writes batches to one database through a raw DBAPI connection, counting rows per table."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()
        self.rows: dict[str, int] = {}
        self._deferred: list[Index] = []
        if self.dialect == "sqlite":
            cur = self.raw.cursor()
            for pragma in ("synchronous = OFF", "cache_size = -262144", "temp_store = MEMORY"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

    def defer_indexes(self) -> None:
        """Drop the secondary indexes of the platform tables; ``restore_indexes`` builds them after the load."""
        with self.engine.begin() as conn:
            for table in Base.metadata.sorted_tables:
                for index in table.indexes:
                    if not index.unique:
                        index.drop(conn)
                        self._deferred.append(index)

    def restore_indexes(self) -> None:
        """Create the indexes dropped by ``defer_indexes``."""
        self.raw.commit()
        with self.engine.begin() as conn:
            for index in self._deferred:
                index.create(conn)
        self._deferred.clear()

    def write(self, table: str, batch: Mapping[str, Sequence]) -> int:
        """Append one batch of rows to ``table``; returns the number of rows written."""
        columns = list(batch)
        values = [batch[c] for c in columns]
        n = len(values[0]) if values else 0
        if n == 0:
            return 0
        rows = zip(*values, strict=True)
        cur = self.raw.cursor()
        if self.dialect == "sqlite":
            marks = ",".join("?" * len(columns))
            cur.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)
        else:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(rows)
            buf.seek(0)
            cur.copy_expert(f"COPY {table} ({','.join(columns)}) FROM STDIN WITH (FORMAT csv)", buf)
        cur.close()
        self.rows[table] = self.rows.get(table, 0) + n
        return n

    def commit(self) -> None:
        """Commit what has been written so far."""
        self.raw.commit()

    def close(self) -> None:
        """Commit and release the connection."""
        self.raw.commit()
        self.raw.close()

    def update_many(self, table: str, column: str, key: str, pairs: Sequence[tuple]) -> None:
        """``UPDATE table SET column = value WHERE key = k`` for each (value, k)."""
        mark = "?" if self.dialect == "sqlite" else "%s"
        cur = self.raw.cursor()
        cur.executemany(f"UPDATE {table} SET {column} = {mark} WHERE {key} = {mark}", list(pairs))
        cur.close()
