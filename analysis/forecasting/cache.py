"""Fits kept across builds, keyed by the series' content.

A series' decision (the method its backtest chose, the backtest errors and the forecast path) depends
only on the numbers it was fitted on and on the engine's settings and library versions, all of which
go into the key (decisions.key). The cache can therefore never change a figure: a hit returns what a
fresh fit would give, and anything that does not decode is a miss that is fitted again. Where the bytes
live (a file under the project's cache folder) is the reading layer's business: `StoredCache` takes any
object with `get_many(keys) -> {key: bytes}` and `put_many({key: bytes})`.
"""

from __future__ import annotations

import json
from typing import Protocol

import numpy as np

from analysis.forecasting.decisions import Decision


class FitCache(Protocol):
    def get_many(self, keys: list[str]) -> dict[str, Decision]: ...

    def put_many(self, items: dict[str, Decision]) -> None: ...


class ByteStore(Protocol):
    def get_many(self, keys: list[str]) -> dict[str, bytes]: ...

    def put_many(self, items: dict[str, bytes]) -> None: ...


class MemoryCache:
    """Within one process: a series forecast for the report and again for P(met) is fitted once."""

    def __init__(self) -> None:
        self.items: dict[str, Decision] = {}

    def get_many(self, keys: list[str]) -> dict[str, Decision]:
        return {k: self.items[k] for k in keys if k in self.items}

    def put_many(self, items: dict[str, Decision]) -> None:
        self.items.update(items)


class StoredCache:
    """Decisions in memory, backed by a byte store shared across processes and builds."""

    def __init__(self, store: ByteStore) -> None:
        self.store = store
        self.memory = MemoryCache()

    def get_many(self, keys: list[str]) -> dict[str, Decision]:
        found = self.memory.get_many(keys)
        stored = self.store.get_many([k for k in keys if k not in found])
        decoded = {k: d for k, d in ((k, decode(v)) for k, v in stored.items()) if d is not None}
        self.memory.put_many(decoded)
        return found | decoded

    def put_many(self, items: dict[str, Decision]) -> None:
        self.memory.put_many(items)
        self.store.put_many({k: encode(d) for k, d in items.items()})


def encode(d: Decision) -> bytes:
    head = json.dumps({"method": d.method, "errors": d.errors, "note": d.note}).encode()
    return len(head).to_bytes(4, "little") + head + np.asarray(d.path, dtype="<f8").tobytes()


def decode(blob: bytes) -> Decision | None:
    try:
        size = int.from_bytes(blob[:4], "little")
        head = json.loads(blob[4 : 4 + size].decode())
        path = np.frombuffer(blob[4 + size :], dtype="<f8").copy()
        errors = {str(k): float(v) for k, v in head["errors"].items()}
        return Decision(str(head["method"]), errors, str(head["note"]), path)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None
