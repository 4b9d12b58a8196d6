"""Plan Tracker: are the health plans of Guizhou, Guiyang & Gui'an and Bazhong on course?

One module per stage of the flow: policies → catalogue (targets) → observations → assessment →
forecast → charts → build/render. The command line lives in `analysis.cli`.
"""

__version__ = "0.1.0"
