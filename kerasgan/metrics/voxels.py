"""Metrics for generated voxel shapes: IoU, coverage, minimum matching distance, 1-NNA.

Shapes are voxel grids of occupancies (`(n, depth, height, width)` or with a trailing
channel of 1); a voxel above `threshold` is solid. Two shapes are compared by their
intersection over union (IoU) and the distance `1 - IoU`. A generator is judged
against a reference set (held-out shapes) on two axes, as in Achlioptas et al. 2018
(there with Chamfer / earth mover's distances between point clouds; here with the IoU
distance between voxel grids):

- coverage (COV): the fraction of reference shapes that are the nearest neighbour of
  at least one generated shape. High is diverse: the samples reach every mode of the
  data. A generator that collapses onto a few good shapes has low coverage.
- minimum matching distance (MMD): the mean, over reference shapes, of the distance
  to the closest generated shape. Low is faithful: every real shape has a close
  generated one. Blurry or broken samples raise it.

Report both: many near-copies of one shape can score a fine MMD on that mode yet low
coverage, and noisy samples scattered everywhere can cover much with a poor MMD.
`one_nearest_neighbour_accuracy` (1-NNA, Lopez-Paz and Oquab 2017, as in Yang et al.
2019) folds both into one number: 0.5 is ideal, 1.0 means the two sets are told apart
perfectly.

Numpy only: no backend is needed.
"""

import numpy as np

__all__ = ["coverage_and_mmd", "one_nearest_neighbour_accuracy", "voxel_iou"]

# Voxel values per block of the matrix product (float32): bounds the memory (64 MB).
BLOCK_VALUES = 2**24


def _flat_solid(voxels, threshold, what):
    voxels = np.asarray(voxels)
    if voxels.ndim < 2 or len(voxels) == 0 or voxels[0].size == 0:
        raise ValueError(
            f"Expected {what} as a non-empty batch of voxel grids (n, depth, height, width[, 1]). "
            f"Received: {what} of shape {voxels.shape}"
        )
    return voxels.reshape(len(voxels), -1) > threshold


