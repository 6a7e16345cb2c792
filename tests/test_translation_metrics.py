"""Translation metrics: SSIM and PSNR against TensorFlow's, values by hand, the streaming evaluation."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasgan import metrics
from kerasgan.metrics import evaluation


def random_images(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


def structured_images(count, size, channels, seed=0):
    """Gradients, stripes and a square, each image with its own phase: SSIM's structure at work."""
    rng = np.random.default_rng(seed)
    rows, columns = np.mgrid[0:size, 0:size] / size
    images = []
    for _ in range(count):
        phase = rng.uniform(0, 2 * np.pi, channels)
        stripes = np.sin(8 * columns[..., None] + phase)
        square = ((abs(rows - 0.5) < 0.25) & (abs(columns - 0.5) < 0.25))[..., None]
        images.append(0.5 * stripes * rows[..., None] + 0.4 * square - 0.2)
    return np.clip(np.stack(images), -1, 1).astype(np.float32)


def image_sets():
    """(predictions, targets) pairs: random noise, and structure against a noisy, shifted copy."""
    for channels in (1, 3):
        yield random_images((4, 16, 20, channels), 1), random_images((4, 16, 20, channels), 2)
        targets = structured_images(4, 24, channels)
        noisy = np.clip(np.roll(targets, 1, axis=2) + random_images(targets.shape, 3) * 0.1, -1, 1)
        yield noisy, targets


def unit(images):
    return (images + 1) / 2


@pytest.mark.parametrize("index", range(4))
def test_ssim_and_psnr_match_tensorflow(index):
    predictions, targets = list(image_sets())[index]
    expected_ssim = tf.image.ssim(unit(predictions), unit(targets), max_val=1.0, filter_size=11, filter_sigma=1.5)
    expected_psnr = tf.image.psnr(unit(predictions), unit(targets), max_val=1.0)
    assert metrics.ssim(predictions, targets) == pytest.approx(float(tf.reduce_mean(expected_ssim)), abs=1e-4)
    assert metrics.psnr(predictions, targets) == pytest.approx(float(tf.reduce_mean(expected_psnr)), abs=1e-4)


def test_identical_images_and_backend_tensors():
    images = structured_images(3, 16, 3)
    assert metrics.ssim(images, images) == pytest.approx(1.0, abs=1e-12)
    assert metrics.psnr(images, images) == metrics.translation.PSNR_CAP_DB
    assert metrics.l1_error(images, images) == 0.0
    tensor = keras.ops.convert_to_tensor(images)
    assert metrics.ssim(tensor, tensor) == pytest.approx(1.0, abs=1e-12)


def test_psnr_and_l1_by_hand():
    targets = np.full((2, 12, 12, 1), -0.5, np.float32)
    # An offset of 0.2 in [-1, 1] is 0.1 in [0, 1]: MSE 0.01, 10 log10(1 / 0.01) = 20 dB.
    assert metrics.psnr(targets + 0.2, targets) == pytest.approx(20.0, abs=1e-5)
    predictions = targets.copy()
    predictions[0] += 0.4  # |error| 0.4 on one image of two, 0 on the other
    assert metrics.l1_error(predictions, targets) == pytest.approx(0.2, abs=1e-6)
    # PSNR is the mean of per-image PSNRs: (10 log10(1 / 0.04) + cap) / 2.
    expected = (10 * np.log10(1 / 0.04) + metrics.translation.PSNR_CAP_DB) / 2
    assert metrics.psnr(predictions, targets) == pytest.approx(expected, abs=1e-5)


def test_identity_translation_scores_the_inputs_against_the_targets():
    inputs, targets = next(image_sets())
    results = metrics.evaluate_translation(
        lambda images: images, (inputs, targets), metrics=["ssim", "l1", "psnr"], batch_size=3, verbose=False
    )
    assert list(results) == ["ssim", "l1", "psnr"]
    assert results["l1"] == pytest.approx(metrics.l1_error(inputs, targets), rel=1e-9)
    assert results["psnr"] == pytest.approx(metrics.psnr(inputs, targets), rel=1e-9)
    assert results["ssim"] == pytest.approx(metrics.ssim(inputs, targets), rel=1e-9)

    class Model:  # the shape of Pix2Pix: a `translate` method, returning a backend tensor
        def translate(self, images):
            return keras.ops.convert_to_tensor(images)

    scores = metrics.evaluate_translation(Model(), (inputs, targets), metrics=["l1"], verbose=False)
    assert scores == {"l1": results["l1"]}


