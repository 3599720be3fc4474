"""
Calls run at the same moment, each in its own thread and database connection, released together by a
barrier: what the PostgreSQL race tests share (SQLite lets one transaction write at a time).
"""

import threading

from django.db import connections


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
