"""Differentiable augmentation (ADA, DiffAugment): each transform's exact effect, the
probability gate, gradients, jit, ADA's controller and saving."""

import json

import keras
import numpy as np
import pytest
from keras import ops

from kerasgan.backend import input_gradients
from kerasgan.layers import POLICIES, DifferentiableAugment, make_augment


def _distinct_images(n, size=8, channels=1, seed=0):
    """Images whose pixels are all different and nonzero, so every pixel's origin can
    be identified and a zeroed pixel stands out."""
    rng = np.random.default_rng(seed)
    values = rng.permutation(n * size * size * channels).astype("float32") + 1.0
    return (values / values.max()).reshape(n, size, size, channels)


def _augment(images, transforms, probability=1.0, seed=0, **kwargs):
    layer = DifferentiableAugment(transforms, probability=probability, seed=seed, **kwargs)
    return ops.convert_to_numpy(layer(images))


def _shifted(image, rows, cols, padding):
    """`image` (H, W, C) moved down by `rows` and right by `cols`, the border filled by
    numpy's reflection or zeros."""
    height, width, _ = image.shape
    reach = max(abs(rows), abs(cols))
    mode = "reflect" if padding == "reflect" else "constant"
    padded = np.pad(image, ((reach, reach), (reach, reach), (0, 0)), mode=mode)
    return padded[reach - rows : reach - rows + height, reach - cols : reach - cols + width]


def _index_of_match(output, candidates):
    matches = [k for k, candidate in enumerate(candidates) if np.array_equal(output, candidate)]
    assert matches, "Expected the output to be one of the allowed transforms of its input. Received: none matched."
    return matches[0]


# ---- each transform's effect -----------------------------------------------------------


def test_flip_mirrors_columns_or_keeps_the_image_both_happening():
    images = _distinct_images(64, channels=3)
    outputs = _augment(images, ("flip",))
    flipped = [_index_of_match(out, [image, image[:, ::-1]]) for out, image in zip(outputs, images)]
    # As in ADA, an applied flip is a fair coin: both outcomes occur at p = 1.
    assert 16 <= sum(flipped) <= 48, f"Expected about half mirrored. Received: {sum(flipped)} of 64"


def test_rotation_is_a_multiple_of_90_degrees_and_all_four_occur():
    images = _distinct_images(64, channels=3)
    outputs = _augment(images, ("rotation",))
    turns = [
        _index_of_match(out, [np.rot90(image, k, axes=(0, 1)) for k in range(4)])
        for out, image in zip(outputs, images)
    ]
    assert set(turns) == {0, 1, 2, 3}


def test_rotation_of_non_square_images_is_an_error():
    with pytest.raises(ValueError, match="square"):
        DifferentiableAugment(("rotation",))(np.zeros((2, 8, 6, 1), "float32"))
    # Without rotation, non-square images are fine.
    assert DifferentiableAugment(("flip", "translation", "cutout"))(np.zeros((2, 8, 6, 1), "float32")).shape == (
        2,
        8,
        6,
        1,
    )


@pytest.mark.parametrize("padding", ["reflect", "zeros"])
def test_translation_is_a_whole_pixel_shift_of_at_most_an_eighth(padding):
    images = _distinct_images(64, size=16, channels=1)
    outputs = _augment(images, ("translation",), padding=padding)
    shifts = [(rows, cols) for rows in range(-2, 3) for cols in range(-2, 3)]  # 16 / 8 = 2
    seen = {
        shifts[_index_of_match(out, [_shifted(image, *shift, padding) for shift in shifts])]
        for out, image in zip(outputs, images)
    }
    assert len(seen) > 10, f"Expected many different shifts. Received: {sorted(seen)}"
    assert {rows for rows, _ in seen} == {-2, -1, 0, 1, 2} and {cols for _, cols in seen} == {-2, -1, 0, 1, 2}


