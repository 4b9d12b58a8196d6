"""What the build tells the researcher while it runs: a bar per notebook on a terminal, a line per
finished notebook elsewhere (a log, CI), and single messages."""

from __future__ import annotations


def say(console, message: str) -> None:
    """One message of the build, printed as written (no markup guessing, no wrapping mid-path)."""
    if console is not None:
        console.print(message, highlight=False, soft_wrap=True)


class LineProgress:
    """Off a terminal: no bar, one line per page when it is done."""

    def __init__(self, console):
        self.console = console

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def add_task(self, *args, **kwargs):
        return 0

    def update(self, *args, **kwargs):
        pass

    def done(self, name: str, seconds: float) -> None:
        say(self.console, f"  {name} executed ({seconds:.1f} s)")


class BarProgress:
    """On a terminal: a bar per notebook counting its cells."""

    def __init__(self, console):
        from rich import progress as bar

        self.bar = bar.Progress(
            bar.SpinnerColumn(),
            bar.TextColumn("{task.description:<10}"),
            bar.BarColumn(),
            bar.MofNCompleteColumn(),
            bar.TextColumn("cells"),
            bar.TimeElapsedColumn(),
            console=console,
            transient=False,
        )

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)

    def add_task(self, *args, **kwargs):
        return self.bar.add_task(*args, **kwargs)

    def update(self, *args, **kwargs):
        self.bar.update(*args, **kwargs)

    def done(self, name: str, seconds: float) -> None:
        pass


def progress_for(console) -> LineProgress | BarProgress:
    """A bar where someone watches a terminal, lines where the output is kept."""
    if console is not None and console.is_terminal:
        return BarProgress(console)
    return LineProgress(console)
