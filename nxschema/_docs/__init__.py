"""Generated documentation: a browsable reference of any set of definitions.

LinkML-style: one generator per output format (:mod:`.html`, :mod:`.markdown`) over the same site
model (:mod:`.pages`), with one Jinja2 template per element kind (definition page, group, field,
attribute, link, choice, index, findings). A template of the same name in a user folder replaces
ours. Output is deterministic: sorted, no timestamps, no absolute paths.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nxschema._codes import all_codes
from nxschema._definitions.catalog import DefinitionsLike, as_catalog
from nxschema._deprecation import UNSET, renamed
from nxschema._docs.base import DocsError, Generator
from nxschema._findings import Finding
from nxschema._write.atomic import write_atomic
from nxschema.errors import ArgumentTypeError, NxschemaError

__all__ = ["FORMATS", "DocsError", "build_docs"]

MANIFEST = ".nxschema-docs"  # the files the last build wrote, so a rebuild removes stale ones


def _generator(fmt: str, templates) -> Generator:
    if fmt == "html":
        from nxschema._docs.html import HtmlGenerator

        return HtmlGenerator(templates)
    if fmt == "markdown":
        from nxschema._docs.markdown import MarkdownGenerator

        return MarkdownGenerator(templates)
    raise DocsError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")


FORMATS = ("html", "markdown")


def build_docs(definitions: DefinitionsLike | None = None,
               outdir: str | os.PathLike[str] | None = None, fmt: str = "html",
               templates: str | os.PathLike[str] | None = None, *,
               load_findings: Iterable[Finding] | None = None,
               catalog: Any = UNSET) -> list[Path]:
    """Render every definition into ``outdir``: a page per definition, an index, the findings.

    Args:
        definitions: a :class:`~nxschema.Catalog`, or paths of definition files and folders
            (loaded over the bundled ones); None: the bundled ones.
        outdir: the folder to write (created; files of an earlier build that this one does not
            write are removed).
        fmt: ``html`` (a static site with a client-side search) or ``markdown`` (for wikis and
            MkDocs).
        templates: a folder whose templates replace ours by name.
        load_findings: listed on the index page as problems found while loading (default: the
            catalog's own ``findings``).
        catalog: the old name of ``definitions`` (deprecated, one release).

    Returns:
        The files written, sorted.

    Raises:
        nxschema.errors.DocsError: a bad format, template folder or template, or an unwritable
            ``outdir``.
        nxschema.errors.DefinitionError: ``definitions`` paths that do not load.
    """
    definitions = renamed("build_docs", "definitions", definitions, catalog=catalog)
    if outdir is None:
        raise ArgumentTypeError("build_docs() needs outdir, the folder to write")
    found = as_catalog(definitions)
    if templates is not None and not Path(templates).is_dir():
        raise DocsError(f"{templates}: no such template folder")
    generator = _generator(fmt, templates)
    findings = found.findings if load_findings is None else list(load_findings)
    files = generator.render_site(found, findings=findings, codes=all_codes())
    return _write_all(Path(outdir), files)


def _write_all(outdir: Path, files: dict[str, str | bytes]) -> list[Path]:
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        previous = _read_manifest(outdir)
        written = []
        for name in sorted(files):
            written.append(_write(outdir / name, files[name]))
        for stale in sorted(previous - set(files)):
            path = outdir / stale
            if path.is_file():
                path.unlink()
        _write(outdir / MANIFEST, "".join(f"{name}\n" for name in sorted(files)))
    except (OSError, NxschemaError) as exc:
        raise DocsError(f"cannot write to {outdir}: {exc}") from exc
    return written


def _read_manifest(outdir: Path) -> set[str]:
    try:
        lines = (outdir / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    # Only plain relative names we could have written: never follow "../" out of outdir.
    return {line for line in lines if line and ".." not in Path(line).parts
            and not Path(line).is_absolute()}


def _write(path: Path, content: str | bytes) -> Path:
    # An unchanged page keeps its file and mtime: a rebuild only touches what changed.
    return write_atomic(path, content, overwrite=True, make_parents=True, skip_unchanged=True)
