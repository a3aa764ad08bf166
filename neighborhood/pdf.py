"""PDF rendering with WeasyPrint: one entry point, fetching nothing but the app's static files."""
from __future__ import annotations

import logging
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

LOGGER = logging.getLogger("weasyprint")


class MissingGlyph(RuntimeError):
    """A character had no glyph in the embedded fonts: it would print as an empty box."""


class _GlyphWatch(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.missing: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if ".notdef" in message:
            self.missing.append(message)


class StaticOnlyFetcher(URLFetcher):
    """Fetches data: URIs and the app's own static files; refuses everything else (no network,
    no other file on the server), so nothing a user typed can pull content into a PDF."""

    def __init__(self, static_folder: Path):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.root = static_folder.resolve()

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self.root):
                raise ValueError(f"not fetched in a PDF: {url}")
        return super().fetch(url, headers)


def render_pdf(template: str, *, archive: bool = False, **context) -> bytes:
    """Render ``template`` to PDF. ``archive`` writes PDF/A-3b. Refuses to print missing glyphs."""
    html = render_template(template, **context)
    static = Path(current_app.static_folder)
    watch = _GlyphWatch()
    LOGGER.addHandler(watch)
    try:
        # WeasyPrint opens its sRGB profile for PDF/A and leaves closing it to the garbage
        # collector; drop the document here, where that ResourceWarning is expected.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            document = HTML(string=html, base_url=static.as_uri() + "/",
                            url_fetcher=StaticOnlyFetcher(static))
            pdf = document.write_pdf(pdf_variant="pdf/a-3b" if archive else None)
            del document
    finally:
        LOGGER.removeHandler(watch)
    if watch.missing:
        raise MissingGlyph("; ".join(watch.missing))
    return pdf


def css_string(value) -> Markup:
    """A quoted CSS string (for @page content). Quotes, backslashes, angle brackets and line
    breaks become CSS escapes, so user text can't end the string or the <style> element."""
    escaped = "".join(
        f"\\{ord(ch):x} " if ch in '\\"\'<>&\n\r' else ch for ch in str(value or "")
    )
    return Markup(f'"{escaped}"')


def page_counter_css(pattern: str) -> Markup:
    """CSS ``content`` for "Page X of Y" from a translated pattern holding PAGENUM and PAGECOUNT."""
    quoted = str(css_string(pattern))
    return Markup(quoted.replace("PAGENUM", '" counter(page) "')
                  .replace("PAGECOUNT", '" counter(pages) "'))
