"""Where the fits run: in this process, in local worker processes, or on a Dask cluster.

An executor maps a function over chunks of work and returns the results in order. The registry names
each backend; `executor_for` picks local processes by default and Dask when a scheduler address is
given (`plantracker forecast --scheduler tcp://host:8786`), so a national county-level run can use a
cluster with the same code.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, Protocol

PARALLEL_FROM = 400  # series; below this starting worker processes costs more than it saves


class Executor(Protocol):
    name: str
    workers: int

    def map(self, fn: Callable[[Any], Any], chunks: list[Any]) -> list[Any]: ...


class InProcess:
    name, workers = "in-process", 1

    def map(self, fn: Callable[[Any], Any], chunks: list[Any]) -> list[Any]:
        return [fn(c) for c in chunks]


class LocalProcesses:
    """A pool of forked worker processes on this machine, one per core unless told otherwise."""

    name = "processes"

    def __init__(self, jobs: int | None = None) -> None:
        self.workers = max(1, jobs or os.cpu_count() or 1)

    def map(self, fn: Callable[[Any], Any], chunks: list[Any]) -> list[Any]:
        if self.workers == 1 or len(chunks) <= 1:
            return [fn(c) for c in chunks]
        with ProcessPoolExecutor(self.workers, mp_context=get_context("fork")) as pool:
            return list(pool.map(fn, chunks))


class DaskCluster:
    """A `dask.distributed` scheduler at `address` (its workers need this package installed)."""

    name = "dask"

    def __init__(self, address: str) -> None:
        from dask.distributed import Client

        self.address = address
        self.client = Client(address, set_as_default=False)
        self.workers = max(1, sum(self.client.nthreads().values()))

    def map(self, fn: Callable[[Any], Any], chunks: list[Any]) -> list[Any]:
        futures = self.client.map(fn, chunks, pure=False)
        return self.client.gather(futures)

    def close(self) -> None:
        self.client.close()


EXECUTORS: dict[str, Callable[..., Executor]] = {
    "in-process": lambda **_: InProcess(),
    "processes": lambda jobs=None, **_: LocalProcesses(jobs),
    "dask": lambda address, **_: DaskCluster(address),
}


def executor_for(scheduler: str | None = None, jobs: int | None = None, count: int = 0) -> Executor:
    """Dask at `scheduler` if given; else local processes for a large batch, this process for a small one."""
    if scheduler:
        return EXECUTORS["dask"](address=scheduler)
    if jobs == 1 or (jobs is None and count < PARALLEL_FROM):
        return EXECUTORS["in-process"]()
    return EXECUTORS["processes"](jobs=jobs)


def chunked(items: list[Any], workers: int) -> list[list[Any]]:
    """About four chunks per worker, so a slow chunk does not leave the others idle."""
    if not items:
        return []
    size = max(1, -(-len(items) // (4 * workers)))
    return [items[i : i + size] for i in range(0, len(items), size)]
