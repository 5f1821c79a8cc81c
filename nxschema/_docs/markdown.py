"""The Markdown generator: the same pages as the HTML site, as GitHub-flavoured Markdown that
reads on GitHub, in wikis and in MkDocs. Jinja2 does no HTML escaping here; every value goes
through a Markdown-escaping filter instead (``md``, ``code``, ``doc``, ``cell``)."""

from __future__ import annotations

from nxschema._docs import markup
from nxschema._docs.base import Generator


class MarkdownGenerator(Generator):
    fmt = "markdown"
    ext = ".md"
    # not autoescaped (see _templating): the filters below escape for Markdown

    def __init__(self, templates=None):
        super().__init__(templates)
        self.env.filters.update({
            "doc": self.cached(lambda text: markup.to_markdown(text, self._resolve)),
            "cell": self.cached(lambda text: markup.to_markdown_cell(text, self._resolve)),
            "md": lambda text: markup.md_escape("" if text is None else str(text)),
            "code": lambda text: markup.md_code(str(text)),
            "cell_code": lambda text: markup.md_code(str(text), table=True),
        })

    def _resolve(self, target: str):
        return self.site.resolve(target) if self.site else None
