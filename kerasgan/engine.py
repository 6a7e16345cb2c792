"""The adversarial step skeleton: named networks, one optimizer each, an update order.

Every kerasgan model (`GAN`, `ConditionalGAN`, `ACGAN`, `Pix2Pix`, `CycleGAN`, ...) is
an `AdversarialModel` that states its updates as data and writes one loss method per
update; the step, compile, saving and the `fit` guards are written here once.

A training step runs the updates in order. Each update differentiates its loss with
respect to the trainable variables of its networks only (`kerasgan.backend`) and
applies its own optimizer. An update may hand tensors to the updates after it (a
CycleGAN's generator update hands its translations to the discriminators), so no
network runs twice for the same images.
"""

import collections
import copy

import keras
import numpy as np
from keras import ops

from kerasgan import backend
from kerasgan.datasets.order import EpochOrder, epoch_counters
from kerasgan.export import export_network
from kerasgan.guards import StopOnNaN

Update = collections.namedtuple("Update", ["log", "optimizer", "networks", "loss", "skip", "through"], defaults=(None, None))
Update.__doc__ = """One optimizer's update within a training step.

Fields:
    log: str. The log key of its loss, such as "d_loss".
    optimizer: str. The attribute that holds its optimizer, such as "d_optimizer".
    networks: tuple of str. The attributes of the networks whose trainable variables
        it updates.
    loss: str. The model's method `loss(batch) -> (loss, logs, outputs)`: a scalar
        loss, a dict of extra logs, and a dict of tensors added to `batch` for the
        updates after it (they are constants there: no gradient flows back).
    skip: str or None. A log key of `loss` holding a boolean scalar: when true, the
        update is computed but not applied (its networks and optimizer keep their
        state), as in 3D-GAN's adaptive discriminator update. Defaults to None.
    through: str or None. A key of the batch: a tensor that an earlier part of the
        step computed from this update's networks with `backend.vjp`, whose pullback
        the batch holds under "<key>_pullback". The loss is then differentiated with
        respect to that tensor and the pullback gives the networks' gradients, so the
        networks do not run again (a generator update on the fakes that the
        discriminator update used). Defaults to None: `loss` runs the networks.

A log value may be a `(value, weight)` pair: its running mean then weighs each step
(a penalty computed only every k steps is logged with weight 1 on those steps, 0
between them).
"""


def default_optimizer():
    # DCGAN's Adam (Radford et al. 2016), also Pix2Pix's and CycleGAN's: lr 2e-4, beta_1 0.5.
    return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)


