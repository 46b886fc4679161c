"""Compare two SVG files on what a reader can see: numbers to a tolerance, the rest exactly.

Usage::

    python tools/svgdiff.py figures/NAME.svg fresh/NAME.svg [--tolerance 0.01]

Two renders of one figure on two machines agree to the last digit only if every number
behind them does; BLAS kernels and CPUs differ in the last bits of their sums, and those
bits reach the coordinates in the file. So the files are parsed and walked side by side:

* coordinates and lengths (``d``, ``x``, ``y``, ``width``, the offsets in ``transform``,
  ...) may differ by :data:`TOLERANCE` in the file's user units; matplotlib writes 72 of
  them per inch, so 0.01 is 1/7200 in, about 0.013 CSS px at 100 % zoom;
* the factors of a ``transform`` (``scale``, the matrix entries) by :data:`FACTOR_TOLERANCE`;
* embedded PNG images (``imshow``) may differ by :data:`IMAGE_LEVELS` of 255 per channel;
* everything else -- element names and their order, the path commands, colours and styles,
  text -- must be equal. Ids are compared as what they link (matplotlib derives some from a
  hash of the content), not by their spelling.

The report names each element that differs by its place in the tree (ancestors by id, or by
tag and index among the siblings of that tag), the attribute and the number's index, the
two values and the largest difference.
"""

from __future__ import annotations

import argparse
import base64
import io
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

TOLERANCE = 0.01
"""Largest difference of a coordinate or length, in SVG user units (1/72 in for matplotlib)."""
FACTOR_TOLERANCE = 1e-6
"""Largest difference of a dimensionless transform factor (scale, matrix a-d)."""
IMAGE_LEVELS = 2
"""Largest difference of an embedded image's channel, in levels of 255."""

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
TRANSFORM = re.compile(r"([A-Za-z]+)\s*\(([^)]*)\)")
REFERENCE = re.compile(r"#([A-Za-z_][\w.:-]*)")
LENGTH_ATTRIBUTES = frozenset(
    "d x y x1 y1 x2 y2 cx cy r rx ry width height points viewBox dx dy".split()
)
REFERENCE_ATTRIBUTES = frozenset({"href", "clip-path", "mask", "filter", "fill", "stroke"})
LISTED = 12  # differing elements listed in a report, largest first


def _local(name: str) -> str:
    """``{namespace}tag`` -> ``tag`` (also for attribute names)."""
    return name.rsplit("}", 1)[-1]


@dataclass
class Difference:
    """A number that moved by more than its tolerance."""

    where: str  # the element, e.g. "g#axes_2 > g#line2d_14 > use[7]"
    attribute: str
    index: int  # which number of the attribute (0-based)
    committed: float
    fresh: float

    @property
    def size(self) -> float:
        """How far the number moved."""
        return abs(self.fresh - self.committed)

    def __str__(self) -> str:
        return (
            f"{self.where} @{self.attribute}[{self.index}]: {self.committed:g} committed, "
            f"{self.fresh:g} fresh (moved {self.size:.4g})"
        )


@dataclass
class SvgDiff:
    """The differences between two SVG files that a reader could see."""

    numbers: list[Difference] = field(default_factory=list)
    structure: list[str] = field(default_factory=list)
    compared: int = 0  # numbers compared

    @property
    def ok(self) -> bool:
        """True when nothing visible differs."""
        return not self.numbers and not self.structure

    @property
    def largest(self) -> Difference | None:
        """The number that moved most, if any moved."""
        return max(self.numbers, key=lambda d: d.size, default=None)

    def report(self, name: str = "the files", limit: int = LISTED) -> str:
        """A message for a failing check: what differs, where, and by how much."""
        if self.ok:
            return f"{name}: no visible difference ({self.compared} numbers compared)"
        lines = [f"{name}: a fresh render differs from the committed file where a reader sees it"]
        if self.numbers:
            worst = self.largest
            assert worst is not None
            elements = {}
            for d in sorted(self.numbers, key=lambda d: -d.size):
                elements.setdefault(d.where, d)
            lines.append(
                f"  {len(self.numbers)} of {self.compared} numbers in {len(elements)} elements "
                f"moved by more than the tolerance; the largest by {worst.size:.4g} (SVG user "
                f"units, 1/72 in) at {worst.where} @{worst.attribute}"
            )
            shown = list(elements.values())[:limit]
            lines += [f"    {d}" for d in shown]
            if len(elements) > len(shown):
                lines.append(f"    ... and {len(elements) - len(shown)} more elements")
        if self.structure:
            lines.append(f"  {len(self.structure)} structural difference(s):")
            lines += [f"    {s}" for s in self.structure[:limit]]
            if len(self.structure) > limit:
                lines.append(f"    ... and {len(self.structure) - limit} more")
        return "\n".join(lines)


