"""Solid voxel grids from triangle meshes (`voxelize`): the surface sampled densely
enough that no voxel it crosses is missed, then every enclosed voxel filled."""

import numpy as np

SURFACE_STEP = 0.5  # surface samples at most half a voxel apart


def _lattice(count):
    """Barycentric weights `(k, 3)` of a triangular lattice with `count` steps along
    each edge of a triangle."""
    first, second = np.meshgrid(np.arange(count + 1), np.arange(count + 1), indexing="ij")
    keep = first + second <= count
    first, second = first[keep], second[keep]
    return np.stack([count - first - second, first, second], axis=1) / count


def voxelize(triangles, resolution=32):
    """Solid occupancy of triangles given in grid units: bool `(depth, height, width)`.

    Every triangle is sampled at points at most half a voxel apart (its vertices, and
    a barycentric lattice on larger ones); the voxels holding a sample form the
    surface, and every voxel the surface encloses (not reachable from the grid's
    faces through face-adjacent empty voxels) is filled. Points outside the grid are
    clipped onto it.

    Args:
        triangles: float array `(f, 3, 3)`: f triangles of 3 vertices `(x, y, z)` in
            voxel units, the grid spanning [0, resolution] on each axis. Voxel
            `[k, j, i]` holds the points with `floor(z) = k`, `floor(y) = j`,
            `floor(x) = i`.
        resolution: int. Voxels per side. Defaults to 32.

    Returns:
        bool array `(resolution, resolution, resolution)`, indexed `[z, y, x]`.
    """
    from scipy import ndimage

    triangles = np.asarray(triangles, np.float64)
    surface = np.zeros((resolution,) * 3, bool)

    def mark(points):
        cells = np.clip(np.floor(points).astype(np.int64), 0, resolution - 1)
        surface[cells[:, 2], cells[:, 1], cells[:, 0]] = True

    mark(triangles.reshape(-1, 3))
    longest = np.sqrt(((triangles - np.roll(triangles, 1, axis=1)) ** 2).sum(-1)).max(axis=1)
    counts = np.ceil(longest / SURFACE_STEP).astype(np.int64)
    for count in np.unique(counts[counts > 1]):
        weights = _lattice(int(count))
        selected = triangles[counts == count]
        per_chunk = max(1, 2_000_000 // len(weights))  # bounds the memory of the samples
        for start in range(0, len(selected), per_chunk):
            mark(np.einsum("kc,fcd->fkd", weights, selected[start : start + per_chunk]).reshape(-1, 3))
    return ndimage.binary_fill_holes(surface)
