"""``python -m gdbook.live export DIR``: the fixtures the JavaScript is tested against.

``export DIR`` writes ``DIR/fixtures.json`` (:func:`gdbook.live.fixtures`);
``spec NAME`` prints one explorer's page spec; ``list`` the live explorers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from gdbook import live


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m gdbook.live", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="write DIR/fixtures.json")
    export.add_argument("dir", type=Path)
    one = sub.add_parser("spec", help="print the page spec of one explorer")
    one.add_argument("name")
    sub.add_parser("list", help="the explorers that have a live figure")
    args = parser.parse_args(argv)
    if args.command == "list":
        print("\n".join(sorted(live.load_all())))
    elif args.command == "spec":
        print(live.dumps(live.spec(args.name)[0]))
    else:
        start = time.perf_counter()
        args.dir.mkdir(parents=True, exist_ok=True)
        path = args.dir / "fixtures.json"
        path.write_text(live.dumps(live.fixtures()), encoding="utf-8")
        seconds = time.perf_counter() - start
        print(f"gdbook.live: wrote {path} ({path.stat().st_size / 1e3:.0f} kB, {seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
