"""
Calls run at the same moment, each in its own thread and database connection, released together by a
barrier: what the PostgreSQL race tests share (SQLite lets one transaction write at a time).
"""

import threading
import time

from django.db import connections, transaction


def at_once(*calls) -> list:
    """Run each call in its own thread and connection, started together; for each call, in order, None
    when it returned or the exception it raised."""
    start = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            start.wait(timeout=10)
            call()
        except Exception as error:  # the caller says which were expected
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def waiting_on_locks() -> int:
    """How many connections to this database are waiting for a lock another holds."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def wait_until_waiting(count: int, timeout: float = 10) -> None:
    """Return once `count` connections wait for a lock; raise if that does not happen within `timeout`
    seconds (the race would not be the one the test means). Call it outside a transaction: within one,
    PostgreSQL shows the same activity at each read."""
    deadline = time.monotonic() + timeout
    while waiting_on_locks() < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{count} connection(s) should be waiting for a lock by now")
        time.sleep(0.01)


def in_turn(hold, *calls, timeout: float = 10) -> list:
    """A change in flight holds a lock while others start behind it, in a set order: `hold` runs in its
    own connection and transaction and keeps what it locked; each call then starts in its own thread and
    connection once every call before it is waiting on a lock; once all are, `hold` commits and they go
    on. For each call, in order, None when it returned or the exception it raised. Raises when `hold`
    failed or a call did not come to wait. Needs PostgreSQL (it reads pg_stat_activity)."""
    held, release = threading.Event(), threading.Event()
    outcomes = [None] * len(calls)
    holder_failed = []

    def holding():
        try:
            with transaction.atomic():
                hold()
                held.set()
                release.wait(timeout=timeout)
        except Exception as error:
            holder_failed.append(error)
        finally:
            held.set()
            connections.close_all()

    def run(index, call):
        try:
            call()
        except Exception as error:  # the caller says which were expected
            outcomes[index] = error
        finally:
            connections.close_all()

    holder = threading.Thread(target=holding)
    holder.start()
    held.wait(timeout=timeout)
    threads = []
    try:
        for index, call in enumerate(calls):
            thread = threading.Thread(target=run, args=(index, call))
            thread.start()
            threads.append(thread)
            wait_until_waiting(index + 1, timeout)
    finally:
        release.set()
        for thread in (holder, *threads):
            thread.join(timeout=30)
    if holder_failed:
        raise holder_failed[0]
    return outcomes