def _check_epochs(epochs, initial_epoch):
    """Keras returns an empty history for `epochs` below 1: say so instead. `epochs` is
    the total, so a resumed fit with `epochs == initial_epoch` (nothing left) is fine."""
    for name, value, least in (("epochs", epochs, 1), ("initial_epoch", initial_epoch, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise ValueError(
                f"Expected {name} to be an int >= {least}{' (the total, resumed epochs included)' if name == 'epochs' else ''}. "
                f"Received: {name}={value!r}"
            )


class AdversarialModel(backend.AdversarialTrainer, keras.Model):
    """Base class of kerasgan's models: any number of networks and optimizers, trained with `fit`.

    A subclass sets `NETWORKS` (the attributes holding its Keras networks, for the
    config), implements `update_order()` (`[(Update, repeats), ...]`),
    `prepare_batch(data)` (a dict for the loss methods) and one loss method per
    update, and calls `self.track(log_names)` at the end of `__init__`. Optional
    hooks: `after_update(update, batch)`, `after_step()`, `check_data(data)`.

    Args:
        seed: int or None. Seeds the random draws of training (latents, pools,
            augmentations). Defaults to None.
        **kwargs: passed to `keras.Model` (`name`).
    """

    NETWORKS = ()
    # The NETWORKS that make the model's outputs: what a pretrained file holds.
    GENERATORS = ()
    # What the model makes, for tools that take any model (the CLI, the zoo build):
    # "images" or "voxels" (from `generate`), or "translations" (from `translate`).
    OUTPUTS = None
    # The options of `generate` or `translate` beyond the count and seed that such
    # tools may offer: "labels", "truncation", "direction".
    SAMPLING_OPTIONS = ()

    def translation_input_shape(self, direction=None):
        """The shape of one image `translate` takes (a model whose OUTPUTS are
        "translations"), in `direction` where it has several."""
        raise NotImplementedError(f"{type(self).__name__} does not translate images (OUTPUTS={self.OUTPUTS!r}).")

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = backend.seed_generator(seed)

    def track(self, log_names):
        """Creates one running-mean tracker per logged value; call once the networks exist."""
        self.trackers = {name: keras.metrics.Mean(name=name) for name in log_names}
        # The networks are built; without this, torch's fit() tries to build the
        # model by calling it on a batch of training data.
        self.built = True

    @property
    def metrics(self):
        return list(self.trackers.values())

    # ---- the step skeleton ----------------------------------------------------------

    def update_order(self):
        """`[(Update, repeats), ...]`: the updates of one training step, in order."""
        raise NotImplementedError

    def prepare_batch(self, data):
        """The dict of tensors that the loss methods read, from one training element."""
        raise NotImplementedError

    def after_update(self, update, batch):
        """Called after each update is applied, with the batch dict including the
        update's outputs (WGAN's weight clipping, ADA's probability adjustment)."""

    def after_step(self):
        """Called at the end of each training step (an EMA of the generator)."""

    def adversarial_step(self, data):
        """One training step: every update in `update_order()`. Backend-neutral;
        `kerasgan.backend.AdversarialTrainer.train_step` calls it."""
        batch = self.prepare_batch(data)
        logs = {}
        for update, repeats in self.update_order():
            for _ in range(repeats):
                # The logs of the last repeat are the step's.
                logs.update(self._apply(update, batch))
        self.after_step()
        for name, value in logs.items():
            value, weight = value if isinstance(value, tuple) else (value, None)
            self.trackers[name].update_state(value, sample_weight=weight)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _apply(self, update, batch):
        variables = self.update_variables(update)
        loss_method = getattr(self, update.loss)

        optimizer = getattr(self, update.optimizer)

        def loss_fn():
            loss, logs, outputs = loss_method(batch)
            # Under mixed_float16 a LossScaleOptimizer scales the loss up, so that small
            # float16 gradients do not underflow, and scales the gradients back down.
            return optimizer.scale_loss(loss), (loss, logs, outputs)

        if update.through is None:
            _, (loss, logs, outputs), gradients = backend.value_and_grad(loss_fn, variables)
        else:
            def loss_of(tensor):
                loss, logs, outputs = loss_method({**batch, update.through: tensor})
                return optimizer.scale_loss(loss), (loss, logs, outputs)

            _, (loss, logs, outputs), gradient = backend.value_and_input_grad(loss_of, batch[update.through])
            gradients = batch[f"{update.through}_pullback"](gradient)
        if update.skip is None:
            backend.apply_gradients(optimizer, gradients, variables)
        else:
            # Apply, then put back the old values where the update is skipped: one
            # graph for both cases, with no data-dependent control flow under jit.
            state = variables + list(optimizer.variables)
            before = [ops.copy(v.value) for v in state]  # a copy: torch updates in place
            backend.apply_gradients(optimizer, gradients, variables)
            skip = ops.cast(logs[update.skip], "bool")
            for variable, old in zip(state, before):
                variable.assign(ops.where(skip, old, variable.value))
        batch.update(outputs)
        self.after_update(update, batch)
        return {update.log: loss, **logs}

    def update_variables(self, update):
        """The trainable variables an update changes: those of its networks."""
        return [v for name in update.networks for v in getattr(self, name).trainable_variables]

    # ---- compile and its serialisation ----------------------------------------------

    def optimizer_names(self):
        """The attributes holding the optimizers, in update order."""
        return list(dict.fromkeys(update.optimizer for update, _ in self.update_order()))

    def optimizers_by_name(self):
        """`{attribute: optimizer}` for every update's optimizer (after `compile`)."""
        return {name: getattr(self, name) for name in self.optimizer_names()}

    def compile(self, **kwargs):
        """Configures one optimizer per update, by attribute name (`d_optimizer=...`).

        An optimizer not given defaults to Adam(2e-4, beta_1=0.5). Under the
        `mixed_float16` policy each optimizer is wrapped in a
        `keras.optimizers.LossScaleOptimizer` (dynamic loss scaling), as
        `keras.Model.compile` does for its one optimizer; `auto_scale_loss=False`
        turns this off. Other keyword arguments go to `keras.Model.compile`
        (`jit_compile`, `steps_per_execution`, `run_eagerly`).
        """
        names = self.optimizer_names()
        listed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        for forbidden in ("optimizer", "loss", "metrics"):
            if forbidden in kwargs:
                raise ValueError(
                    f"{type(self).__name__}.compile takes one optimizer per network: "
                    f"{listed}; the losses are chosen with {type(self).__name__}(loss=...) and its other options. "
                    f"Received: {forbidden}={kwargs[forbidden]!r}"
                )
        optimizers = {name: keras.optimizers.get(kwargs.pop(name, None) or default_optimizer()) for name in names}
        if kwargs.pop("auto_scale_loss", True) and self.dtype_policy.name == "mixed_float16":
            optimizers = {
                name: optimizer if isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(optimizer, name=f"{name}_loss_scale")
                for name, optimizer in optimizers.items()
            }
        if len({id(optimizer) for optimizer in optimizers.values()}) < len(optimizers):
            raise ValueError(
                f"Expected a distinct optimizer instance for each of {listed}. "
                "Received: the same object twice."
            )
        super().compile(optimizer=None, **kwargs)
        updates = [update for update, _ in self.update_order()]
        for name, optimizer in optimizers.items():
            setattr(self, name, optimizer)
            # Build now, so that load_model can restore every optimizer's state.
            update = next(update for update in updates if update.optimizer == name)
            optimizer.build(self.update_variables(update))
        self._compile_kwargs = {k: kwargs[k] for k in ("jit_compile", "steps_per_execution") if k in kwargs}

    def get_compile_config(self):
        if not self.compiled:
            return {}
        optimizers = {name: keras.optimizers.serialize(optimizer) for name, optimizer in self.optimizers_by_name().items()}
        return {**optimizers, **self._compile_kwargs}

    def compile_from_config(self, config):
        config = dict(config)
        for name in self.optimizer_names():
            if name in config:
                config[name] = keras.optimizers.deserialize(config[name])
        self.compile(**config)

    def get_config(self):
        networks = {name: keras.saving.serialize_keras_object(getattr(self, name)) for name in self.NETWORKS}
        return {"name": self.name, "trainable": self.trainable, **networks, "seed": self.seed}

    @classmethod
    def from_config(cls, config):
        # Keras empties nested functional configs while deserialising: work on a copy.
        config = copy.deepcopy(config)
        for name in cls.NETWORKS:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)

    # ---- the random state in saved files ------------------------------------------------

    # Keras saves no SeedGenerator state, so a model restored from a file (load_model,
    # load_weights, BackupAndRestore) would draw its first steps' random numbers again:
    # the same latents, augmentations, pool choices and dropout masks. The model's own
    # entry of the weights file keeps the state of every SeedGenerator in the model.
    _SEED_STATE_KEY = "seed_generator_state_{}"

    def _seed_states(self):
        # The state variable of a keras.random.SeedGenerator, in the model's fixed order.
        return [v for v in self.variables if v.name == "seed_generator_state"]

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for i, state in enumerate(self._seed_states()):
            store[self._SEED_STATE_KEY.format(i)] = state

    def load_own_variables(self, store):
        keys = list(store.keys())  # a Keras weights store has keys(), but no iteration
        saved = [key for key in keys if key.startswith(self._SEED_STATE_KEY.format(""))]
        super().load_own_variables({key: store[key] for key in keys if key not in saved})
        states = self._seed_states()
        if not saved:
            return  # a file written before the seed states were saved
        if len(saved) != len(states):
            raise ValueError(
                f"Expected the random state of {len(states)} seed generators in the weights of "
                f"{self.name!r}. Received: {len(saved)}; the file holds another architecture."
            )
        for i, state in enumerate(states):
            state.assign(np.asarray(store[self._SEED_STATE_KEY.format(i)]).astype(state.dtype))

    # ---- fit guards -----------------------------------------------------------------

    def check_data(self, data):
        """Fails early, with what was expected and received, on unusable training data.

        `data` is the `x` given to `fit`, or `(x, y)` when `y` is given.
        """

    def fit(self, x=None, y=None, callbacks=None, **kwargs):
        """`keras.Model.fit`, after checking the first batch, and stopping on NaN losses.

        A `StopOnNaN` callback watching every update's loss is added unless one is given.
        For a dataset of `kerasgan.datasets`, an `EpochOrder` callback gives epoch k the
        same order of the data whether the run began at 0 or resumes at k
        (`initial_epoch`, `keras.callbacks.BackupAndRestore`).
        """
        if not self.compiled:
            raise RuntimeError(f"Call compile() (or use a kerasgan preset) before fit(). Received: an uncompiled {type(self).__name__}.")
        if kwargs.get("validation_data") is not None or kwargs.get("validation_split"):
            raise ValueError(
                f"{type(self).__name__}.fit has no validation pass: adversarial losses on "
                "held-out data do not measure sample quality. Received: validation_data or "
                "validation_split. Watch samples with kerasgan.callbacks.SampleGrid, or score "
                "them with kerasgan.metrics, instead."
            )
        _check_epochs(kwargs.get("epochs", 1), kwargs.get("initial_epoch", 0))
        self.check_data(x if y is None else (x, np.asarray(y)))
        callbacks = list(callbacks or [])
        if not any(isinstance(c, StopOnNaN) for c in callbacks):
            callbacks.append(StopOnNaN(tuple(update.log for update, _ in self.update_order())))
        if epoch_counters(x):
            callbacks.append(EpochOrder(x))
        if not isinstance(x, np.ndarray) and not ops.is_tensor(x):
            # Datasets shuffle themselves; Keras warns if asked to.
            kwargs.setdefault("shuffle", False)
        return super().fit(x, y, callbacks=callbacks, **kwargs)

    def evaluate(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__}.evaluate is not defined: adversarial losses on held-out "
            "data do not measure sample quality. Score outputs with kerasgan.metrics, or "
            "watch them with kerasgan.callbacks.SampleGrid."
        )

    # ---- samples and serving ----------------------------------------------------------

    def preview(self, num_images=64, seed=0, examples=None):
        """`(images, rows)` for a sample grid (`kerasgan.callbacks.SampleGrid`): images in
        [-1, 1] and the number of rows (None: square). `examples` are fixed inputs for
        models that translate images."""
        raise NotImplementedError

    def serving_model(self):
        """The Keras model that `export` serves."""
        raise NotImplementedError

    def generator_networks(self):
        """`{name: network}`: the generators as they make outputs. `kerasgan.pretrained`
        ships their weights and loads them back into these networks."""
        return {name: getattr(self, name) for name in self.GENERATORS}

    def generators_loaded(self):
        """Called after `kerasgan.pretrained` has set the generators' weights."""

    def export(self, filepath, format="tf_saved_model", verbose=True, **kwargs):
        """Exports `serving_model()` for deployment: `format` is "tf_saved_model" (a
        SavedModel whose `serve` endpoint runs it), "onnx" or "litert" (a `.tflite`
        file); `kerasgan.export` says which backends export each. The inputs keep their
        shapes with a free batch size: a runtime refuses another image size.
        """
        return export_network(self.serving_model(), filepath, format=format, verbose=verbose, **kwargs)
