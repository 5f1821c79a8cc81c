"""The official NXDL files as test data, each read once per session, and an independent XML
comparison for round-trip tests.

The comparison works on ElementTree trees, not on our model (comparing models would only show
that the reader and writer agree with each other): same elements, same attributes (booleans
spelled either way), same docs up to whitespace, same children in any sibling order; comments
are not part of the tree.
"""

from __future__ import annotations

import functools
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

# Next to the checkout by default; NXSCHEMA_NXDL points elsewhere (a git worktree, a CI cache).
NXDL = Path(os.environ.get("NXSCHEMA_NXDL")
            or Path(__file__).resolve().parents[1].parent / "shared" / "nxdl")
XSD = NXDL / "nxdl.xsd"
OFFICIAL = sorted(NXDL.rglob("*.nxdl.xml")) if NXDL.is_dir() else []
IDS = [str(p.relative_to(NXDL)) for p in OFFICIAL]

needs_nxdl = pytest.mark.skipif(not NXDL.is_dir(), reason=f"no official NXDL at {NXDL}")


def official(**kwargs):
    """Parametrize a test over every official NXDL file."""
    return pytest.mark.parametrize("path", OFFICIAL, ids=IDS, **kwargs)


@functools.cache
def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@functools.cache
def read(path: Path):
    from nxschema._definitions.nxdl_reader import read_nxdl

    return read_nxdl(text(path), str(path))


@functools.cache
def original_tree(path: Path):
    """``canonical`` of the official file itself."""
    return canonical(text(path))


@functools.cache
def written(path: Path) -> str:
    from nxschema._definitions.nxdl_writer import write_nxdl

    return write_nxdl(read(path)[0])


@functools.lru_cache(maxsize=1)
def schema():
    xmlschema = pytest.importorskip("xmlschema")
    if not XSD.is_file():
        pytest.skip(f"no nxdl.xsd at {XSD}")
    # 'lax' because xmlschema refuses markup inside nxdlTypes.xsd's documentation; the element
    # and attribute declarations that validation uses are built all the same.
    return xmlschema.XMLSchema(str(XSD), validation="lax")


def xsd_errors(xml_text: str) -> list[str]:
    return [str(e).splitlines()[0] for e in schema().iter_errors(xml_text)]


_BOOLEAN_ATTRIBUTES = {"optional", "recommended", "required", "open", "ignoreExtraGroups",
                       "ignoreExtraFields", "ignoreExtraAttributes"}


def canonical(xml_text: str):
    """The NXDL tree as nested tuples that compare equal when the NXDL says the same thing."""
    return _canon(ET.fromstring(xml_text))


def _canon(element):
    tag = element.tag.rpartition("}")[2]
    if tag == "doc":
        return ("doc", " ".join("".join(element.itertext()).split()))
    attributes = []
    for key, value in element.attrib.items():
        if key.startswith("{"):  # xsi:schemaLocation
            continue
        if key in _BOOLEAN_ATTRIBUTES:
            value = {"1": "true", "0": "false"}.get(value.strip(), value.strip())
        attributes.append((key, value))
    children = sorted((_canon(child) for child in element), key=repr)
    return (tag, tuple(sorted(attributes)), tuple(children))


def first_difference(a, b, path="") -> str | None:
    """Where two canonical trees differ, for a readable assertion message."""
    if a == b:
        return None
    if a[:2] != b[:2] or len(a) == 2:
        return f"{path}: {a[:2]} != {b[:2]}"
    only_a = [x for x in a[2] if x not in b[2]]
    only_b = [x for x in b[2] if x not in a[2]]
    here = f"{path}/{a[0]}[{dict(a[1]).get('name', '')}]"
    if len(only_a) == 1 and len(only_b) == 1:
        return first_difference(only_a[0], only_b[0], here)
    return f"{here}: only in first {[x[:2] for x in only_a]}, only in second " \
           f"{[x[:2] for x in only_b]}"