def _ids(root: ET.Element) -> dict[str, int]:
    """Every id in document order -> its rank, so that hashed ids compare by position."""
    ranks: dict[str, int] = {}
    for element in root.iter():
        value = element.get("id")
        if value is not None and value not in ranks:
            ranks[value] = len(ranks)
    return ranks


def _label(element: ET.Element, index: int) -> str:
    tag = _local(element.tag)
    value = element.get("id")
    return f"{tag}#{value}" if value is not None else f"{tag}[{index}]"


def _split(value: str) -> tuple[list[str], list[float]]:
    """Text between the numbers (whitespace collapsed) and the numbers themselves."""
    parts = [" ".join(p.split()) for p in NUMBER.split(value)]
    return parts, [float(n) for n in NUMBER.findall(value)]


def _tolerances(attribute: str, value: str, tolerance: float) -> list[float] | None:
    """The tolerance of each number in a geometric attribute, or None if it is not one."""
    if attribute in LENGTH_ATTRIBUTES:
        return [tolerance] * len(NUMBER.findall(value))
    if attribute == "transform":
        out: list[float] = []
        for function, arguments in TRANSFORM.findall(value):
            count = len(NUMBER.findall(arguments))
            if function == "scale":
                out += [FACTOR_TOLERANCE] * count
            elif function == "matrix":
                out += [FACTOR_TOLERANCE] * min(count, 4) + [tolerance] * max(count - 4, 0)
            else:  # translate (lengths), rotate and skew (degrees: 0.01 deg is invisible)
                out += [tolerance] * count
        return out if len(out) == len(NUMBER.findall(value)) else None
    return None


