"""Process configurations: naming their format and parsing their text.

Real programs label a configuration's format in many ways (``application/json``, ``text/json``,
``json``, ``ini``, ``text/x-ini``, ``yaml`` …) and in different places (``@format`` on the
payload, or an NXnote's ``type`` or ``format`` field). All of them map to json, yaml or ini here.
"""

from __future__ import annotations

import configparser
import json
import re

import yaml
from nxschema.errors import ConfigError

FORMATS = ("json", "yaml", "ini")

_ALIASES = {
    "json": "json", "application/json": "json", "text/json": "json", "application/x-json": "json",
    "yaml": "yaml", "yml": "yaml", "application/yaml": "yaml", "application/x-yaml": "yaml",
    "text/yaml": "yaml", "text/x-yaml": "yaml",
    "ini": "ini", "cfg": "ini", "text/ini": "ini", "text/x-ini": "ini", "application/ini": "ini",
    "text/plain; format=ini": "ini",
}


def normalize_format(label) -> str | None:
    """json, yaml or ini for any real-world spelling; None if unknown."""
    if label is None:
        return None
    text = str(label).strip().lower()
    if text in _ALIASES:
        return _ALIASES[text]
    for key in ("json", "yaml", "ini"):
        if text.endswith("/" + key) or text.endswith("+" + key) or text.endswith("." + key):
            return key
    return None


def parse_config(text: str, fmt: str):
    """Parse ``text`` as ``fmt`` (json, yaml or ini). ini gives {section: {key: str}}."""
    if fmt == "json":
        try:
            return json.loads(text)  # CRLF separators are JSON whitespace
        except json.JSONDecodeError as exc:
            raise ConfigError(f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                              f"{exc.msg}") from None
    if fmt == "yaml":
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    if fmt == "ini":
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str  # keep key case: the program reads its keys back
        try:
            parser.read_string(text)
        except configparser.Error as exc:
            raise ConfigError(f"invalid ini: {str(exc).splitlines()[0]}") from None
        return {section: dict(parser[section]) for section in parser.sections()}
    raise ConfigError(f"unknown configuration format {fmt!r}; expected one of {FORMATS}")


_INI_HEADER = re.compile(r"\A(?:\s*(?:[#;][^\n]*)?\n)*\s*\[[^\]\n]+\][ \t]*\r?$", re.MULTILINE)


def guess_format(text: str, label=None, file_name=None) -> str:
    """The format of configuration text: from its label, its file name, else by trying."""
    for hint in (label, file_name):
        fmt = normalize_format(hint)
        if fmt:
            return fmt
    try:
        json.loads(text)
        return "json"
    except ValueError:
        pass
    if _INI_HEADER.match(text):
        return "ini"
    return "yaml"
