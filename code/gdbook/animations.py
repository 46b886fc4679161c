"""Animations that play in the static book: matplotlib frames with play and scrub controls.

An animation is a :class:`matplotlib.animation.FuncAnimation`. :func:`to_html` renders it
with matplotlib's :class:`~matplotlib.animation.HTMLWriter` (the player of
``FuncAnimation.to_jshtml``: every frame a PNG embedded in the page, a slider and
play/step buttons in plain JavaScript), so the page moves without a kernel, and then makes
the result fit the book:

* deterministic: the player's element id is a fixed name, not a random UUID, and the
  frames are drawn from cached experiments, so two renders are byte-identical;
* offline: matplotlib's player loads an icon font from a CDN; the buttons get text
  symbols instead and the stylesheet link is dropped (the built book makes no request
  off the machine);
* accessible: the image has alt text, each button keeps its ``aria-label``;
* small: each frame is reduced to a palette of at most ``colors`` colours (flat line art
  loses nothing visible) and written with PNG optimisation, so a page keeps within the
  1 MB of DESIGN.md.

Each chapter's animations are factories in that chapter's :mod:`gdbook.viz` module,
registered with ``@register_animation("name")`` so that tests find them.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from matplotlib.animation import Animation, HTMLWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from gdbook.viz import Registry

ANIMATIONS: Registry[Animation] = Registry("animation")
"""Name -> factory of a matplotlib animation."""
register_animation = ANIMATIONS.register

ICONS = {
    "fa-minus": "−",
    "fa-fast-backward": "⇤",
    "fa-step-backward": "◀︎|",
    "fa-play fa-flip-horizontal": "◀︎",
    "fa-pause": "❚❚",
    "fa-play": "▶︎",
    "fa-step-forward": "|▶︎",
    "fa-fast-forward": "⇥",
    "fa-plus": "+",
}
"""Text for each of the player's icons (matplotlib draws them with Font Awesome 4)."""
_FRAME = re.compile(r'frames\[\d+\] = "data:image/png;base64,')


def load_all() -> Registry[Animation]:
    """Every chapter's animations (:func:`gdbook.viz.load_all` imports their modules)."""
    return ANIMATIONS.loaded()


class PaletteWriter(HTMLWriter):
    """:class:`~matplotlib.animation.HTMLWriter` with embedded frames of a few colours each."""

    def __init__(self, fps: int, colors: int, default_mode: str = "loop") -> None:
        super().__init__(fps=fps, embed_frames=True, default_mode=default_mode)
        self.colors = colors

    def grab_frame(self, **savefig_kwargs: Any) -> None:
        """Take the frame just drawn, reduce it to the palette and keep it as base64 PNG.

        :meth:`Animation.save` has drawn the frame on the figure's Agg canvas already (its
        ``draw_idle`` draws at once); its pixels are taken as they are, instead of drawing
        the figure a second time for ``savefig`` (whose only arguments here are an opaque
        face colour, which the book's figures have anyway).
        """
        canvas = self.fig.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            raise TypeError(f"PaletteWriter needs an Agg canvas, got {type(canvas).__name__}")
        width, height = canvas.get_width_height(physical=True)
        pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
        image = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1)
        image = image.convert("RGB")
        reduced = image.quantize(self.colors, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        packed = io.BytesIO()
        reduced.save(packed, format="png", optimize=True)
        # one line of base64 a frame: with encodebytes' line breaks (each written as a
        # backslash and a newline into the script) every frame was 2.6 % longer
        self._saved_frames.append(  # type: ignore[attr-defined]  # HTMLWriter.setup made it
            base64.b64encode(packed.getvalue()).decode("ascii")
        )


def to_html(animation: Animation, *, name: str, alt: str, fps: int = 8, colors: int = 24) -> str:
    """The animation as HTML with a player: frames embedded, fixed id ``name``, no network.

    24 colours: the three-ball frames differ from 32-colour ones by at most 32 levels of 255
    in a channel, on antialiased edges, and are 8 % smaller; at 16 the shaded dead zone
    merges into the white.
    """
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise ValueError(f"name must be an identifier (it names a JavaScript object); got {name!r}")
    with TemporaryDirectory() as tmp:
        path = Path(tmp, "animation.html")
        animation.save(str(path), writer=PaletteWriter(fps, colors))
        html = path.read_text(encoding="utf-8")
    (generated,) = set(re.findall(r'id="_anim_img(\w+)"', html))
    html = html.replace(generated, name)
    html = re.sub(r'<link rel="stylesheet"\s+href="https://[^"]*">\s*', "", html)
    html = html.replace(f'<img id="_anim_img{name}">', f'<img id="_anim_img{name}" alt="{alt}">')
    for icon, text in ICONS.items():
        html = html.replace(f'<i class="fa {icon}"></i>', f"<span>{text}</span>")
    return html


def frame_count(html: str) -> int:
    """How many frames an HTML player from :func:`to_html` embeds."""
    return len(_FRAME.findall(html))
