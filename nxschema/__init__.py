"""nxschema: NeXus/HDF5 schemas as YAML definitions, compiled into validators, writers and docs.

The public API is re-exported here; the implementation lives in private modules.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> private module that defines it; imported on first use so that ``import nxschema`` stays
# fast and a command only pays for what it uses.
_API = {
    "load": "_catalog", "Catalog": "_catalog", "bundled_definitions_dir": "_catalog",
    "check": "_check",
    "Finding": "_findings", "DefinitionError": "_findings",
    "read_definition": "_yaml_reader", "meta_schema": "_yaml_reader",
    "dump_yaml": "_yaml_writer",
    "read_nxdl": "_nxdl_reader", "write_nxdl": "_nxdl_writer",
    "validate": "_validate", "iter_findings": "_validate", "Report": "_validate",
    "compile_plan": "_plan",
    "write_skeleton": "_skeleton", "generate_writer": "_codegen",
    "record_process": "_process", "read_processes": "_process", "read_config": "_process",
    "ProcessRecord": "_process",
    "build_docs": "_docs",
    "icat_keys": "_icat", "icat_extract": "_icat_extract",
}

__all__ = sorted(_API) + ["model"]


def __getattr__(name):
    if name == "model":
        return importlib.import_module("._model", __name__)
    if name in _API:
        value = getattr(importlib.import_module(f".{_API[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nxschema' has no attribute {name!r}")
