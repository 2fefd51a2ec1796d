"""A budget shared by the processes of one host, in an SQLite file (standard library).

Each spend is one ``BEGIN IMMEDIATE`` transaction (the file's write lock is taken
before anything is read, so two processes cannot both see the same room), in WAL mode
(readers never wait on a writer). The file is created with mode 0600 (its ``-wal`` and
``-shm`` companions take the same mode); an existing file keeps its mode. WAL needs
the file on a local disk, not a network share.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Final

from chump_typed._budget_keys import COLLAPSED_KEPT, check_seconds
from chump_typed._budget_shared import SharedBudget
from chump_typed._fork import renew_after_fork
from chump_typed._scrub import scrub_public
from chump_typed.budget import DAY

__all__ = ["SQLiteBudget"]

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS spends (at REAL NOT NULL, units INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS spends_at ON spends (at)",
    "CREATE TABLE IF NOT EXISTS closed"
    " (id INTEGER PRIMARY KEY CHECK (id = 1), until REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS claims"
    " (digest BLOB PRIMARY KEY, until REAL NOT NULL, collapsed INTEGER NOT NULL)",
)

#: Seconds a statement waits for another process's write lock before the store
#: counts as unreachable (a spend holds it for well under a millisecond).
DEFAULT_TIMEOUT: Final = 5.0


class SQLiteBudget(SharedBudget):
    """A budget shared by every process of one host that opens the same file.

    :param path: the SQLite file (created, mode 0600, if missing; its folder must
        exist).
    :param per_hour: units that may be spent in any 3,600 s (``None``: no cap).
    :param per_day: units that may be spent in any 86,400 s (``None``: no cap).
    :param clock: seconds since the epoch, :func:`time.time` by default.
    :param processes: how many processes share the file: while it cannot be used
        (a locked or unreadable file), each spends ``cap // processes`` (at least 1)
        from its own memory, and tries the file again with backoff.
    :param timeout: seconds a spend waits for another process's write lock.

    Each process (and each budget object) keeps its own connection; a forked child
    opens its own. Processes may give different caps: each enforces its own over the
    spends of all.
    """

    _unreachable = (sqlite3.Error, OSError)

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        per_hour: int | None = None,
        per_day: int | None = None,
        clock: Callable[[], float] | None = None,
        processes: int = 4,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not isinstance(path, (str, os.PathLike)):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"path: expected a str or a path, got a {type(path).__name__}"
            )
        self._path: Final = Path(path)
        self._timeout: Final = check_seconds("timeout", timeout)
        super().__init__(
            per_hour=per_hour, per_day=per_day, clock=clock, processes=processes
        )
        self._connection: sqlite3.Connection | None = None
        #: Closes the connection if the budget is dropped unclosed.
        self._finalizer: weakref.finalize[[], SQLiteBudget] | None = None
        self._lock = threading.Lock()
        renew_after_fork(self)

    def _after_fork_in_child(self) -> None:
        super()._after_fork_in_child()
        # The parent's connection is not closed here (that would disturb its lock
        # state): the child drops it and opens its own.
        if self._finalizer is not None:
            self._finalizer.detach()
        self._connection, self._finalizer = None, None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self._path

    def close(self) -> None:
        """Close this process's connection (the file and its counts stay; a later
        spend opens a new one)."""
        with self._lock:
            self._connection, finalizer = None, self._finalizer
            self._finalizer = None
        if finalizer is not None:
            finalizer()  # closes the connection, once

    def __repr__(self) -> str:
        return (
            f"SQLiteBudget({str(self._path)!r}, per_hour={self.per_hour!r}, "
            f"per_day={self.per_day!r})"
        )

    # -- The file ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # Created 0600 before SQLite opens it (SQLite would use 0644 less the umask).
        os.close(os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600))
        connection = sqlite3.connect(
            self._path,
            timeout=self._timeout,
            isolation_level=None,  # transactions are begun and ended here
            check_same_thread=False,  # used by one thread at a time, under _lock
        )
        try:
            self._use_wal(connection)
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                connection.execute(statement)
            connection.execute("COMMIT")
        except BaseException:
            connection.close()
            raise
        return connection

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        """Put the file in WAL mode (once: it stays so). Two processes switching a new
        file at once can deadlock, and SQLite then answers "database is locked" at
        once, without its busy wait: try again, paced (10 ms doubling to 200 ms), for
        up to the budget's *timeout*."""
        deadline = time.monotonic() + self._timeout
        pause = 0.01
        while True:
            try:
                connection.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as error:
                busy = "locked" in str(error) or "busy" in str(error)
                if not busy or time.monotonic() + pause > deadline:
                    raise
            else:
                return
            time.sleep(pause)
            pause = min(0.2, pause * 2)

    @contextlib.contextmanager
    def _transaction(self) -> Generator[sqlite3.Connection, None, None]:
        """One ``BEGIN IMMEDIATE`` transaction, committed unless it raises."""
        with self._lock:
            if self._connection is None:
                self._connection = self._connect()
                self._finalizer = weakref.finalize(self, self._connection.close)
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (busy, I/O, a full disk) too: never leave the
                # connection inside a transaction, where every BEGIN would fail.
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                raise

    def _store_spend(self, now: float | None, units: int, reserve: int) -> float | None:
        at = self.clock() if now is None else now
        with self._transaction() as db:
            (until,) = db.execute(
                "SELECT COALESCE(MAX(until), 0) FROM closed"
            ).fetchone()
            if until > at:
                return float(until)
            db.execute("DELETE FROM spends WHERE at <= ?", (at - DAY,))
            room_at: float | None = None
            for cap, span in self._caps:
                (used,) = db.execute(
                    "SELECT COALESCE(SUM(units), 0) FROM spends WHERE at > ?",
                    (at - span,),
                ).fetchone()
                excess = used + units + reserve - cap
                if excess <= 0:
                    continue
                rows: list[tuple[float, int]] = db.execute(
                    "SELECT at, units FROM spends WHERE at > ? ORDER BY at",
                    (at - span,),
                ).fetchall()
                when = at + span  # more than the cap: an estimate
                for spent_at, spent in rows:
                    excess -= spent
                    if excess <= 0:
                        when = spent_at + span
                        break
                room_at = when if room_at is None else max(room_at, when)
            if room_at is not None:
                return room_at
            db.execute("INSERT INTO spends (at, units) VALUES (?, ?)", (at, units))
            return None

    def _store_refund(self, now: float | None, units: int) -> None:
        at = self.clock() if now is None else now
        with self._transaction() as db:
            row: tuple[int, int] | None = db.execute(
                "SELECT rowid, units FROM spends WHERE units >= ? AND at > ?"
                " ORDER BY at DESC, rowid DESC LIMIT 1",
                (units, at - DAY),
            ).fetchone()
            if row is None:
                return
            rowid, spent = row
            if spent > units:
                db.execute(
                    "UPDATE spends SET units = ? WHERE rowid = ?",
                    (spent - units, rowid),
                )
            else:
                db.execute("DELETE FROM spends WHERE rowid = ?", (rowid,))

    def _store_close_until(self, reset: float) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO closed (id, until) VALUES (1, ?) ON CONFLICT (id)"
                " DO UPDATE SET until = MAX(until, excluded.until)",
                (reset,),
            )

    def _store_closed_until(self, now: float | None) -> float | None:
        at = self.clock() if now is None else now
        with self._transaction() as db:
            row: tuple[float] | None = db.execute(
                "SELECT until FROM closed WHERE until > ?", (at,)
            ).fetchone()
        return None if row is None else float(row[0])

    def _store_claim(self, now: float | None, digest: bytes, seconds: float) -> bool:
        at = self.clock() if now is None else now
        with self._transaction() as db:
            db.execute(
                "DELETE FROM claims WHERE until <= ? AND (collapsed = 0 OR until <= ?)",
                (at, at - COLLAPSED_KEPT),
            )
            row: tuple[float] | None = db.execute(
                "SELECT until FROM claims WHERE digest = ?", (digest,)
            ).fetchone()
            if row is not None and row[0] > at:
                db.execute(
                    "UPDATE claims SET collapsed = collapsed + 1 WHERE digest = ?",
                    (digest,),
                )
                return False
            db.execute(
                "INSERT INTO claims (digest, until, collapsed) VALUES (?, ?, 0)"
                " ON CONFLICT (digest) DO UPDATE SET until = excluded.until",
                (digest, at + seconds),
            )
            return True

    def _store_take_collapsed(self, now: float | None, digest: bytes) -> int:
        with self._transaction() as db:
            row: tuple[int] | None = db.execute(
                "SELECT collapsed FROM claims WHERE digest = ?", (digest,)
            ).fetchone()
            if row is None or row[0] == 0:
                return 0
            db.execute("UPDATE claims SET collapsed = 0 WHERE digest = ?", (digest,))
            return int(row[0])


scrub_public(globals())
