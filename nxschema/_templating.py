"""The one Jinja2 set-up, for every output rendered from templates: the docs (HTML, Markdown)
and generated Python code.

- A user template folder overrides the packaged one, template by template (same file name).
- Undefined names are errors (``StrictUndefined``), never silently empty text.
- Autoescaping follows the output language: on for HTML, off for Markdown (its filters escape
  for Markdown) and for Python code (where every value goes in through ``repr()``-like
  filters, see :mod:`nxschema._write.codegen_format`: HTML escaping would corrupt the code and
  protect nothing).
- Whitespace control is the same everywhere (``trim_blocks``, ``lstrip_blocks``, the trailing
  newline kept), so a template reads the same in every output.

Template errors are turned into one line naming the template file and line
(:func:`template_error`); each caller raises its own exception with it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from nxschema.errors import ArgumentError

#: Output language -> autoescape.
AUTOESCAPE = {"html": True, "markdown": False, "python": False}


def environment(packaged: str | os.PathLike[str], user: str | os.PathLike[str] | None = None,
                *, output: str,
                filters: Mapping[str, Callable[..., Any]] | None = None) -> jinja2.Environment:
    """A Jinja2 environment loading templates from ``user`` (if given) then ``packaged``.

    ``output`` is ``html``, ``markdown`` or ``python`` and decides autoescaping. ``filters`` are
    added to Jinja2's own. One environment per build: every template is compiled once.
    """
    if output not in AUTOESCAPE:
        raise ArgumentError(f"unknown template output {output!r}; one of {sorted(AUTOESCAPE)}")
    loaders: list[jinja2.BaseLoader] = []
    if user is not None:
        loaders.append(jinja2.FileSystemLoader(os.fspath(user)))
    loaders.append(jinja2.FileSystemLoader(os.fspath(packaged)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders), autoescape=AUTOESCAPE[output],
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, auto_reload=False)
    env.filters.update(filters or {})
    return env


def template_error(exc: jinja2.TemplateError) -> str:
    """One line for a template error: ``file:line: what`` (a syntax error, a missing template,
    an error raised while rendering, with the template line Jinja2 recorded)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or "template"
        return f"{where}:{exc.lineno}: template syntax error: {exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template not found: {exc.name}"
    return f"{_template_position(exc)}: template error: {exc}"


def _template_position(exc: BaseException) -> str:
    """The template file and line an exception was raised at (Jinja2 rewrites tracebacks so
    template frames carry the template's own file name and line)."""
    tb = exc.__traceback__ or sys.exc_info()[2]
    where = "template"
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            where = f"{name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where

