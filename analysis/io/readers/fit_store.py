"""The forecast fits kept across builds: an SQLite file of opaque values by key, under the cache folder.

The forecasting stage decides what a key and a value are (analysis.forecasting.cache); this layer only
stores bytes. Several processes may use the file at once (SQLite's own locking). Any failure to open,
read or write it is a miss or a skipped write, never an error: a fit is simply made again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from analysis.core import paths


def fit_store_file(root: Path) -> Path:
    return paths.cache_dir(root) / "forecast-fits.sqlite"


class FitStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS fits (key TEXT PRIMARY KEY, value BLOB)")
        return db

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        if not keys:
            return found
        try:
            db = self._connect()
            try:
                for i in range(0, len(keys), 500):
                    part = keys[i : i + 500]
                    marks = ",".join("?" * len(part))
                    query = f"SELECT key, value FROM fits WHERE key IN ({marks})"
                    found |= {str(k): bytes(v) for k, v in db.execute(query, part)}
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            return found
        return found

    def put_many(self, items: dict[str, bytes]) -> None:
        if not items:
            return
        try:
            db = self._connect()
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO fits VALUES (?, ?)", list(items.items()))
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            return


def project_fit_store(root: Path) -> FitStore:
    return FitStore(fit_store_file(root))
