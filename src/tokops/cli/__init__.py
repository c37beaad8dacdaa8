"""The ``tokops`` command: thin Typer commands over the library (parse, call, render)."""
