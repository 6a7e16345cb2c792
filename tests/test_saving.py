"""Every preset survives saving: `BackupAndRestore` resumes an interrupted run exactly
where it stopped, and a `.keras` file loads in safe mode and carries on as the model
it was.

A kerasgan model keeps state beyond its networks' weights: one optimizer per update
(three for CycleGAN), an EMA generator, ADA's probability, StyleGAN's average w, image
pools and the random state of its seed generators. These tests compare every variable
of the model and of each optimizer, so that any state left behind fails here.

One run per preset serves both tests: it is interrupted after its first epoch (leaving
a backup, and a `.keras` file saved then), then goes on in memory as if it never
stopped. Resuming from the backup and from the file must both end where it ends.
"""

import collections
import json

import keras
import numpy as np
import pytest
from helpers import OWN_CODE_PRESETS, TINY_PRESETS

from kerasgan.engine import AdversarialModel

# WGAN-GP traces for seconds (five D updates a step, each with a gradient of a
# gradient) and keeps no state that DCGAN does not (two Adams): it runs with the slow tests.
# JAX compiles every fresh model for seconds: there the fast suite keeps one preset per
# kind of state (two Adams and BatchNorm; labels; RMSprop; EMA, ADA and w_avg; three
# optimizers and image pools), the others are slow tests, which CI runs on TensorFlow only.
JAX_FAST = ("dcgan", "cgan", "wgan", "stylegan", "cyclegan")
SLOW = {"wgan_gp"} | (set(TINY_PRESETS) - set(JAX_FAST) if keras.backend.backend() == "jax" else set())
SLOW |= set(TINY_PRESETS) - set(OWN_CODE_PRESETS)
PRESETS = [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in TINY_PRESETS]
FIT = {"batch_size": 4, "shuffle": False, "verbose": 0}  # two steps an epoch on the eight tiny images


def _state(model):
    """`[(name, value)]` for every variable of the model and of each of its optimizers,
    in a fixed order (names as in the model that was built first)."""
    named = [(f"model: {v.path}", v) for v in model.variables]
    for name, optimizer in model.optimizers_by_name().items():
        named += [(f"{name}: {v.path}", v) for v in optimizer.variables]
    return [(name, np.array(keras.ops.convert_to_numpy(v.value))) for name, v in named]


def _assert_same_state(actual, expected, what, exact=True):
    assert len(actual) == len(expected), f"{what}: {len(actual)} variables, expected {len(expected)}"
    different = [
        name
        for (_, value), (name, target) in zip(actual, expected)
        if value.shape != target.shape
        or not (np.array_equal(value, target) if exact else np.allclose(value, target, rtol=1e-5, atol=1e-6))
    ]
    worst = max((float(np.max(np.abs(value - target))) for (_, value), (_, target) in zip(actual, expected) if value.shape == target.shape), default=0.0)
    assert not different, f"{what}: {len(different)} of {len(expected)} variables differ (largest difference {worst:.3g}): {different}"


def _iterations(model):
    return {name: int(optimizer.iterations) for name, optimizer in model.optimizers_by_name().items()}


def _outputs(model, images):
    """What the model makes of fixed inputs: images from fixed latents (and labels), or
    translations of `images` (both directions for CycleGAN). The model's random state
    (StyleGAN's noise inputs draw from it) is put back afterwards."""
    seed_states = [v for v in model.variables if v.name == "seed_generator_state"]
    before = [keras.ops.convert_to_numpy(v.value) for v in seed_states]
    if hasattr(model, "generate_from"):
        latents = np.random.default_rng(3).standard_normal((4, model.latent_dim)).astype("float32")
        labels = None if model.num_classes is None else np.arange(4, dtype="int32") % model.num_classes
        outputs = [model.generate_from(latents, labels)]
    elif hasattr(model, "DIRECTIONS"):
        outputs = [model.translate(images[:4], direction) for direction in model.DIRECTIONS]
    else:
        outputs = [model.translate(images[:4])]
    for variable, value in zip(seed_states, before):
        variable.assign(value)
    return outputs


def _second_epoch(model, data, callbacks=()):
    """Trains the second of two epochs (after a restore: `fit` starts where it says)."""
    kwargs = {} if callbacks else {"initial_epoch": 1}
    return model.fit(*data, epochs=2, callbacks=list(callbacks), **kwargs, **FIT)


class _Interrupted(Exception):
    pass


