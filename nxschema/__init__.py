"""nxschema: NeXus/HDF5 schemas as YAML definitions, compiled into validators, writers and docs.

Validate a file::

    import nxschema
    report = nxschema.validate("scan.h5")
    if not report.ok:
        for finding in report.findings:
            print(finding)          # code, severity, HDF5 path, definition, source line

Definitions::

    catalog = nxschema.load("my_definitions/")        # bundled ones plus yours
    nxschema.check("my_definitions/")                 # {file: [Finding, ...]}
    definition, findings = nxschema.read_yaml(text, "NXfoo.yaml")
    text = nxschema.write_nxdl(definition)

Every function that takes definitions takes them as ``definitions=``: a :class:`Catalog` (from
:func:`load`) or paths of definition files and folders. The model is :mod:`nxschema.model`;
exceptions are in :mod:`nxschema.errors`, all under :class:`~nxschema.errors.NxschemaError`.

Everything here is imported on first use, so ``import nxschema`` costs a few milliseconds and a
command pays only for what it uses. The implementation lives in private subpackages; see
docs/architecture.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> (private module, name there). Imported on first use (PEP 562).
_API: dict[str, tuple[str, str]] = {
    # definitions
    "load": ("nxschema._definitions.catalog", "load"),
    "Catalog": ("nxschema._definitions.catalog", "Catalog"),
    "bundled_definitions_dir": ("nxschema._definitions.catalog", "bundled_definitions_dir"),
    "check": ("nxschema._check", "check"),
    "read_yaml": ("nxschema._definitions.yaml_reader", "read_yaml"),
    "write_yaml": ("nxschema._definitions.yaml_writer", "write_yaml"),
    "read_nxdl": ("nxschema._definitions.nxdl_reader", "read_nxdl"),
    "write_nxdl": ("nxschema._definitions.nxdl_writer", "write_nxdl"),
    "read_nyaml": ("nxschema._definitions.nyaml_reader", "read_nyaml"),
    "write_nyaml": ("nxschema._definitions.nyaml_writer", "write_nyaml"),
    "definition_sets": ("nxschema._definitions.sets", "available"),
    "meta_schema": ("nxschema._definitions.yaml_reader", "meta_schema"),
    # findings and validation
    "Finding": ("nxschema._findings", "Finding"),
    "Report": ("nxschema._validate.api", "Report"),
    "validate": ("nxschema._validate.api", "validate"),
    "iter_findings": ("nxschema._validate.api", "iter_findings"),
    "validate_many": ("nxschema._validate.batch", "validate_many"),
    "compile_plan": ("nxschema._binding.concepts", "compile_plan"),
    "bind": ("nxschema._binding.tree", "bind"),
    "FileBinding": ("nxschema._binding.tree", "FileBinding"),
    "codes": ("nxschema._codes", "all_codes"),
    # writers, docs, processing, ICAT
    "write_skeleton": ("nxschema._write.skeleton", "write_skeleton"),
    "generate_writer": ("nxschema._write.codegen", "generate_writer"),
    "build_docs": ("nxschema._docs", "build_docs"),
    "record_process": ("nxschema._process.record", "record_process"),
    "read_processes": ("nxschema._process.record", "read_processes"),
    "read_config": ("nxschema._process.record", "read_config"),
    "ProcessRecord": ("nxschema._process.record", "ProcessRecord"),
    "icat_keys": ("nxschema._icat.keys", "icat_keys"),
    "icat_extract": ("nxschema._icat.extract", "icat_extract"),
    # reading through definitions
    "open": ("nxschema._views.file", "open"),
    "NexusFile": ("nxschema._views.file", "NexusFile"),
    "View": ("nxschema._views.view", "View"),
    "Field": ("nxschema._views.field", "Field"),
    # personal data
    "personal_data": ("nxschema._personal.scan", "personal_data"),
    "PersonalItem": ("nxschema._personal.scan", "PersonalItem"),
    "redact": ("nxschema._personal.redact", "redact"),
    "Redaction": ("nxschema._personal.redact", "Redaction"),
}
# Old names, kept for one release: they give the same objects as their new names.
_ALIASES = {"read_definition": "read_yaml", "dump_yaml": "write_yaml",
            "DefinitionError": "errors.DefinitionError"}
_SUBMODULES = ("model", "errors")

# Written out so that linters and IDEs see it; a test checks it against _API.
__all__ = [
    "Catalog", "Field", "FileBinding", "Finding", "NexusFile", "PersonalItem", "ProcessRecord",
    "Redaction", "Report", "View", "__version__", "bind", "build_docs", "bundled_definitions_dir",
    "check", "codes", "compile_plan", "definition_sets", "errors", "generate_writer",
    "icat_extract", "icat_keys", "iter_findings", "load", "meta_schema", "model", "open",
    "personal_data", "read_config", "read_nxdl", "read_nyaml", "read_processes", "read_yaml",
    "record_process", "redact", "validate", "validate_many", "write_nxdl", "write_nyaml",
    "write_skeleton", "write_yaml",
]

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports lazily
    from nxschema import errors, model
    from nxschema._check import check
    from nxschema._codes import all_codes as codes
    from nxschema._definitions.catalog import Catalog, bundled_definitions_dir, load
    from nxschema._definitions.nxdl_reader import read_nxdl
    from nxschema._definitions.nxdl_writer import write_nxdl
    from nxschema._definitions.nyaml_reader import read_nyaml
    from nxschema._definitions.nyaml_writer import write_nyaml
    from nxschema._definitions.sets import available as definition_sets
    from nxschema._definitions.yaml_reader import meta_schema, read_yaml
    from nxschema._definitions.yaml_writer import write_yaml
    from nxschema._docs import build_docs
    from nxschema._findings import Finding
    from nxschema._icat.extract import icat_extract
    from nxschema._icat.keys import icat_keys
    from nxschema._personal.redact import Redaction, redact
    from nxschema._views.field import Field
    from nxschema._views.file import NexusFile, open
    from nxschema._views.view import View
    from nxschema._personal.scan import PersonalItem, personal_data
    from nxschema._process.record import (
        ProcessRecord, read_config, read_processes, record_process,
    )
    from nxschema._validate.api import Report, iter_findings, validate
    from nxschema._binding.concepts import compile_plan
    from nxschema._binding.tree import FileBinding, bind
    from nxschema._validate.batch import validate_many
    from nxschema._write.codegen import generate_writer
    from nxschema._write.skeleton import write_skeleton


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"nxschema.{name}")
    if name in _ALIASES:
        target = _ALIASES[name]
        if target.startswith("errors."):
            return getattr(importlib.import_module("nxschema.errors"), target[7:])
        return __getattr__(target)
    if name in _API:
        module, attr = _API[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nxschema' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
