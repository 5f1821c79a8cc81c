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


MAX_CONFIG_CHARS = 1 << 20  # a configuration is a page of settings: 1 MiB is plenty
MAX_CONFIG_DEPTH = 64  # nesting of lists and mappings
# The YAML parser in C when PyYAML has it: the pure-Python one takes minutes on megabytes.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_config(text: str, fmt: str):
    """Parse ``text`` as ``fmt`` (json, yaml or ini). ini gives {section: {key: str}}.

    Bounded: text over :data:`MAX_CONFIG_CHARS` characters or nested deeper than
    :data:`MAX_CONFIG_DEPTH` is refused (ConfigError with code ``too-large`` / ``too-deep``),
    and so is a number too long for Python to convert; nothing else escapes."""
    text = str(text)  # an exact str: the C YAML parser refuses subclasses
    if len(text) > MAX_CONFIG_CHARS:
        raise ConfigError(f"the configuration has {len(text):,} characters, more than the "
                          f"{MAX_CONFIG_CHARS:,} read", "too-large")
    try:
        value = _parse(text, fmt)
    except RecursionError:
        raise ConfigError(f"the configuration is nested deeper than {MAX_CONFIG_DEPTH} levels",
                          "too-deep") from None
    except ConfigError as exc:
        if "flow level" in str(exc):  # libyaml's own nesting bound
            raise ConfigError(f"the configuration is nested too deeply: {exc}",
                              "too-deep") from None
        raise
    except ValueError as exc:  # an integer over Python's 4,300 digits, say
        code = "too-large" if "digits" in str(exc) else "bad-config"
        raise ConfigError(f"invalid {fmt}: {str(exc).splitlines()[0][:200]}", code) from None
    if depth(value) > MAX_CONFIG_DEPTH:
        raise ConfigError(f"the configuration is nested deeper than {MAX_CONFIG_DEPTH} levels",
                          "too-deep")
    return value


def depth(value) -> int:
    """How deeply lists and mappings nest in ``value`` (without recursion: any depth)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if level > MAX_CONFIG_DEPTH:
            return level
        stack.extend((child, level + 1) for child in children)
    return deepest


def _parse(text: str, fmt: str):
    if fmt == "json":
        try:
            return json.loads(text)  # CRLF separators are JSON whitespace
        except json.JSONDecodeError as exc:
            raise ConfigError(f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                              f"{exc.msg}") from None
    if fmt == "yaml":
        try:
            return yaml.load(text, Loader=_YAML_LOADER)
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
    if len(text) <= MAX_CONFIG_CHARS:
        try:
            json.loads(text)
            return "json"
        except (ValueError, RecursionError):
            pass
    if _INI_HEADER.match(text):
        return "ini"
    return "yaml"
