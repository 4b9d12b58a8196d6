from analysis.cli import app

app(prog_name="plantracker")
