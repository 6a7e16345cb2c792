"""The two-domain set "emoji": Noto (A) <-> Twemoji (B), with ground-truth pairs.

npm `emoji-datasource-google@16.0.0` (Noto Emoji, Apache-2.0) and
`emoji-datasource-twitter@16.0.0` (Twemoji, CC-BY-4.0), 64 px PNGs onto white; the
same file name in both is the same emoji (a ground-truth pair). Skin-tone variants of
one emoji share a split.
"""

import os

import numpy as np

from kerasgan.datasets.pixels import read_image
from kerasgan.datasets.sources.common import SIZE, Source, log, read_members, splits_of
from kerasgan.datasets.sources.fetch import Package

SKIN_TONES = {"1f3fb", "1f3fc", "1f3fd", "1f3fe", "1f3ff"}


def _pngs(archive_path, style):
    folder = f"package/img/{style}/64/"
    members = read_members(archive_path, lambda name: name.startswith(folder) and name.endswith(".png"))
    if not members:
        raise ValueError(f"Expected PNGs under {folder} in {archive_path}. Received: none.")
    return {os.path.basename(name)[: -len(".png")]: data for name, data in members.items()}


def _split_key(name):
    # Skin-tone variants of one emoji share a split (no near-duplicate across splits).
    return "-".join(part for part in name.split("-") if part not in SKIN_TONES)


def convert(google_archive, twitter_archive, verbose=False):
    """Noto (A) and Twemoji (B) emoji of the npm `emoji-datasource-*` tarballs, as arrays;
    only names present in both, in sorted order, so index i is the same emoji in both."""
    noto = _pngs(google_archive, "google")
    twemoji = _pngs(twitter_archive, "twitter")
    names = sorted(set(noto) & set(twemoji))
    log(f"emoji: {len(names)} names in both ({len(noto)} Noto, {len(twemoji)} Twemoji)", verbose)
    images_a = np.stack([read_image(noto[name]) for name in names])
    images_b = np.stack([read_image(twemoji[name]) for name in names])
    for images, archive in ((images_a, google_archive), (images_b, twitter_archive)):
        if images.shape[1:] != (SIZE, SIZE, 3):
            raise ValueError(f"Expected {SIZE}x{SIZE} emoji in {archive}. Received: {images.shape[1:]}")
    splits = splits_of([_split_key(name) for name in names])
    return {
        "images_a": images_a,
        "images_b": images_b,
        "names_a": np.array(names),
        "names_b": np.array(names),
        "splits_a": splits,
        "splits_b": splits,
    }


SOURCE = Source(
    name="emoji",
    kind="domains",
    description="Noto (A) <-> Twemoji (B) emoji, 64x64 RGB, 3,786 ground-truth pairs (3,374 train, 412 test)",
    packages=(
        Package("npm", "emoji-datasource-google@16.0.0", "emoji-datasource-google-16.0.0.tgz"),
        Package("npm", "emoji-datasource-twitter@16.0.0", "emoji-datasource-twitter-16.0.0.tgz"),
    ),
    convert=convert,
    paired=True,
)
