"""How the nyaml tool shapes text on its way to NXDL, so that reading nyaml gives the doc that
reading the tool's NXDL gives (see :mod:`nxschema._definitions.nyaml_reader`).

``v1`` selects nyaml 1.x's shaping: it wraps a one-line doc longer than 80 characters and turns
four spaces into a tab (its "escape reverter"); older versions did neither. Every version
unquotes ``%XX`` (the tool unquotes each line of the XML it writes).
"""

from __future__ import annotations

import textwrap
from urllib.parse import unquote

from nxschema._definitions.nxdl_reader import clean_doc
from nxschema._definitions.yamlsource import read_positioned


def mapping_chars(value, v1: bool = False) -> str:
    text = "" if value is None else str(value)
    if text == "True":
        text = "true"
    if text == "False":
        text = "false"
    if v1:  # nyaml 1.x turns four spaces into a tab (its "escape reverter"); older ones did not
        text = text.replace("    ", "\t")
    return text.strip()


def _clean_empty(lines: list[str]) -> list[str]:
    # nyaml's clean_empty_lines: a line of one character counts as empty at both ends
    start = next((i for i, x in enumerate(lines) if len(x.strip()) > 1), -1)
    end = next((-i for i, x in enumerate(reversed(lines)) if len(x.strip()) > 1), None)
    return lines[start:end or None]


def _format_doc(text: str, v1: bool) -> str:
    text = mapping_chars(text, v1)
    if "\n" not in text:
        if v1 and len(text) > 80:
            wrapper = textwrap.TextWrapper(width=80, break_long_words=False,
                                           replace_whitespace=False)
            text = "\n".join(wrapper.wrap(text))
        out = "\n" + text
    else:
        out = "\n" + "\n".join(_clean_empty(text.split("\n")))
    if not out.endswith("\n"):
        out += "\n"
    return out.expandtabs(4)


def _doc_part(text, v1: bool) -> str:
    clean = str(text).strip()
    key_prefix = "\\" if v1 else ""
    if not clean.startswith(f"{key_prefix}xref:"):
        return _format_doc(clean, v1).strip()
    # the same bounded loader as the file: a doc part must not smuggle in an alias bomb
    parsed = read_positioned(clean, "xref")[0].data
    entries = parsed.get(f"{key_prefix}xref") if isinstance(parsed, dict) else None
    get = {k.lstrip("\\"): v for k, v in entries.items()} if isinstance(entries, dict) else {}
    term = get.get("term", "NO TERM")
    return (f"This concept is related to term `{term}`_ of the "
            f"{get.get('spec', 'NO STANDARD')} standard.\n\n"
            f".. _{term}: {get.get('url', 'NO URL')}")


def shaped_doc(value, v1: bool, *, twice: bool = False) -> str | None:
    """The doc the nyaml tool puts in the NXDL for ``value`` (text or list of parts), as our
    NXDL reader reads it back; ``v1``: the shaping of nyaml 1.x (see the module doc)."""
    if value is None:
        return None
    parts = value if isinstance(value, list) else [value]
    if twice:  # nyaml formats an attribute's doc once more before the usual shaping
        parts = [_format_doc(p, v1) for p in parts]
    text = "".join("\n" + _doc_part(p, v1) + "\n" for p in parts)
    return clean_doc(unquote(text))
