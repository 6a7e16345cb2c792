"""The paired set "cjk_glyphs": CJK ideographs, sans -> brush font.

Debian `fonts-wqy-microhei` (sans, Apache-2.0 or GPL-3+ with font exception) ->
`fonts-arphic-ukai` (brush, Arphic Public License), every 4th CJK ideograph
(U+4E00-U+9FFF) present in both fonts, drawn with PIL, grey.
"""

import numpy as np

from kerasgan.datasets.sources.common import SIZE, Source, log, splits_of
from kerasgan.datasets.sources.fetch import Package

CJK_RANGE = (0x4E00, 0x9FFF)
CJK_STRIDE = 4  # every 4th shared ideograph: a few thousand, not 18k


def _cmap(font_path):
    from fontTools.ttLib import TTFont

    with TTFont(font_path, fontNumber=0, lazy=True) as font:
        return set(font.getBestCmap())


def _draw_glyph(character, font):
    """A glyph drawn black on white, its ink centred in a SIZE x SIZE grey image."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (SIZE, SIZE), 255)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), character, font=font)
    draw.text(((SIZE - (right - left)) / 2 - left, (SIZE - (bottom - top)) / 2 - top), character, font=font, fill=0)
    return np.asarray(image)[..., None]


def convert(sans_font, brush_font, verbose=False, codepoints=CJK_RANGE, stride=CJK_STRIDE):
    """Sans -> brush glyph pairs of every `stride`-th character of the `codepoints` range
    (first, last) that both fonts have."""
    from PIL import ImageFont

    shared = sorted(set(range(codepoints[0], codepoints[1] + 1)) & _cmap(sans_font) & _cmap(brush_font))
    if not shared:
        raise ValueError(f"Expected characters in U+{codepoints[0]:04X}-U+{codepoints[1]:04X} in both fonts. "
                         f"Received: none shared by {sans_font} and {brush_font}.")
    codepoints = shared[::stride]
    log(f"cjk_glyphs: {len(shared)} characters in both fonts; drawing every {stride}th", verbose)
    # Sized so that the widest glyphs keep a margin in the 64 px square.
    fonts = [ImageFont.truetype(path, size=int(SIZE * 0.85), index=0) for path in (sans_font, brush_font)]
    inputs, targets = ([_draw_glyph(chr(code), font) for code in codepoints] for font in fonts)
    names = [f"U+{code:04X}" for code in codepoints]
    return {"inputs": np.stack(inputs), "targets": np.stack(targets), "names": np.array(names),
            "splits": splits_of(names)}


SOURCE = Source(
    name="cjk_glyphs",
    kind="pairs",
    description="CJK ideographs, sans -> brush font, 64x64 grey, 4,592 pairs (4,148 train, 444 test)",
    packages=(
        Package("apt", "fonts-wqy-microhei", "fonts-wqy-microhei_*.deb",
                "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", (".ttc", ".ttf"), "file"),
        Package("apt", "fonts-arphic-ukai", "fonts-arphic-ukai_*.deb",
                "/usr/share/fonts/truetype/arphic/ukai.ttc", (".ttc", ".ttf"), "file"),
    ),
    convert=convert,
)
