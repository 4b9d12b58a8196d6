"""The catalogue of targets: its checks (`checks` for whole tables, `row_checks` for one row) and the
extractor that drafts a catalogue from a new plan's text (`extraction`, a package). A stage: it takes
what the readers read as arguments."""
