"""What the source modules share: the record that describes a set, the image size, the
train/test split, progress lines, and reading `.tgz` members."""

import collections
import hashlib
import tarfile

import numpy as np

SIZE = 64
TEST_PERCENT = 10

# Everything about one named set: its name; its kind ("pairs", "domains" or "voxels");
# what it holds (counts as measured on the prepared caches); the packages it is made
# from (`fetch.Package`s, in the order `convert` takes their files); the converter
# `convert(*files, verbose=False, ...)` -> dict of arrays; and, for two domains,
# whether index i is the same subject in A and B.
Source = collections.namedtuple(
    "Source", ["name", "kind", "description", "packages", "convert", "paired"], defaults=(False,)
)


def log(message, verbose=True):
    if verbose:
        print(f"kerasgan: {message}", flush=True)


def split_of(key):
    """"test" for about 10% of keys, "train" for the rest; the same key, the same split."""
    value = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    return "test" if value % 100 < TEST_PERCENT else "train"


def splits_of(keys):
    """The split of each key, as an array."""
    return np.array([split_of(key) for key in keys])


def read_members(archive_path, wanted):
    """`{member name: bytes}` of the members of a `.tgz` for which `wanted(name)` holds."""
    members = {}
    # One sequential pass: random access into a gzip stream would re-read it each time.
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive:
            if member.isfile() and wanted(member.name):
                members[member.name] = archive.extractfile(member).read()
    return members


def require_member(members, name, archive_path):
    """The bytes of one of `read_members`'s members, or a ValueError naming the archive."""
    if name not in members:
        raise ValueError(f"Expected the member {name} in {archive_path}. Received: an archive without it.")
    return members[name]
