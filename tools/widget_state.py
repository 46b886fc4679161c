"""Sphinx extension: embed the ipywidgets state only in pages that show a widget.

Executing a chapter records the state of every widget the kernel created, and myst-nb
writes that state (about 100 kB per chapter here: the explorers' PNG pictures) into the
page together with two scripts that render it, require.js and the 4 MB
``@jupyter-widgets/html-manager`` bundle, loaded from a CDN. The book's explorer cells
are tagged ``remove-output`` (the static page shows the explorer's picture as a figure
instead, since sliders that run no Python would only move a frozen image), so on its
pages that state and those scripts render nothing. This extension drops them from every
page whose doctree holds no widget view; a page that does display a widget keeps them.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_KEYS = "ipywidgets_"  # myst-nb's keys: ipywidgets_state, ipywidgets_0, ipywidgets_1


def shows_widget(doctree: nodes.Node) -> bool:
    """Whether a page displays a widget view (myst-nb renders one as a raw script)."""
    return any(WIDGET_VIEW in node.astext() for node in doctree.findall(nodes.raw))


def drop_unused_widget_state(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: forget the widget state and scripts of a page that shows no widget."""
    if shows_widget(doctree):
        return
    metadata = getattr(app.env, "nb_metadata", {}).get(app.env.docname, {})
    js_files = metadata.get("js_files", {})
    for key in [key for key in js_files if key.startswith(WIDGET_KEYS)]:
        del js_files[key]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handler (Sphinx extension entry point)."""
    app.connect("doctree-read", drop_unused_widget_state)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
