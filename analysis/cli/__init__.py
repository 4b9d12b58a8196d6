"""The command line (`plantracker`): the app and its commands in `commands` (the batch ones in `batch`),
terminal tables in `terminal`."""

from analysis.cli.commands import app

__all__ = ["app"]
