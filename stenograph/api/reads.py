"""Small database reads on the request path (a key lookup, a transcript's version).

On the hot polling path a thread hop costs more than the read itself (measured: two hops were
about 40% of a cached GET's CPU). A read on a local SQLite file therefore runs inline on the event
loop; on PostgreSQL, where it waits on the network, it goes to the thread pool like other work.
Only indexed point reads belong here: anything that loads or builds a large body runs on a thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from stenograph.store.db import Database

P = ParamSpec("P")
T = TypeVar("T")


async def point_read(db: Database, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    if db.reads_are_local:
        return read(*args, **kwargs)
    return await run_in_threadpool(read, *args, **kwargs)
