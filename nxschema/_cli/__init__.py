"""The ``nxschema`` command line: a thin layer over the public API, one module per command."""

from nxschema._cli.main import main

__all__ = ["main"]