def voxel_iou(a, b, threshold=0.5):
    """Pairwise intersection over union of two sets of voxel shapes.

    `iou[i, j] = |a_i and b_j| / |a_i or b_j|`, the voxels above `threshold` being
    solid; two empty shapes have IoU 1 (they are the same shape). Computed with
    matrix products of the flattened solid masks, in blocks, so memory stays bounded
    for any number of shapes.

    Args:
        a: array `(n, depth, height, width)` or `(n, depth, height, width, 1)`.
        b: array `(m, ...)`, each grid of the same shape as those of `a`.
        threshold: float. Values above it are solid. Defaults to 0.5.

    Returns:
        float64 array `(n, m)` in [0, 1].

    Example:

    ```python
    cube = np.zeros((1, 8, 8, 8)); cube[:, :4, :4, :4] = 1
    half = np.zeros((1, 8, 8, 8)); half[:, :4, :2, :4] = 1
    kerasgan.metrics.voxel_iou(cube, half)  # [[0.5]]
    ```
    """
    first = _flat_solid(a, threshold, "a")
    second = _flat_solid(b, threshold, "b")
    if np.shape(a)[1:] != np.shape(b)[1:]:
        raise ValueError(
            "Expected grids of the same shape in a and b. "
            f"Received: a of shape {np.shape(a)}, b of shape {np.shape(b)}"
        )
    size = first.shape[1]
    rows = max(1, BLOCK_VALUES // size)
    counts_a = first.sum(axis=1, dtype=np.int64)
    counts_b = second.sum(axis=1, dtype=np.int64)
    intersection = np.zeros((len(first), len(second)), np.int64)
    for start_b in range(0, len(second), rows):
        block_b = second[start_b : start_b + rows].astype(np.float32)
        for start_a in range(0, len(first), rows):
            block_a = first[start_a : start_a + rows].astype(np.float32)
            # Sums of 0/1 below 2^24 are exact in float32.
            product = block_a @ block_b.T
            intersection[start_a : start_a + rows, start_b : start_b + rows] = np.rint(product)
    union = counts_a[:, None] + counts_b[None, :] - intersection
    return np.where(union > 0, intersection / np.maximum(union, 1), 1.0)


def coverage_and_mmd(generated, reference, threshold=0.5):
    """Coverage and minimum matching distance (Achlioptas et al. 2018), IoU distance.

    With `d = 1 - IoU` between voxel shapes:

    - "coverage": the fraction of reference shapes that are the nearest neighbour
      (highest IoU) of at least one generated shape. In [0, 1]; high is diverse (the
      samples cover the modes of the data); a generator collapsed onto one shape
      covers `1 / len(reference)`.
    - "mmd": the minimum matching distance, the mean over reference shapes of the
      distance to their closest generated shape. In [0, 1]; low is faithful (each
      real shape has a close sample); 0 when every reference shape is generated.

    Both are needed: coverage alone rewards scattered noise near many shapes, MMD
    alone can look fine while most of the data is never generated. Compare with the
    same reference set and a similar number of generated shapes (both depend on
    the set sizes); a held-out split of the data is the usual reference.

    Args:
        generated: array `(n, depth, height, width[, 1])` of generated occupancies.
        reference: array `(m, depth, height, width[, 1])` of real shapes.
        threshold: float. Values above it are solid. Defaults to 0.5.

    Returns:
        dict: "coverage" (float) and "mmd" (float).

    Example:

    ```python
    real, _ = kerasgan.datasets.voxel_arrays("furniture", categories="chair", split="test")
    fake = gan.generate(len(real))
    kerasgan.metrics.coverage_and_mmd(fake, real)  # {"coverage": ..., "mmd": ...}
    ```

    Reference:
        Achlioptas, Diamanti, Mitliagkas and Guibas 2018, "Learning Representations
        and Generative Models for 3D Point Clouds" (COV and MMD).
    """
    iou = voxel_iou(generated, reference, threshold)  # (generated, reference)
    matched = np.unique(iou.argmax(axis=1))
    return {
        "coverage": float(len(matched) / iou.shape[1]),
        "mmd": float(np.mean(1.0 - iou.max(axis=0))),
    }


def one_nearest_neighbour_accuracy(generated, reference, threshold=0.5):
    """Leave-one-out accuracy of a 1-nearest-neighbour classifier of generated vs real.

    Each shape of the union of both sets is labelled by its nearest other shape (the
    highest IoU, itself excluded). 0.5 (chance) is ideal: the samples are as close to
    the data as the data are to each other. Near 1.0 the sets are easily told apart;
    below 0.5 the samples copy the reference set (memorisation). Use sets of equal
    size.

    Args:
        generated: array `(n, depth, height, width[, 1])` of generated occupancies.
        reference: array `(m, depth, height, width[, 1])` of real shapes.
        threshold: float. Values above it are solid. Defaults to 0.5.

    Returns:
        float in [0, 1].

    Reference:
        Lopez-Paz and Oquab 2017, "Revisiting Classifier Two-Sample Tests"; used for
        3-D shapes by Yang et al. 2019, "PointFlow".
    """
    generated, reference = np.asarray(generated), np.asarray(reference)
    shapes = np.concatenate([generated, reference])
    if len(generated) == 0 or len(reference) == 0 or generated.shape[1:] != reference.shape[1:]:
        raise ValueError(
            "Expected non-empty generated and reference sets of grids of the same shape. "
            f"Received: generated of shape {generated.shape}, reference of shape {reference.shape}"
        )
    iou = voxel_iou(shapes, shapes, threshold)
    np.fill_diagonal(iou, -np.inf)
    is_generated = np.arange(len(shapes)) < len(generated)
    return float(np.mean(is_generated[iou.argmax(axis=1)] == is_generated))
