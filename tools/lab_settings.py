"""Make JupyterLab in a virtual environment open the chapters' ``.md`` files as notebooks.

Usage (``make lab`` runs it before starting JupyterLab)::

    python tools/lab_settings.py .venv
    python tools/lab_settings.py "$(python -c 'import sys; print(sys.prefix)')"   # Binder

Writes ``VENV/share/jupyter/lab/settings/overrides.json``, the file JupyterLab reads for
site-wide defaults, keeping any other settings already in it:

.. code-block:: json

    {"@jupyterlab/docmanager-extension:plugin":
        {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}}

This is the setting jupytext 1.19 documents and writes itself with ``jupytext-config
set-default-viewer`` (``jupytext_config/labconfig.py``: the same plugin id, key and
viewer name), except that the command writes to the *user's* config directory while we
keep it inside the environment. Only Markdown and MyST are switched: ``.py`` files keep
opening in the editor, since ``code/`` holds modules, not notebooks.

No jupytext configuration file is needed: every chapter's header names its format
(``format_name: myst``), which jupytext reads on open and keeps on save, and the
jupytext server extension is enabled by its own package
(``VENV/etc/jupyter/jupyter_server_config.d/jupytext.json``). The kernel is the
environment's ``python3`` kernel, where ``gdbook`` is installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

PLUGIN = "@jupyterlab/docmanager-extension:plugin"
VIEWER = "Jupytext Notebook"
DOCTYPES = ("markdown", "myst")


def overrides_path(venv: Path) -> Path:
    """Where JupyterLab looks for site-wide setting overrides in ``venv``."""
    return venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def write_overrides(venv: Path) -> Path:
    """Merge the default-viewer setting into ``overrides.json``; return its path."""
    path = overrides_path(venv)
    settings: dict[str, Any] = {}
    if path.exists() and path.read_text(encoding="utf-8").strip():
        settings = json.loads(path.read_text(encoding="utf-8"))
    viewers = settings.setdefault(PLUGIN, {}).setdefault("defaultViewers", {})
    for doctype in DOCTYPES:
        viewers[doctype] = VIEWER
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("venv", type=Path, help="the virtual environment (e.g. .venv)")
    args = parser.parse_args(argv)
    venv = args.venv.resolve()
    # a virtual environment (make lab) or the running Python's own prefix (Binder's conda)
    if not (venv / "pyvenv.cfg").exists() and venv != Path(sys.prefix).resolve():
        print(f"lab_settings: {venv} is not a virtual environment", file=sys.stderr)
        return 1
    path = write_overrides(venv)
    print(f"lab_settings: .md files open as notebooks (jupytext); settings in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
