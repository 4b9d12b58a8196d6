"""Plan Tracker: are the health plans of Guizhou, Guiyang & Gui'an and Bazhong on course?

Data flow one way, and the folders are the layers, bottom up: `core` (errors, paths, schema, numbers,
words) → `io.readers` (the only code that opens input files) → the stages `catalogue`, `observations`,
`assessment`, `forecasting`, which take their inputs as arguments → `pipeline`, which joins the two →
`site` (what the notebooks and pages show) → `build` (execute, render, publish) → `cli`. Outputs are
written by `io.writers`. tests/test_architecture.py holds each folder to its layer.
"""

__version__ = "0.1.0"