def test_color_on_grey_images_is_brightness_then_contrast_and_keeps_them_grey():
    rng = np.random.default_rng(0)
    grey = rng.uniform(-1.0, 1.0, size=(512, 4, 4, 1)).astype("float32")
    images = np.repeat(grey, 3, axis=-1)
    outputs = _augment(images, ("color",))
    # Saturation acts on deviations from each pixel's grey value: none here.
    np.testing.assert_allclose(outputs[..., 0], outputs[..., 1], atol=1e-6)
    np.testing.assert_allclose(outputs[..., 0], outputs[..., 2], atol=1e-6)
    # Per image: brightness moves the mean by b, contrast scales deviations by c > 0.
    flat_in, flat_out = images[..., 0].reshape(512, -1), outputs[..., 0].reshape(512, -1)
    deviations_in = flat_in - flat_in.mean(axis=1, keepdims=True)
    deviations_out = flat_out - flat_out.mean(axis=1, keepdims=True)
    contrast = (deviations_out * deviations_in).sum(axis=1) / (deviations_in**2).sum(axis=1)
    np.testing.assert_allclose(deviations_out, contrast[:, None] * deviations_in, atol=1e-5)
    brightness = flat_out.mean(axis=1) - flat_in.mean(axis=1)
    # ADA's magnitudes: b ~ N(0, 0.2), log2 c ~ N(0, 0.5).
    assert 0.17 < brightness.std() < 0.23 and abs(brightness.mean()) < 0.03
    assert np.all(contrast > 0) and 0.43 < np.log2(contrast).std() < 0.57


def test_color_saturation_scales_deviations_from_each_pixels_grey():
    rng = np.random.default_rng(1)
    images = rng.uniform(-1.0, 1.0, size=(512, 4, 4, 3)).astype("float32")
    outputs = _augment(images, ("color",))
    chroma_in = images - images.mean(axis=-1, keepdims=True)
    chroma_out = outputs - outputs.mean(axis=-1, keepdims=True)
    grey_in, grey_out = images.mean(axis=-1).reshape(512, -1), outputs.mean(axis=-1).reshape(512, -1)
    # The grey image goes through brightness and contrast only: c * (grey - m) + m + b.
    deviations_in = grey_in - grey_in.mean(axis=1, keepdims=True)
    deviations_out = grey_out - grey_out.mean(axis=1, keepdims=True)
    contrast = (deviations_out * deviations_in).sum(axis=1) / (deviations_in**2).sum(axis=1)
    np.testing.assert_allclose(deviations_out, contrast[:, None] * deviations_in, atol=1e-5)
    # Colour deviations are scaled by c * s, with log2 s ~ N(0, 1).
    flat_chroma_in, flat_chroma_out = chroma_in.reshape(512, -1), chroma_out.reshape(512, -1)
    scale = (flat_chroma_out * flat_chroma_in).sum(axis=1) / (flat_chroma_in**2).sum(axis=1)
    np.testing.assert_allclose(flat_chroma_out, scale[:, None] * flat_chroma_in, atol=1e-5)
    saturation = scale / contrast
    assert np.all(saturation > 0) and 0.85 < np.log2(saturation).std() < 1.15


def test_cutout_zeroes_a_square_of_half_the_size_clipped_at_the_edges():
    images = _distinct_images(200, size=8, channels=2)
    outputs = _augment(images, ("cutout",))
    side, inside_squares = 4, 0
    for out, image in zip(outputs, images):
        zeroed = np.all(out == 0, axis=-1)
        np.testing.assert_array_equal(out[~zeroed], image[~zeroed])  # the rest is untouched
        rows, cols = np.nonzero(zeroed.any(axis=1))[0], np.nonzero(zeroed.any(axis=0))[0]
        # A rectangle: exactly the product of its rows and columns.
        expected = np.zeros_like(zeroed)
        expected[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] = True
        np.testing.assert_array_equal(zeroed, expected)
        # The 4x4 square, clipped where it overhangs an edge (never below half of it).
        for covered in (rows, cols):
            assert covered.size == side or (covered.size >= side // 2 and (covered[0] == 0 or covered[-1] == 7))
        inside_squares += rows.size == side and cols.size == side
    assert inside_squares > 50


# ---- the probability gate --------------------------------------------------------------


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_probability_zero_is_the_identity_exactly(policy):
    images = np.random.default_rng(0).uniform(-1.0, 1.0, size=(8, 8, 8, 3)).astype("float32")
    layer = DifferentiableAugment(POLICIES[policy], probability=0.0, seed=3)
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(images)), images)


