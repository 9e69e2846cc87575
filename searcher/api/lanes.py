"""Worker-thread lanes: searches, health checks and writes each wait only for their own kind.

Engine calls block (tantivy and the Python snippet code on the embedded engine; network waits on
a cluster), so routes hand them to AnyIO worker threads.  With one shared pool, one slow search
could hold every thread while /health and the next search queued behind it.  Each lane is its
own capacity limiter instead:

* search — embedded: two threads.  Its work is CPU-bound Python with tantivy calls that drop
  and retake the GIL; many threads only convoy (measured: 75 vs 26 searches/s at 40 threads),
  but two keep a second search moving while one is slow.  Clusters wait on the network: many.
* health — its own threads, so a load balancer's probe is answered whatever searches do.
* write — one at a time per process; the engine serialises writes anyway.

Scale out with `searcher serve --workers N`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

P = ParamSpec("P")
T = TypeVar("T")

SEARCH_THREADS = {"embedded": 2}
CLUSTER_SEARCH_THREADS = 40
HEALTH_THREADS = 4
WRITE_THREADS = 1


@dataclass(frozen=True)
class Lanes:
    search: CapacityLimiter
    health: CapacityLimiter
    write: CapacityLimiter

    @classmethod
    def for_engine(cls, engine_name: str) -> Lanes:
        return cls(
            search=CapacityLimiter(SEARCH_THREADS.get(engine_name, CLUSTER_SEARCH_THREADS)),
            health=CapacityLimiter(HEALTH_THREADS),
            write=CapacityLimiter(WRITE_THREADS),
        )


async def run_in(
    lane: CapacityLimiter, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """Run a blocking call on a worker thread of `lane`."""
    call = functools.partial(function, *args, **kwargs)
    return await anyio.to_thread.run_sync(call, limiter=lane)
