"""What the HTML and Markdown generators share: one Jinja2 Environment, user template override,
template errors turned into :class:`DocsError` with the template's file and line."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

import jinja2

from nxschema._docs.pages import Site, code_groups
from nxschema.errors import DocsError

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Generator:
    """One output format. Subclasses set ``fmt``, ``ext`` and ``autoescape`` and add filters."""

    fmt = ""
    ext = ""
    autoescape = True
    element_kinds = ("group", "field", "attribute", "link", "choice")

    def __init__(self, templates=None):
        self.user_templates = Path(templates) if templates is not None else None
        loaders = []
        if self.user_templates is not None:
            loaders.append(jinja2.FileSystemLoader(str(self.user_templates)))
        loaders.append(jinja2.FileSystemLoader(str(TEMPLATES / self.fmt)))
        # One Environment per build: every template is compiled once and reused for every page.
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders), autoescape=self.autoescape,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True, auto_reload=False)
        self.env.filters["fragment"] = lambda anchor: quote(str(anchor), safe="/@:-_.~")
        self.site: Site | None = None

    def template(self, name: str):
        return self._guard(lambda: self.env.get_template(name))

    def cached(self, render):
        """``render(text)`` memoised for this build: inherited members repeat the same docs."""
        cache: dict = {}

        def filter_(text):
            if text not in cache:
                cache[text] = render(text)
            return cache[text]

        return filter_

    def _guard(self, action):
        try:
            return action()
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or exc.name or "template"
            raise DocsError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise DocsError(f"template not found: {exc.name}") from None
        except jinja2.TemplateError as exc:
            raise DocsError(f"{_template_position(exc)}: template error: {exc}") from None

    def render(self, name: str, **context) -> str:
        template = self.template(name)
        return self._guard(lambda: template.render(site=self.site, **context))

    def render_site(self, catalog, *, findings, codes) -> dict[str, str | bytes]:
        """Every file of the site: {relative path: content}."""
        self.site = Site(catalog, self.ext)
        self.findings = sorted(findings, key=lambda f: (f.file, f.line, f.col, f.code))
        files: dict[str, str | bytes] = {}
        template = self.template(f"definition{self.ext}.j2")
        for page in self.site.pages:
            files[f"{page.stem}{self.ext}"] = self._guard(
                lambda page=page: template.render(site=self.site, page=page, d=page.definition))
        files[f"index{self.ext}"] = self.render(f"index{self.ext}.j2", findings=self.findings)
        files[f"findings{self.ext}"] = self.render(f"findings{self.ext}.j2",
                                                  areas=code_groups(codes))
        files.update(self.extra_files())
        return files

    def extra_files(self) -> dict[str, str | bytes]:
        return {}


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