def test_make_augment_ada_starts_as_the_identity_and_diffaugment_is_always_on():
    images = np.random.default_rng(0).uniform(-1.0, 1.0, size=(8, 8, 8, 3)).astype("float32")
    ada = make_augment("ada", seed=0)
    np.testing.assert_array_equal(ops.convert_to_numpy(ada(images)), images)
    assert ada.transforms == POLICIES["ada"] and ada.padding == "reflect"
    diffaugment = make_augment("diffaugment", seed=0)
    assert float(ops.convert_to_numpy(diffaugment.probability)) == 1.0 and diffaugment.padding == "zeros"
    changed = np.any(ops.convert_to_numpy(diffaugment(images)) != images, axis=(1, 2, 3))
    assert changed.all()
    assert make_augment(None) is None
    with pytest.raises(ValueError, match="Received: policy='autoaugment'"):
        make_augment("autoaugment")


def test_probability_one_half_changes_about_half_the_images():
    images = _distinct_images(2000, size=4, channels=1)
    outputs = _augment(images, ("cutout",), probability=0.5)
    changed = np.any(outputs != images, axis=(1, 2, 3)).mean()
    assert 0.45 < changed < 0.55, f"Expected about half the images changed. Received: {changed:.3f}"


def test_the_probability_can_be_assigned():
    images = _distinct_images(400, size=4, channels=1)
    layer = DifferentiableAugment(("cutout",), probability=0.0, seed=0)
    layer.probability.assign(0.25)
    changed = np.any(ops.convert_to_numpy(layer(images)) != images, axis=(1, 2, 3)).mean()
    assert 0.18 < changed < 0.32


def test_same_seed_same_augmentation():
    images = _distinct_images(8, channels=3)
    np.testing.assert_array_equal(_augment(images, POLICIES["ada"], seed=5), _augment(images, POLICIES["ada"], seed=5))


# ---- gradients and jit -----------------------------------------------------------------


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_gradients_reach_the_images(policy):
    images = ops.convert_to_tensor(np.random.default_rng(0).uniform(-1.0, 1.0, (4, 8, 8, 3)).astype("float32"))
    weights = ops.convert_to_tensor(np.random.default_rng(1).uniform(0.5, 1.5, (4, 8, 8, 3)).astype("float32"))
    layer = make_augment(policy, seed=0)
    layer.probability.assign(1.0)
    gradients = ops.convert_to_numpy(input_gradients(lambda inputs: layer(inputs) * weights, images))
    assert gradients.shape == (4, 8, 8, 3)
    assert np.all(np.isfinite(gradients)) and np.abs(gradients).sum() > 0


def test_geometric_gradients_route_each_weight_to_its_source_pixel():
    # Flip, rotation and translation with reflection only read pixels: the gradient of
    # sum(aug(x) * w) sums to sum(w) for each image.
    images = ops.convert_to_tensor(_distinct_images(4, channels=1))
    weights = np.random.default_rng(2).uniform(0.5, 1.5, (4, 8, 8, 1)).astype("float32")
    layer = DifferentiableAugment(("flip", "rotation", "translation"), seed=0)
    weighted = lambda inputs: layer(inputs) * ops.convert_to_tensor(weights)
    gradients = ops.convert_to_numpy(input_gradients(weighted, images))
    np.testing.assert_allclose(gradients.sum(axis=(1, 2, 3)), weights.sum(axis=(1, 2, 3)), rtol=1e-5)


def test_runs_compiled_inside_a_model_with_any_batch_size():
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, DifferentiableAugment(("flip", "rotation"), seed=0)(inputs))
    # XLA on TensorFlow, jax.jit on JAX; torch runs eagerly (torch.compile is not needed).
    model.compile(jit_compile=keras.backend.backend() != "torch")
    assert model.jit_compile == (keras.backend.backend() != "torch")
    images = _distinct_images(7, channels=3)
    outputs = model.predict(images, batch_size=4, verbose=0)  # batches of 4 and 3
    for out, image in zip(outputs, images):
        candidates = [np.rot90(view, k, axes=(0, 1)) for view in (image, image[:, ::-1]) for k in range(4)]
        _index_of_match(out, candidates)
    full = keras.Model(inputs, DifferentiableAugment(seed=0)(inputs))
    full.compile(jit_compile=keras.backend.backend() != "torch")
    outputs = full.predict(images, batch_size=4, verbose=0)
    assert outputs.shape == images.shape and np.all(np.isfinite(outputs))


