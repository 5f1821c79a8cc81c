"""What the HTML and Markdown generators share: the Jinja2 environment (from
:mod:`nxschema._templating`: user templates override ours, autoescape for HTML only), template
errors turned into :class:`DocsError` with the template's file and line."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import jinja2

from nxschema._docs.pages import Site, code_groups
from nxschema._templating import environment, template_error
from nxschema.errors import DocsError

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Generator:
    """One output format. Subclasses set ``fmt`` (the template folder and the output language,
    which decides autoescaping) and ``ext``, and add filters."""

    fmt = ""
    ext = ""
    element_kinds = ("group", "field", "attribute", "link", "choice")

    def __init__(self, templates=None):
        self.user_templates = Path(templates) if templates is not None else None
        # One Environment per build: every template is compiled once and reused for every page.
        self.env = environment(TEMPLATES / self.fmt, self.user_templates, output=self.fmt,
                               filters={"fragment": lambda anchor: quote(str(anchor),
                                                                         safe="/@:-_.~")})
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
        except jinja2.TemplateError as exc:
            raise DocsError(template_error(exc)) from None

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

