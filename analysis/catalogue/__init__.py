"""The catalogue of targets: its checks (`checks`) and the extractor that drafts a catalogue from a new
plan's text (`extraction`). A stage: it takes what the readers read as arguments."""
