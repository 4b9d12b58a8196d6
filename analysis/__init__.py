"""Plan Tracker: are the health plans of Guizhou, Guiyang & Gui'an and Bazhong on course?

Data flow one way: files → `analysis.readers` (the only code that opens input files) → the stages
(catalogue checks, extraction, observation checks, conflicts, assessment, forecast), which take their
inputs as arguments → `analysis.pipeline`, which joins the two → the notebooks (report, overview) and
the command line (`analysis.cli`) → the site (build, render). Column contracts are `analysis.schema`;
outputs are written by `analysis.writers`.
"""

import os

# One BLAS thread per process unless the user says otherwise, set before numpy loads: the forecasts
# fit thousands of tiny (ten-point) statsmodels models, where OpenBLAS's own threads only compete with
# the worker processes; on a shared two-core machine they made every fit several times slower
# (bench/forecast_skill.py --side-by-side: 300 series 33 CPU s with the default, 7.5 s with one).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
