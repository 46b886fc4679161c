"""Sphinx extension: the two editions, the learner-notebook buttons and the exercise table.

* ``gdbook_edition`` (``instructor`` or ``student``; ``tools/student_edition.py`` sets
  ``student``) becomes a Sphinx tag, so a page can speak to each reader with
  ``{only} student`` / ``{only} not student`` blocks (``chapters/about.md``).
* The page's download button offers the learner notebook (``_notebooks/<name>.ipynb``,
  written by ``tools/learner_notebooks.py``) instead of the MyST notebook of the build,
  and the zip of all notebooks; the student edition offers nothing else (the sources
  hold the solutions). In the instructor edition the launch button gains "Colab", which
  opens that notebook from the published site's branch (``gdbook_pages_branch``,
  default ``gh-pages``) of the repository set once in ``_config.yml``
  (``repository.url``): Colab opens notebooks from GitHub only.
* ``{exercise-table}`` renders every exercise of every page in ``_toc.yml`` (chapter,
  title linked to the exercise, type, difficulty, estimated time, whether it is an
  assignment) from the chapter sources, which become dependencies of the page, so the
  table is rebuilt whenever an exercise changes or a chapter lands.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.docutils import SphinxDirective

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_build import doc_source, toc_docs

NOTEBOOKS = "_notebooks"
COLAB = "https://colab.research.google.com/github"
KINDS = ("derivation", "coding", "experiment")


def add_edition_tag(app: Sphinx, config: Config) -> None:
    """``student`` or ``instructor`` as a tag for ``{only}``."""
    edition = str(config.gdbook_edition)
    if edition not in {"student", "instructor"}:
        raise ValueError(f"gdbook_edition must be 'student' or 'instructor'; got {edition!r}")
    app.tags.add(edition)


def _github(app: Sphinx) -> tuple[str, str] | None:
    url = str((app.config.html_theme_options or {}).get("repository_url", ""))
    match = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", url)
    return (match.group(1), match.group(2)) if match else None


def notebook_buttons(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Point the download and launch buttons at the learner notebooks."""
    buttons = context.get("header_buttons")
    if not buttons or doctree is None:
        return
    student = app.config.gdbook_edition == "student"
    name = Path(pagename).name
    pathto = context["pathto"]
    notebook = pathto(f"{NOTEBOOKS}/{name}.ipynb", 1)
    archive = pathto(f"{NOTEBOOKS}/gdbook-{app.config.gdbook_edition}-notebooks.zip", 1)
    for group in buttons:
        if group.get("label") == "download-buttons":
            kept = [b for b in group["buttons"] if b.get("label") == "download-pdf-button"]
            if not student:
                kept += [b for b in group["buttons"] if b.get("label") == "download-source-button"]
            group["buttons"] = [
                {
                    "type": "link",
                    "url": notebook,
                    "text": ".ipynb",
                    "tooltip": "Download this page as a notebook (runs in any Jupyter)",
                    "icon": "fas fa-code",
                    "label": "download-notebook-button",
                },
                {
                    "type": "link",
                    "url": archive,
                    "text": ".zip",
                    "tooltip": "Download the whole book as notebooks",
                    "icon": "fas fa-file-archive",
                    "label": "download-zip-button",
                },
                *kept,
            ]
        if group.get("label") == "launch-buttons" and not student:
            repo = _github(app)
            if repo is None:
                continue
            org, name_ = repo
            branch = app.config.gdbook_pages_branch
            group["buttons"].append(
                {
                    "type": "link",
                    "text": "Colab",
                    "tooltip": "Open the notebook of this page on Colab",
                    "icon": "_static/images/logo_colab.png",
                    "url": f"{COLAB}/{org}/{name_}/blob/{branch}/{NOTEBOOKS}/{name}.ipynb",
                }
            )


class ExerciseTable(SphinxDirective):
    """``{exercise-table}``: every exercise of the book, from the chapter sources."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """The summary line and the table."""
        from assignments import exercises

        root = Path(self.env.srcdir)
        rows = []
        for doc in toc_docs(root):
            found = exercises(doc, root)
            if found:
                self.env.note_dependency(str(doc_source(doc, root)))
            rows += [(doc, e) for e in found]
        table = nodes.table(classes=["exercise-table"])
        group = nodes.tgroup(cols=6)
        table += group
        for width in (14, 40, 12, 10, 8, 10):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row(["Chapter", "Exercise", "Type", "Difficulty", "Time", "Assignment"])
        body = nodes.tbody()
        group += body
        for doc, exercise in rows:
            chapter = addnodes.pending_xref(
                "", nodes.inline(text=doc), refdomain="std", reftype="doc",
                reftarget=f"/{doc}", refexplicit=False, refwarn=True,
            )  # fmt: skip
            title: nodes.Node = nodes.Text(exercise.title)
            if exercise.label:
                title = addnodes.pending_xref(
                    "", nodes.inline(text=exercise.title), refdomain="std", reftype="ref",
                    reftarget=exercise.label, refexplicit=True, refwarn=True,
                    refdoc=self.env.docname,
                )  # fmt: skip
            assigned = "self-graded" if exercise.kind == "coding" and exercise.functions else ""
            body += self._row(
                [chapter, title, exercise.kind, exercise.stars, f"{exercise.minutes} min", assigned]
            )
        counts = {k: sum(e.kind == k for _, e in rows) for k in KINDS}
        minutes = sum(e.minutes for _, e in rows)
        summary = nodes.paragraph(
            text=f"{len(rows)} exercises in {len({d for d, _ in rows})} pages: "
            + ", ".join(f"{n} {k}" for k, n in counts.items())
            + f"; {minutes // 60} h {minutes % 60} min of estimated work in all."
        )
        return [summary, table]

    @staticmethod
    def _row(cells: list[Any]) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            para = nodes.paragraph()
            para += cell if isinstance(cell, nodes.Node) else nodes.Text(str(cell))
            entry += para
            row += entry
        return row


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the edition setting, the buttons and the directive."""
    app.add_config_value("gdbook_edition", "instructor", "env")
    app.add_config_value("gdbook_pages_branch", "gh-pages", "html")
    app.connect("config-inited", add_edition_tag)
    app.connect("html-page-context", notebook_buttons, priority=502)
    app.add_directive("exercise-table", ExerciseTable)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
