from analysis.cli.commands import app

app(prog_name="plantracker")
