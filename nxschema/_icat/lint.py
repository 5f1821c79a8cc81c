"""Lint rules for the ICAT mapping of a definition (run by ``nxschema check``).

They apply only to definitions that opt in to the mapping (an ``icat:`` keyword anywhere, or a
technique subentry at the top) and catch the mistakes found in the generated hdf5_cfg.xml: one key
filled from two unrelated paths, one path giving two keys, a key copied from a neighbour
(``images_count`` filled from ``${EM_magnification}``), duplicated rows, and keys that break the
key grammar. The same checks run on an hdf5_cfg.xml being imported (``_icat_xml``).
"""

from __future__ import annotations

from nxschema import model as m
from nxschema._findings import Finding, error, warning
from nxschema._icat.keys import GROUP_PART_GRAMMAR, KEY_GRAMMAR, TECHNIQUE, IcatKey, carries_icat, mapping


def _where(row_or_element) -> dict:
    src = getattr(row_or_element, "source", None) or m.Source("")
    return {"file": src.file, "line": src.line, "col": src.col}


def _line(row: IcatKey) -> str:
    return f"line {row.source.line}" if row.source and row.source.line else "elsewhere"


def _norm(text: str) -> str:
    return text.replace("_", "").lower()


def leaf_matches(key: str, element: str) -> bool:
    """True if ``key`` plausibly names ``element``: its part after the prefix is the element's
    name (``_`` and case aside: ``scanDim1`` fits ``scanDim_1``), or ends with it. Keys with no
    ``_`` (entry-level names such as ``datasetName``) are renames and always fit."""
    if "_" not in key:
        return True
    leaf = key.split("_", 1)[1]
    return _norm(leaf) == _norm(element) or leaf.endswith("_" + element)


def row_findings(rows: list[IcatKey]) -> list[Finding]:
    """Grammar, reuse, two-keys-per-path, placeholder and duplicate problems among ``rows``."""
    findings = []
    by_key: dict[str, IcatKey] = {}
    by_path: dict[str, IcatKey] = {}
    seen: dict[tuple[str, str], IcatKey] = {}
    for row in rows:
        grammatical = bool(KEY_GRAMMAR.match(row.key))
        if not grammatical:
            findings.append(error("icat-key-grammar", f"ICAT key {row.key!r} of {row.path!r} "
                                  "breaks the key grammar (letters and digits, parts joined by "
                                  "single underscores, starting with a letter)", **_where(row)))
        elif (row.kind != "positioners" and row.explicit
              and not leaf_matches(row.key, row.element)):
            findings.append(warning(
                "icat-placeholder-mismatch",
                f"key {row.key!r} on {row.element!r} names another element "
                f"({row.key.split('_', 1)[1]!r}): a copy-paste mistake?", **_where(row)))
        pair = (row.path, row.key)
        if pair in seen:
            findings.append(error("icat-duplicate", f"{row.path!r} → {row.key!r} is written "
                                  f"twice (first at {_line(seen[pair])})", **_where(row)))
            continue
        seen[pair] = row
        first = by_key.setdefault(row.key, row)
        if first is not row and first.data_path != row.data_path:
            findings.append(error(
                "icat-key-reused",
                f"key {row.key!r} is mapped from {row.path!r} and from {first.path!r} "
                f"({_line(first)}); one key may have several paths only when they are links "
                "to the same data", **_where(row)))
        other = by_path.setdefault(row.path, row)
        if other is not row and other.key != row.key:
            findings.append(error("icat-path-keys", f"{row.path!r} is mapped to {row.key!r} and "
                                  f"to {other.key!r} ({_line(other)})", **_where(row)))
    return findings


def _group_findings(definition: m.Definition):
    def walk(members, depth):
        for member in members:
            groups = member.groups if isinstance(member, m.Choice) else (
                (member,) if isinstance(member, m.Group) else ())
            for group in groups:
                spec = group.icat
                if spec is not None and spec.key is not None:
                    technique = group.nx_class == "NXsubentry" and depth == 0
                    grammar = TECHNIQUE if technique else GROUP_PART_GRAMMAR
                    if not grammar.match(spec.key):
                        what = ("a technique prefix is upper-case letters and digits"
                                if technique else "a group's part is CamelCase letters and "
                                "digits, or empty")
                        yield error("icat-key-grammar", f"icat key {spec.key!r} of group "
                                    f"{m.member_key(group)!r} breaks the grammar: {what}",
                                    **_where(spec))
                walk_depth = depth + (0 if group.nx_class == "NXentry" and depth == 0 else 1)
                yield from walk(group.members, walk_depth)
    yield from walk(definition.members, 0)


def rule_icat(definition: m.Definition, catalog):
    """The ICAT mapping rules, for definitions that carry a mapping."""
    if not carries_icat(definition):
        return
    yield from _group_findings(definition)
    yield from row_findings(mapping(definition))


ICAT_RULES = (rule_icat,)
