"""Metrics for generated images: FID, KID, IS and precision/recall; L1, PSNR, SSIM for
translation; IoU, coverage, MMD and 1-NNA for voxel shapes.

`frechet_inception_distance`, `kernel_inception_distance` and `precision_recall` use
the reference FID Inception network (TF "inception-2015-12-05", pool_3) with the
reference preprocessing: their values are comparable with papers that use TTUR,
pytorch-fid, clean-fid or StyleGAN's metrics at the same protocol (number of images,
reference split). `frechet_distance(..., features="mnist")` (the classifier FD) and
`inception_score` (with a domain classifier) are kerasgan's own, fast numbers for
comparing runs with each other. `voxel_iou`, `coverage_and_mmd` and
`one_nearest_neighbour_accuracy` judge 3-D GANs' voxel shapes against real ones.
"""

from kerasgan.metrics.classifier import DomainClassifier
from kerasgan.metrics.evaluation import (
    METRICS,
    compare,
    evaluate,
    extract_features,
    feature_extractor,
    frechet_distance,
    frechet_inception_distance,
    image_batches,
    inception_score,
    kernel_inception_distance,
    precision_recall,
    reference_features,
)
from kerasgan.metrics.inception import InceptionFeatures
from kerasgan.metrics.perceptual import PerceptualDistance
from kerasgan.metrics.statistics import (
    FeatureStatistics,
    frechet_distance_from_statistics,
    inception_score_from_probabilities,
    kernel_distance_from_features,
    precision_recall_from_features,
)
from kerasgan.metrics.translation import (
    TRANSLATION_METRICS,
    evaluate_translation,
    l1_error,
    psnr,
    ssim,
)
from kerasgan.metrics.voxels import (
    coverage_and_mmd,
    one_nearest_neighbour_accuracy,
    voxel_iou,
)

__all__ = [
    "METRICS",
    "TRANSLATION_METRICS",
    "DomainClassifier",
    "FeatureStatistics",
    "InceptionFeatures",
    "PerceptualDistance",
    "compare",
    "coverage_and_mmd",
    "evaluate",
    "evaluate_translation",
    "extract_features",
    "feature_extractor",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "frechet_inception_distance",
    "image_batches",
    "inception_score",
    "inception_score_from_probabilities",
    "kernel_distance_from_features",
    "kernel_inception_distance",
    "l1_error",
    "one_nearest_neighbour_accuracy",
    "precision_recall",
    "precision_recall_from_features",
    "psnr",
    "reference_features",
    "ssim",
    "voxel_iou",
]
