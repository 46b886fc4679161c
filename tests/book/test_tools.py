"""The build tools: the widget-state extension, its check, and the student config."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from docutils import nodes
from docutils.utils import new_document

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import check_build  # noqa: E402
import student_edition  # noqa: E402
import widget_state  # noqa: E402

VIEW = '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "m"}</script>'
STATE = '<script type="application/vnd.jupyter.widget-state+json">{"state": {}}</script>'
EMBED = '<script src="https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager/embed-amd.js">'


def _doctree(*raw_html: str) -> nodes.document:
    document = new_document("page")
    document += nodes.paragraph(text="a page with " + VIEW)  # text, not a rendered output
    for html in raw_html:
        document += nodes.raw(text=html, format="html")
    return document


def _widget_js() -> dict[str, Any]:
    return {
        "ipywidgets_state": (None, {"type": "application/vnd.jupyter.widget-state+json"}),
        "ipywidgets_0": ("require.min.js", {}),
        "ipywidgets_1": ("embed-amd.js", {}),
        "other": ("plot.js", {}),
    }


def _app(js_files: dict[str, Any]) -> Any:
    env = SimpleNamespace(docname="chapters/x", nb_metadata={"chapters/x": {"js_files": js_files}})
    return SimpleNamespace(env=env)


def test_widget_state_is_dropped_only_from_pages_without_a_widget() -> None:
    hidden = _widget_js()
    widget_state.drop_unused_widget_state(_app(hidden), _doctree("<p>no widget</p>"))
    assert sorted(hidden) == ["other"]  # only myst-nb's widget entries go

    shown = _widget_js()
    widget_state.drop_unused_widget_state(_app(shown), _doctree(VIEW))
    assert sorted(shown) == sorted(_widget_js())


def _problems(tmp_path: Path, body: str) -> list[str]:
    page = tmp_path / "page.html"
    page.write_text(f"<html><head>{STATE}{EMBED}</script></head><body>{body}</body></html>")
    report = check_build.Report()
    check_build.check_page(page, tmp_path, report)
    return report.problems


def test_check_build_flags_widget_state_on_a_page_without_a_widget(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "<p>no widget</p>")
    assert len(problems) == 2 and all("widget state or scripts" in p for p in problems)
    assert _problems(tmp_path, VIEW) == []


def test_student_config_points_local_extensions_at_the_repository() -> None:
    """The student build reads its config from a temporary directory, so the extension
    paths of _config.yml (relative to the root) must be absolute there."""
    local = student_edition.student_config()["sphinx"]["local_extensions"]
    assert local, "_config.yml lists local extensions"
    for name, path in local.items():
        assert Path(path).is_absolute()
        assert (Path(path) / f"{name}.py").is_file()


def test_check_build_flags_a_role_left_in_the_text_but_not_one_quoted_in_code(
    tmp_path: Path,
) -> None:
    for role in ("{glue:text}`x:.2f`", "{cite:p}`zeiler2012`", "{eq}`eq-x`", "{doc}`adam`"):
        problems = _problems(tmp_path, f"{VIEW}<p>as shown in {role}.</p>")
        assert len(problems) == 1 and "unresolved role" in problems[0], role
        assert _problems(tmp_path, f"{VIEW}<p>quoted: <code>{role}</code></p>") == []


def test_check_build_keeps_token_spans_the_theme_colours_differently() -> None:
    from check_build import plain_token_problems

    css = (
        'html[data-theme="light"] .highlight { background: #fefefe; color: #080808 }\n'
        'html[data-theme="light"] .highlight .n { color: #080808 }\n'
        'html[data-theme="light"] .highlight .p { color: #123456 }\n'
        'html[data-theme="dark"] .highlight { background: #2b2b2b; color: #F8F8F2 }\n'
        'html[data-theme="dark"] .highlight .n { color: #F8F8F2 }\n'
    )
    problems = plain_token_problems(css, ("n", "p", "w"))
    assert len(problems) == 1 and ".highlight .p is #123456 in the light theme" in problems[0]
    assert plain_token_problems(css, ("n", "w")) == []  # no rule: the listing's own colour


def test_check_build_flags_an_equation_reference_in_parentheses(tmp_path: Path) -> None:
    link = '<a class="reference internal" href="#equation-eq-x">(2.3)</a>'
    problems = _problems(tmp_path, f"{VIEW}<p>by the bound ({link}), so</p>")
    assert len(problems) == 1 and "in parentheses: ((2.3))" in problems[0]
    assert _problems(tmp_path, f"{VIEW}<p>by the bound {link}, so</p>") == []
    assert _problems(tmp_path, f"{VIEW}<p>(the bound {link} holds)</p>") == []
