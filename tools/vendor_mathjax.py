"""MathJax for the offline book: the npm package, pinned and verified, unpacked into a cache.

The book typesets its formulas with MathJax 3. Sphinx loads it from a CDN by default, so
with no network a reader sees raw LaTeX. This module fetches the ``mathjax`` package from
the npm registry with npm itself (``npm pack``), checks the tarball against the sha512
integrity pinned below (the value ``npm view mathjax@<version> dist.integrity`` prints),
and unpacks the part a browser needs (the ``tex-mml-chtml`` bundle, the CHTML fonts, the
TeX extensions that bundle loads on demand, and the menu and accessibility components)
into ``<cache>/mathjax-<version>/mathjax/``. The Sphinx extension ``reader_html`` adds
that folder to ``html_static_path``, so the build copies it to ``_static/mathjax/``. It is
not under the book's own ``_static/``: Jupyter Book would inject every ``.js`` file found
there into every page.

Nothing is committed: a fresh clone fetches it on its first build (one ``npm pack``,
about 6 MB, well under a second here); later builds reuse the cache. Usage::

    python tools/vendor_mathjax.py [CACHE_DIR]   # fetch now; prints the folder
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = ROOT / "_build" / ".vendor"

VERSION = "3.2.2"
INTEGRITY = (  # npm view mathjax@3.2.2 dist.integrity
    "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
)
ENTRY = "tex-mml-chtml.js"  # the bundle Sphinx loads by default, from the CDN
# what the bundle may load at run time, relative to es5/ (the rest of the package is
# other bundles and the node build)
KEEP = (ENTRY, "input/", "output/chtml/", "a11y/", "ui/", "sre/")


class VendorError(RuntimeError):
    """MathJax could not be fetched or does not match its pinned integrity."""


def integrity_of(data: bytes) -> str:
    """The npm ``dist.integrity`` string of a tarball (Subresource Integrity, sha512)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def target_dir(cache: Path = DEFAULT_CACHE) -> Path:
    """The folder to add to ``html_static_path``; it holds ``mathjax/<ENTRY>``."""
    return cache / f"mathjax-{VERSION}"


def _kept(name: str) -> str | None:
    """The path below ``mathjax/`` of a tarball member that is kept, or None."""
    if name == "package/LICENSE":
        return "LICENSE"
    prefix = "package/es5/"
    if not name.startswith(prefix):
        return None
    rest = name[len(prefix) :]
    return rest if any(rest == k or rest.startswith(k) for k in KEEP) else None


def unpack(tarball: bytes, dest: Path) -> int:
    """Unpack the kept members of ``tarball`` into ``dest/mathjax``; return the file count."""
    count = 0
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive.getmembers():
            rel = _kept(member.name)
            if rel is None or not member.isfile() or ".." in Path(rel).parts:
                continue
            source = archive.extractfile(member)
            if source is None:
                continue
            path = dest / "mathjax" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source.read())
            count += 1
    return count


def npm_pack(workdir: Path, spec: str = f"mathjax@{VERSION}", purpose: str = "MathJax") -> bytes:
    """Download the npm package ``spec`` with ``npm pack`` into ``workdir``; return the tarball.

    Shared by every library the book vendors (``tools/vendor_chartjs.py`` too).
    """
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(
            f"npm is needed once to fetch {purpose} for the offline book "
            "(Debian: apt-get install -y npm; or Node.js from its installer)"
        )
    result = subprocess.run(
        [npm, "pack", spec, "--json", "--pack-destination", str(workdir)],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise VendorError(f"npm pack {spec} failed:\n{result.stderr.strip()[-2000:]}")
    try:
        filename = json.loads(result.stdout)[0]["filename"]
    except (ValueError, LookupError) as error:
        raise VendorError(f"npm pack {spec}: unexpected output {result.stdout[:500]!r}") from error
    return (workdir / filename).read_bytes()


def ensure(cache: Path = DEFAULT_CACHE) -> Path:
    """Fetch and unpack MathJax into the cache unless it is there; return ``target_dir``.

    Safe against a concurrent build doing the same: each unpacks into a private folder
    and renames it into place; the loser discards its copy.
    """
    target = target_dir(cache)
    if (target / "mathjax" / ENTRY).is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".mathjax-") as tmp:
        work = Path(tmp)
        tarball = npm_pack(work)
        found = integrity_of(tarball)
        if found != INTEGRITY:
            raise VendorError(
                f"mathjax@{VERSION} from the registry has integrity {found}, "
                f"pinned {INTEGRITY}: refusing to use it"
            )
        staged = work / "staged"
        if unpack(tarball, staged) == 0 or not (staged / "mathjax" / ENTRY).is_file():
            raise VendorError(f"mathjax@{VERSION}: es5/{ENTRY} is not in the package")
        try:
            os.rename(staged, target)
        except OSError:
            if not (target / "mathjax" / ENTRY).is_file():
                raise
    return target


def main(argv: list[str] | None = None) -> int:
    """Fetch MathJax into the cache (default ``_build/.vendor``) and print where it is."""
    args = sys.argv[1:] if argv is None else argv
    cache = Path(args[0]) if args else DEFAULT_CACHE
    try:
        print(ensure(cache) / "mathjax")
    except VendorError as error:
        print(f"vendor_mathjax: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
