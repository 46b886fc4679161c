"""Chart.js for the live figures: the npm package, pinned and verified, unpacked into a cache.

The live figures (``tools/live_figures.py``) draw with Chart.js, a canvas library made for
charts that are updated live (``chart.update("none")`` redraws synchronously, without
animation, in about a millisecond for the explorers' few hundred points), with linear
and logarithmic axes, scatter lines with markers, per-point rotated markers (the arrow
heads) and a plugin hook for the precomputed image under a panel. It is MIT-licensed,
released regularly, and its UMD bundle is one self-contained 210 kB file.

As ``tools/vendor_mathjax.py`` does for MathJax: ``npm pack chart.js@VERSION``, the
tarball checked against the sha512 integrity pinned below (``npm view
chart.js@<version> dist.integrity``), and only ``dist/chart.umd.min.js`` (its source-map
comment removed: the map is not shipped) and the licence unpacked into
``<cache>/chartjs-<version>/live/vendor/``. The extension adds ``<cache>/chartjs-<version>``
to ``html_static_path``, so the build copies it to ``_static/live/vendor/``, and loads it
only on the pages that show a live figure. Nothing is committed. Usage::

    python tools/vendor_chartjs.py [CACHE_DIR]   # fetch now; prints the file
"""

from __future__ import annotations

import io
import os
import re
import sys
import tarfile
import tempfile
from pathlib import Path

from vendor_mathjax import DEFAULT_CACHE, VendorError, integrity_of, npm_pack

VERSION = "4.6.1"
INTEGRITY = (  # npm view chart.js@4.6.1 dist.integrity
    "sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g=="
)
BUNDLE = "chart.umd.min.js"
MEMBERS = {f"package/dist/{BUNDLE}": BUNDLE, "package/LICENSE.md": "LICENSE.md"}
FOLDER = "live/vendor"  # below _static/
SOURCE_MAP = re.compile(rb"\n?//# sourceMappingURL=\S+\s*$")


def target_dir(cache: Path = DEFAULT_CACHE) -> Path:
    """The folder to add to ``html_static_path``; it holds ``live/vendor/<BUNDLE>``."""
    return cache / f"chartjs-{VERSION}"


def unpack(tarball: bytes, dest: Path) -> int:
    """Unpack the bundle and the licence into ``dest/FOLDER``; return the file count."""
    count = 0
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive.getmembers():
            name = MEMBERS.get(member.name)
            source = archive.extractfile(member) if name and member.isfile() else None
            if source is None or name is None:
                continue
            data = source.read()
            if name == BUNDLE:
                data = SOURCE_MAP.sub(b"\n", data)  # the .map is not shipped: no 404 for it
            path = dest / FOLDER / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            count += 1
    return count


def ensure(cache: Path = DEFAULT_CACHE) -> Path:
    """Fetch and unpack Chart.js into the cache unless it is there; return ``target_dir``."""
    target = target_dir(cache)
    if (target / FOLDER / BUNDLE).is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".chartjs-") as tmp:
        work = Path(tmp)
        tarball = npm_pack(work, f"chart.js@{VERSION}", "Chart.js (the live figures)")
        found = integrity_of(tarball)
        if found != INTEGRITY:
            raise VendorError(
                f"chart.js@{VERSION} from the registry has integrity {found}, "
                f"pinned {INTEGRITY}: refusing to use it"
            )
        staged = work / "staged"
        if unpack(tarball, staged) != len(MEMBERS):
            raise VendorError(f"chart.js@{VERSION}: dist/{BUNDLE} is not in the package")
        try:
            os.rename(staged, target)
        except OSError:
            if not (target / FOLDER / BUNDLE).is_file():
                raise
    return target


def main(argv: list[str] | None = None) -> int:
    """Fetch Chart.js into the cache (default ``_build/.vendor``) and print the bundle."""
    args = sys.argv[1:] if argv is None else argv
    cache = Path(args[0]) if args else DEFAULT_CACHE
    try:
        print(ensure(cache) / FOLDER / BUNDLE)
    except VendorError as error:
        print(f"vendor_chartjs: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