class _Walker:
    def __init__(self, committed: ET.Element, fresh: ET.Element, tolerance: float) -> None:
        self.ids = (_ids(committed), _ids(fresh))
        self.tolerance = tolerance
        self.diff = SvgDiff()

    def _linked(self, value: str, side: int) -> str:
        """Replace references to ids (``#p1a2b``, ``url(#p1a2b)``) by the id's rank."""
        ranks = self.ids[side]
        return REFERENCE.sub(
            lambda m: f"#@{ranks[m.group(1)]}" if m.group(1) in ranks else m.group(0), value
        )

    def attribute(self, where: str, name: str, committed: str, fresh: str) -> None:
        if name == "id":
            if self.ids[0][committed] != self.ids[1][fresh]:
                self.diff.structure.append(f"{where}: id {committed!r} vs {fresh!r} out of order")
            return
        if name in REFERENCE_ATTRIBUTES or "url(" in committed or "url(" in fresh:
            committed, fresh = self._linked(committed, 0), self._linked(fresh, 1)
        if name == "href" and committed.startswith("data:image/"):
            self.image(where, committed, fresh)
            return
        tolerances = _tolerances(name, committed, self.tolerance)
        if tolerances is None:
            if committed != fresh:
                self.diff.structure.append(
                    f"{where} @{name}: {_short(committed)!r} committed, {_short(fresh)!r} fresh"
                )
            return
        (text_a, numbers_a), (text_b, numbers_b) = _split(committed), _split(fresh)
        if text_a != text_b or len(numbers_a) != len(numbers_b):
            self.diff.structure.append(
                f"{where} @{name}: {len(numbers_a)} numbers committed, {len(numbers_b)} fresh"
                + ("" if text_a == text_b else " (and the path commands or units differ)")
            )
            return
        self.diff.compared += len(numbers_a)
        for i, (a, b, tol) in enumerate(zip(numbers_a, numbers_b, tolerances, strict=True)):
            if abs(a - b) > tol:
                self.diff.numbers.append(Difference(where, name, i, a, b))

    def image(self, where: str, committed: str, fresh: str) -> None:
        if committed == fresh:
            return
        import numpy as np
        from matplotlib.image import imread

        def pixels(uri: str) -> np.ndarray:
            data = base64.b64decode(uri.split(",", 1)[1])
            return np.asarray(imread(io.BytesIO(data), format="png"), dtype=np.float64)

        a, b = pixels(committed), pixels(fresh)
        if a.shape != b.shape:
            self.diff.structure.append(f"{where}: image of {a.shape} committed, {b.shape} fresh")
            return
        levels = np.abs(a - b) * 255
        worst = np.unravel_index(int(np.argmax(levels)), levels.shape)
        if levels[worst] > IMAGE_LEVELS + 1e-9:
            self.diff.structure.append(
                f"{where}: image pixel {tuple(int(i) for i in worst[:2])} differs by "
                f"{levels[worst]:.0f} of 255 levels ({int(np.sum(levels > IMAGE_LEVELS))} values)"
            )

    def element(self, committed: ET.Element, fresh: ET.Element, where: str) -> None:
        if committed.tag != fresh.tag:
            self.diff.structure.append(
                f"{where}: <{_local(committed.tag)}> committed, <{_local(fresh.tag)}> fresh"
            )
            return
        names_a = {_local(k): v for k, v in committed.attrib.items()}
        names_b = {_local(k): v for k, v in fresh.attrib.items()}
        if set(names_a) != set(names_b):
            self.diff.structure.append(
                f"{where}: attributes {sorted(names_a)} committed, {sorted(names_b)} fresh"
            )
        for name in sorted(set(names_a) & set(names_b)):
            self.attribute(where, name, names_a[name], names_b[name])
        for text_a, text_b, what in (
            (committed.text, fresh.text, "text"),
            (committed.tail, fresh.tail, "text after it"),
        ):
            if " ".join((text_a or "").split()) != " ".join((text_b or "").split()):
                self.diff.structure.append(
                    f"{where}: {what} {_short(text_a or '')!r} committed, "
                    f"{_short(text_b or '')!r} fresh"
                )
        kids_a, kids_b = list(committed), list(fresh)
        if len(kids_a) != len(kids_b):
            self.diff.structure.append(
                f"{where}: {len(kids_a)} child elements committed, {len(kids_b)} fresh"
            )
        seen: dict[str, int] = {}
        for a, b in zip(kids_a, kids_b, strict=False):
            tag = _local(a.tag)
            index = seen.get(tag, 0)
            seen[tag] = index + 1
            self.element(a, b, f"{where} > {_label(a, index)}")


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def compare(committed: bytes | str, fresh: bytes | str, tolerance: float = TOLERANCE) -> SvgDiff:
    """Walk two SVG documents side by side; return what differs beyond the tolerances."""
    root_a, root_b = ET.fromstring(committed), ET.fromstring(fresh)
    walker = _Walker(root_a, root_b, tolerance)
    walker.element(root_a, root_b, _local(root_a.tag))
    return walker.diff


def main(argv: list[str] | None = None) -> int:
    """Command line: compare two files; exit status 1 when they differ visibly."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("committed", type=Path)
    parser.add_argument("fresh", type=Path)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args(argv)
    diff = compare(args.committed.read_bytes(), args.fresh.read_bytes(), args.tolerance)
    print(diff.report(str(args.committed)))
    return 0 if diff.ok else 1


if __name__ == "__main__":
    sys.exit(main())
