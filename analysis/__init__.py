"""Plan Tracker: are the health plans of Guizhou, Guiyang & Gui'an and Bazhong on course?

Data flow one way: files → `analysis.readers` (the only code that opens input files) → the stages
(catalogue checks, extraction, observation checks, conflicts, assessment, forecast), which take their
inputs as arguments → `analysis.pipeline`, which joins the two → the notebooks (report, overview) and
the command line (`analysis.cli`) → the site (build, render). Column contracts are `analysis.schema`;
outputs are written by `analysis.writers`.
"""

__version__ = "0.1.0"