class _FirstEpoch(keras.callbacks.Callback):
    """At the end of the first epoch (after BackupAndRestore's backup): records the
    model's state and outputs and saves it to `path`; then stops the run as a crash
    would, at the start of the second."""

    def __init__(self, path, images):
        super().__init__()
        self.path, self.images = path, images

    def on_epoch_end(self, epoch, logs=None):
        self.state = _state(self.model)
        self.model.save(self.path)
        self.outputs = _outputs(self.model, self.images)

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            raise _Interrupted()


Run = collections.namedtuple(
    "Run", "model data backup_dir keras_path after_first_epoch outputs_after_first_epoch uninterrupted iterations"
)


@pytest.fixture(scope="module")
def interrupted_run(tmp_path_factory):
    """`interrupted_run(name)`: the preset's run, made once for both tests."""
    runs = {}

    def run(name):
        if name not in runs:
            build, fit_args = TINY_PRESETS[name]
            data, folder = fit_args(), tmp_path_factory.mktemp(name)
            backup_dir, keras_path = str(folder / "backup"), str(folder / f"{name}.keras")
            model, first_epoch = build(), _FirstEpoch(keras_path, data[0])
            with pytest.raises(_Interrupted):
                callbacks = [keras.callbacks.BackupAndRestore(backup_dir), first_epoch]
                model.fit(*data, epochs=2, callbacks=callbacks, **FIT)
            # The run as if it never stopped: the same model goes on in memory.
            _second_epoch(model, data)
            runs[name] = Run(
                model, data, backup_dir, keras_path, first_epoch.state, first_epoch.outputs, _state(model), _iterations(model)
            )
        return runs[name]

    return run


@pytest.mark.parametrize("name", [case for case in PRESETS if getattr(case, "values", [case])[0] in OWN_CODE_PRESETS])
def test_backup_and_restore_resumes_an_interrupted_run_exactly(name, interrupted_run):
    run = interrupted_run(name)
    build, _ = TINY_PRESETS[name]
    resumed, at_start = build(), {}
    recorder = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: at_start.setdefault(epoch, _state(resumed)))
    history = _second_epoch(resumed, run.data, callbacks=[keras.callbacks.BackupAndRestore(run.backup_dir), recorder])

    assert history.epoch == [1], f"Expected the fresh model to resume at the second epoch. Ran epochs {history.epoch}"
    # Restored: networks, EMA generator, ADA's p, w_avg, pools, every optimizer's
    # moments and iterations, and the seed generators' state.
    _assert_same_state(at_start[1], run.after_first_epoch, "restored from the backup")
    assert _iterations(resumed) == run.iterations
    _assert_same_state(_state(resumed), run.uninterrupted, "after the resumed epoch", exact=False)


def _as_json(config):
    return json.loads(json.dumps(config))  # tuples become lists, as in the file


@pytest.mark.parametrize("name", PRESETS)
def test_a_saved_preset_loads_in_safe_mode_and_carries_on(name, interrupted_run):
    run = interrupted_run(name)
    # safe_mode=True is load_model's default; both ways are what users write.
    loaded = {
        "by default": keras.models.load_model(run.keras_path),
        "with safe_mode=True": keras.models.load_model(run.keras_path, safe_mode=True),
    }
    for how, model in loaded.items():
        what = f"the model loaded {how}"
        assert type(model) is type(run.model) and model.compiled, what
        assert _as_json(model.get_config()) == _as_json(run.model.get_config()), what
        _assert_same_state(_state(model), run.after_first_epoch, what)
        for output, expected in zip(_outputs(model, run.data[0]), run.outputs_after_first_epoch, strict=True):
            np.testing.assert_allclose(output, expected, atol=1e-6, err_msg=f"the outputs of {what}")

    # Training goes on from the file as from the backup: its second epoch ends where
    # the uninterrupted run's does.
    model = loaded["with safe_mode=True"]
    _second_epoch(model, run.data)
    assert _iterations(model) == run.iterations
    _assert_same_state(_state(model), run.uninterrupted, "after an epoch of the loaded model", exact=False)


def test_a_file_without_seed_states_still_loads(tmp_path, monkeypatch):
    """Files written before kerasgan saved its seed generators' state load as before:
    the networks and optimizers from the file, the random state as built."""
    build, _ = TINY_PRESETS["mlp_gan"]
    model, path = build(), str(tmp_path / "old.keras")
    with monkeypatch.context() as patch:
        patch.setattr(AdversarialModel, "save_own_variables", keras.Model.save_own_variables)
        model.save(path)
    loaded = keras.models.load_model(path)
    _assert_same_state(_state(loaded), _state(model), "the model loaded from a file without seed states")
