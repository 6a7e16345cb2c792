"""The paired set "openmoji": OpenMoji line art -> colour.

npm `openmoji@17.0.0` (CC-BY-SA-4.0, HfG Schwaebisch Gmuend). Black line art SVG ->
colour SVG, rendered with cairosvg at 64 px onto white. Skin-tone variants (and a few
colour variants, such as the hearts) share one line drawing: one target is kept per
line drawing, the variant without a skin tone first, then the first in
`openmoji.json`. The near-empty `flags` group is dropped.
"""

import json

import numpy as np

from kerasgan.datasets.pixels import read_image
from kerasgan.datasets.sources.common import SIZE, Source, log, read_members, require_member, splits_of
from kerasgan.datasets.sources.fetch import Package


def _render_svg(svg):
    import cairosvg

    return read_image(cairosvg.svg2png(bytestring=svg, output_width=SIZE, output_height=SIZE))


def convert(archive_path, verbose=False):
    """The OpenMoji line art -> colour pairs of the npm `openmoji` tarball, as arrays."""
    members = read_members(
        archive_path, lambda name: name.endswith(".svg") or name == "package/data/openmoji.json"
    )
    entries = json.loads(require_member(members, "package/data/openmoji.json", archive_path))
    # The variant without a skin tone first, then file order: the kept target is fixed.
    order = sorted(
        (index for index, entry in enumerate(entries) if entry["group"] != "flags"),
        key=lambda index: (bool(entries[index].get("skintone")), index),
    )
    kept, seen = [], set()
    for index in order:
        entry = entries[index]
        code = entry["hexcode"]
        line_art = _render_svg(require_member(members, f"package/black/svg/{code}.svg", archive_path))
        if line_art.tobytes() in seen:
            continue
        seen.add(line_art.tobytes())
        colour = _render_svg(require_member(members, f"package/color/svg/{code}.svg", archive_path))
        kept.append((index, code, line_art, colour))
    kept.sort(key=lambda item: item[0])
    log(f"openmoji: {len(kept)} unique line drawings of {len(order)} non-flag emoji", verbose)
    names = [code for _, code, _, _ in kept]
    return {
        "inputs": np.stack([item[2] for item in kept]),
        "targets": np.stack([item[3] for item in kept]),
        "names": np.array(names),
        "splits": splits_of(names),
    }


SOURCE = Source(
    name="openmoji",
    kind="pairs",
    description="OpenMoji line art -> colour, 64x64 RGB both, 2,041 pairs (1,845 train, 196 test)",
    packages=(Package("npm", "openmoji@17.0.0", "openmoji-17.0.0.tgz"),),
    convert=convert,
)
