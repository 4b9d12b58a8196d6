"""The command line (`plantracker`): commands in `commands`, terminal tables in `terminal`."""

from analysis.cli.commands import app

__all__ = ["app"]
