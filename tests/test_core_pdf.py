"""core.pdf: the one PDF renderer and its one network policy (inline data: URLs only)."""

import pytest

from core.pdf import render_pdf

PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR4nGNgYAAAAAMA"
    "ASsJTYQAAAAASUVORK5CYII="
)


def test_a_page_with_inline_images_renders():
    assert render_pdf(f'<p>Synthetic</p><img src="{PIXEL}">').startswith(b"%PDF")


@pytest.mark.parametrize(
    "html",
    [
        '<img src="http://192.0.2.1/tracker.png">',
        '<link rel="stylesheet" href="https://example.invalid/style.css">',
        '<img src="file:///etc/hostname">',
    ],
)
def test_anything_else_stops_the_rendering(html):
    from weasyprint.urls import FatalURLFetchingError

    with pytest.raises(FatalURLFetchingError):
        render_pdf(f"<p>Synthetic</p>{html}")