def test_streaming_over_datasets_equals_the_one_shot_result():
    inputs, targets = random_images((10, 12, 12, 3), 4), random_images((10, 12, 12, 3), 5)

    def darken(images):
        return images * 0.5

    names = ["l1", "psnr", "ssim"]
    expected = metrics.evaluate_translation(darken, (inputs[:7], targets[:7]), names, verbose=False)
    assert expected["l1"] == pytest.approx(metrics.l1_error(darken(inputs[:7]), targets[:7]), rel=1e-9)
    pairs = tf.data.Dataset.from_tensor_slices((inputs[:7], targets[:7]))
    datasets = [
        tf.data.Dataset.from_tensor_slices((inputs, targets)).take(7),  # unbatched
        pairs.batch(3),
        pairs.shuffle(7, seed=1).batch(2),  # one pass keeps each input with its target
    ]
    for dataset in datasets:
        results = metrics.evaluate_translation(darken, dataset, names, batch_size=4, verbose=False)
        for name in names:
            assert results[name] == pytest.approx(expected[name], rel=1e-9)
    taken = metrics.evaluate_translation(darken, (inputs, targets), names, num_samples=7, batch_size=2, verbose=False)
    assert taken == pytest.approx(expected, rel=1e-9)


class BlockMeans:
    """A tiny extractor: 16-d means of 4x4 blocks of the first channel of 16x16 images."""

    name = "blocks"
    dim = 16
    identity = "block-means-test"
    has_probabilities = False

    def __call__(self, images):
        blocks = np.asarray(images, np.float32)[..., 0].reshape(len(images), 4, 4, 4, 4)
        return {"features": blocks.mean(axis=(2, 4)).reshape(len(images), 16)}


def test_fid_of_the_outputs_against_the_targets(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASGAN_HOME", str(tmp_path))
    extractor = BlockMeans()
    monkeypatch.setitem(evaluation._EXTRACTORS, ("inception", None), extractor)
    inputs, targets = random_images((30, 16, 16, 1), 6), random_images((30, 16, 16, 1), 7)
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets))
    for pairs in [(inputs, targets), dataset]:
        results = metrics.evaluate_translation(lambda images: images, pairs, batch_size=8, verbose=False)
        assert list(results) == ["l1", "psnr", "ssim", "fid"]
        expected_fid = metrics.frechet_distance(targets, inputs, features=extractor, verbose=False)
        assert results["fid"] == pytest.approx(expected_fid, rel=1e-9) and results["fid"] > 0
        assert results["l1"] == pytest.approx(metrics.l1_error(inputs, targets), rel=1e-9)
    same = metrics.evaluate_translation(lambda images: images, (targets, targets), ["fid"], verbose=False)
    assert same == {"fid": pytest.approx(0, abs=1e-9)}


def test_errors_are_clear():
    images = random_images((2, 12, 12, 3))
    with pytest.raises(ValueError, match=r"Expected names from \['fid', 'l1', 'psnr', 'ssim'\]. Received: \['l2'\]"):
        metrics.evaluate_translation(lambda x: x, (images, images), metrics=["l2"])
    with pytest.raises(ValueError, match=r"predictions.shape=\(2, 12, 12, 3\), targets.shape=\(2, 12, 12, 1\)"):
        metrics.ssim(images, images[..., :1])
    with pytest.raises(ValueError, match=r"predictions.shape=\(2, 12, 12, 1\), targets.shape=\(2, 12, 12, 3\)"):
        metrics.evaluate_translation(lambda x: x[..., :1], (images, images), ["l1"], verbose=False)
    with pytest.raises(ValueError, match="at least one image"):
        metrics.l1_error(images[:0], images[:0])
    with pytest.raises(ValueError, match="empty array"):
        metrics.evaluate_translation(lambda x: x, (images[:0], images[:0]), ["l1"], verbose=False)
    empty = tf.data.Dataset.from_tensor_slices((images, images)).take(0)
    with pytest.raises(ValueError, match="empty dataset"):
        metrics.evaluate_translation(lambda x: x, empty, ["l1"], verbose=False)
    with pytest.raises(ValueError, match="2 inputs, 1 targets"):
        metrics.evaluate_translation(lambda x: x, (images, images[:1]), ["l1"], verbose=False)
    with pytest.raises(ValueError, match="Received: ndarray"):
        metrics.evaluate_translation(lambda x: x, images, ["l1"], verbose=False)
    with pytest.raises(ValueError, match=r"at least 11x11 \(its Gaussian window\). Received: 8x12"):
        metrics.ssim(images[:, :8], images[:, :8])
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        metrics.psnr(images * 255, images)