# ---- ADA's controller ------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, real_signs, expected",
    [(0.5, 0.9, 0.6), (0.5, 0.1, 0.4), (0.95, 1.0, 1.0), (0.05, -1.0, 0.0), (0.0, 0.0, 0.0)],
)
def test_adjust_moves_p_toward_the_target_and_clips(start, real_signs, expected):
    layer = DifferentiableAugment(probability=start)
    new = layer.adjust(ops.convert_to_tensor(real_signs), 100, target=0.6, speed_images=1000)
    np.testing.assert_allclose(ops.convert_to_numpy(new), expected, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(layer.probability), expected, atol=1e-6)


def test_adjust_takes_a_tensor_batch_size_and_crosses_the_range_in_speed_images():
    layer = DifferentiableAugment(probability=0.0)
    for _ in range(10):
        layer.adjust(ops.convert_to_tensor(1.0), ops.convert_to_tensor(50), speed_images=1000)
    np.testing.assert_allclose(ops.convert_to_numpy(layer.probability), 0.5, atol=1e-6)


def test_diffaugment_color_has_diffaugments_uniform_magnitudes():
    rng = np.random.default_rng(2)
    images = rng.uniform(-1.0, 1.0, size=(1024, 4, 4, 3)).astype("float32")
    outputs = _augment(images, ("diffaugment_color",))
    grey_in, grey_out = images.mean(axis=-1).reshape(1024, -1), outputs.mean(axis=-1).reshape(1024, -1)
    # The grey image: brightness b, then contrast c around the mean (saturation keeps grey).
    deviations_in = grey_in - grey_in.mean(axis=1, keepdims=True)
    deviations_out = grey_out - grey_out.mean(axis=1, keepdims=True)
    contrast = (deviations_out * deviations_in).sum(axis=1) / (deviations_in**2).sum(axis=1)
    np.testing.assert_allclose(deviations_out, contrast[:, None] * deviations_in, atol=1e-5)
    brightness = grey_out.mean(axis=1) - grey_in.mean(axis=1)
    # b ~ U(-0.5, 0.5) (std 0.289), c ~ U(0.5, 1.5), s ~ U(0, 2): not ADA's normals.
    assert brightness.min() > -0.5 and brightness.max() < 0.5 and 0.26 < brightness.std() < 0.32
    assert contrast.min() > 0.5 - 1e-4 and contrast.max() < 1.5 + 1e-4 and 0.26 < contrast.std() < 0.32
    chroma_in = (images - images.mean(axis=-1, keepdims=True)).reshape(1024, -1)
    chroma_out = (outputs - outputs.mean(axis=-1, keepdims=True)).reshape(1024, -1)
    saturation = (chroma_out * chroma_in).sum(axis=1) / (chroma_in**2).sum(axis=1) / contrast
    assert saturation.min() > -1e-4 and saturation.max() < 2 + 1e-4 and 0.52 < saturation.std() < 0.64


# ---- validation, config and saving -----------------------------------------------------


def test_unknown_transform_is_an_error_listing_the_known_ones():
    with pytest.raises(ValueError, match="flip.*rotation.*translation.*color.*diffaugment_color.*cutout.*Received.*blur"):
        DifferentiableAugment(("flip", "blur"))
    with pytest.raises(ValueError, match="Received: probability=1.5"):
        DifferentiableAugment(probability=1.5)
    with pytest.raises(ValueError, match="Received: padding='edge'"):
        DifferentiableAugment(padding="edge")


def test_config_round_trip():
    layer = DifferentiableAugment(("color", "cutout"), probability=0.3, seed=7, padding="zeros")
    config = layer.get_config()
    restored = DifferentiableAugment.from_config(config)
    assert json.dumps(restored.get_config(), sort_keys=True) == json.dumps(config, sort_keys=True)
    assert restored.transforms == ("color", "cutout")
    np.testing.assert_allclose(ops.convert_to_numpy(restored.probability), 0.3)


def test_the_probability_is_saved_and_restored_with_the_model(tmp_path):
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, make_augment("ada", seed=0)(inputs))
    model.get_layer("augment").adjust(ops.convert_to_tensor(1.0), 37, speed_images=100)
    path = str(tmp_path / "augment.keras")
    model.save(path)
    restored = keras.saving.load_model(path).get_layer("augment")
    assert isinstance(restored, DifferentiableAugment) and restored.transforms == POLICIES["ada"]
    np.testing.assert_allclose(ops.convert_to_numpy(restored.probability), 0.37, atol=1e-6)
