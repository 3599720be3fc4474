"""
The garbage collector paused for the length of one large read and write.

A large workbook or report makes hundreds of thousands of small objects (rows of figures, cells'
text). Python's collector counts them and, every so often, walks every object the process holds
looking for reference cycles, of which these rows make none: in a server process holding a large
heap that walk cost a fifth of the commissioner's workbook (benchmarks/commissioner_workbook.py).
While paused, memory is still freed as usual the moment nothing refers to it; only cycles wait
until the collector runs again.

`paused()` nests and may be used from several threads at once: the collector is switched back on
when the last pause ends, and only if it was on when the first began.
"""

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def paused():
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
