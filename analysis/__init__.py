"""Plan Tracker: are the health plans of Guizhou, Guiyang & Gui'an and Bazhong on course?

Data flow one way, and the folders are the layers, bottom up: `core` (errors, paths, schema, numbers,
words) → `io.readers` (the only code that opens input files) → the stages `catalogue`, `observations`,
`assessment`, `forecasting`, which take their inputs as arguments → `pipeline`, which joins the two →
`site` (what the notebooks and pages show) → `build` (execute, render, publish) → `cli`. Outputs are
written by `io.writers`. tests/test_architecture.py holds each folder to its layer.
"""

import os

# One BLAS thread per process unless the user says otherwise, set before numpy loads: the forecasts
# fit thousands of tiny (ten-point) statsmodels models, where OpenBLAS's own threads only compete with
# the worker processes; on a shared two-core machine they made every fit several times slower
# (bench/forecast_skill.py --side-by-side: 300 series 33 CPU s with the default, 7.5 s with one).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
