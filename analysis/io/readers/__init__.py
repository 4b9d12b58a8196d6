"""The reading layer: the only code that opens the project's input files.

`files` opens CSV and XLSX tables; `catalogue`, `observations` and `settings` read one kind of table
each, the same way for every command (validate, forecast, assess, the build); `wording` reads the
extractor's packaged wording rules. The stages never import
this package: `analysis.pipeline` reads with it and hands the tables to the stages.
"""
