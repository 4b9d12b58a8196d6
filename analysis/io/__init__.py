"""Files in and out: `readers` is the only code that opens the project's input files; `writers` writes
the tables a command produces. The stages never import this package."""
