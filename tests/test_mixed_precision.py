"""Every preset trains under `mixed_bfloat16` and `mixed_float16`: losses and penalties
run in float32, float16 gets dynamic loss scaling on every optimizer, and samples come
back as float32."""

import keras
import numpy as np
import pytest
from helpers import OWN_CODE_PRESETS, TINY_PRESETS, tiny_images

import kerasgan


def _torch_on_cpu():
    if keras.backend.backend() != "torch":
        return False
    import torch

    return not torch.cuda.is_available()


# PatchGAN discriminators end in a 1-filter convolution, whose float16 backward torch's
# CPU kernel rejects (CUDA has its own kernels; on a CPU use mixed_bfloat16).
TORCH_CPU_FLOAT16_BUG = "torch 2.13 CPU: float16 1-filter conv backward raises 'slow_conv2d: grad_weight must be contiguous'"


@pytest.fixture
def policy(request):
    keras.mixed_precision.set_global_policy(request.param)
    yield request.param
    keras.mixed_precision.set_global_policy("float32")


def test_every_preset_has_a_tiny_configuration_the_tests_can_build():
    # TINY_PRESETS is built from each family's Preset.tiny: every preset must give one.
    for name, preset in kerasgan.presets.PRESETS.items():
        assert isinstance(preset.tiny, dict) and ({"image_shape", "voxel_shape"} & set(preset.tiny)), name


# JAX compiles each case for seconds: there the fast suite runs float16 (its own
# optimizer path, `stateless_apply`); bfloat16 is a slow test there, which CI runs on
# TensorFlow only.
JAX_SLOW = pytest.mark.slow if keras.backend.backend() == "jax" else ()


@pytest.mark.parametrize("policy", [pytest.param("mixed_bfloat16", marks=JAX_SLOW), "mixed_float16"], indirect=True)
@pytest.mark.parametrize("name", sorted(OWN_CODE_PRESETS))  # the papers' presets are their family's code
def test_every_preset_trains_with_finite_losses(name, policy, request):
    if _torch_on_cpu() and policy == "mixed_float16" and name in ("pix2pix", "cyclegan"):
        request.applymarker(pytest.mark.xfail(raises=RuntimeError, strict=True, reason=TORCH_CPU_FLOAT16_BUG))
    build, data = TINY_PRESETS[name]
    gan = build()
    for optimizer in gan.optimizers_by_name().values():
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer) == (policy == "mixed_float16")
    # float16's loss scale starts at 2^15 and halves on each overflowing step, which is
    # skipped: 4 epochs of 2 steps bring it down far enough for updates to apply.
    history = gan.fit(*data(), batch_size=4, epochs=4 if policy == "mixed_float16" else 1, verbose=0)
    for key, values in history.history.items():
        assert np.isfinite(values[-1]), (key, values)
    always_applied = {update.optimizer for update, _ in gan.update_order() if update.skip is None}
    for optimizer_name in always_applied:
        optimizer = getattr(gan, optimizer_name)
        applied = getattr(optimizer, "inner_optimizer", optimizer).iterations
        assert int(keras.ops.convert_to_numpy(applied)) > 0, f"{optimizer_name} applied no update"
    if hasattr(gan, "generate"):
        samples = gan.generate(3, seed=0)
        assert samples.dtype == np.float32 and len(samples) == 3
    else:
        translated = gan.translate(data()[0][:3])
        assert translated.dtype == np.float32 and len(translated) == 3


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_float16_step_with_overflowing_gradients_is_skipped_and_the_scale_halved(policy, tmp_path):
    gan = kerasgan.presets.dcgan(seed=0, **kerasgan.presets.PRESETS["dcgan"].tiny)
    # A loss scale of 2^40 overflows float16 gradients (max 65504) on the first step.
    scaled = {name: keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(2e-4), initial_scale=2.0**40) for name in ("d_optimizer", "g_optimizer")}
    gan.compile(**scaled)
    before = [keras.ops.convert_to_numpy(v).copy() for v in gan.trainable_variables]
    history = gan.fit(tiny_images((16, 16, 1), n=4), batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1]) and np.isfinite(history.history["g_loss"][-1])
    for variable, old in zip(gan.trainable_variables, before):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable), old, err_msg=variable.path)
    for optimizer in scaled.values():
        assert float(optimizer.dynamic_scale) == 2.0**39
        assert int(optimizer.inner_optimizer.iterations) == 0

    # With a scale float16 can hold, the step applies; the scale is saved with the model.
    for optimizer in scaled.values():
        optimizer.dynamic_scale.assign(2.0**10)
    gan.fit(tiny_images((16, 16, 1), n=4), batch_size=4, epochs=1, verbose=0)
    assert int(gan.g_optimizer.inner_optimizer.iterations) == 1
    assert any(not np.array_equal(keras.ops.convert_to_numpy(v), old) for v, old in zip(gan.generator.trainable_variables, before))
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert isinstance(loaded.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert float(loaded.g_optimizer.dynamic_scale) == 2.0**10
