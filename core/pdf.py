"""The one PDF renderer, with its one network policy: nothing is fetched but inline
``data:`` URLs; any other URL stops the rendering loudly (a document must never reach out
to the network, and a stray link must be found in tests, not shipped)."""

from __future__ import annotations

import logging


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # ~1 s to import: only what renders a PDF pays for it

    # WeasyPrint announces each rendering step at INFO; a worker's log needs none of it.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return HTML(string=html, base_url=None, url_fetcher=_offline_fetcher()).write_pdf()


def _offline_fetcher():
    """A URL fetcher that refuses every URL but inline ``data:`` ones."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                raise FatalURLFetchingError(f"A PDF must not load {url}")
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols=("data",), timeout=1)
