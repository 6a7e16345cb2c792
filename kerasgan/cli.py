"""The `kerasgan` command's subcommands: train, sample, interpolate, evaluate, translate, project,
export, list.

The parser and `main` live in the top-level module `kerasgan_cli`, which answers
`--help` and `--version` without importing Keras; `main` is re-exported here.

    kerasgan train [PRESET] [--dataset NAME] [--epochs N] [--batch-size B] [--out DIR]
    kerasgan sample MODEL [--n 64] [--out grid.png] [--seed 0] [--truncation PSI] [--label C]
    kerasgan evaluate MODEL [--dataset NAME | --data-dir DIR] [--num-samples N] [--metrics fid,kid,is,pr,cfd]
    kerasgan translate MODEL INPUT_DIR --out OUT_DIR [--direction a_to_b|b_to_a]
    kerasgan project MODEL INPUT_DIR --out OUT_DIR [--space w|w+|z] [--steps N] [--label C]
    kerasgan export MODEL OUT [--format tf_saved_model|onnx|litert] [--truncation PSI] [--direction D]
    kerasgan list
"""

import inspect
import json
import os
import platform
import shlex
import shutil
import sys
import time
import zipfile

import keras

from kerasgan.suggest import did_you_mean
from kerasgan_cli import main


def _load_model(path):
    import keras

    from kerasgan.engine import AdversarialModel

    if not os.path.isfile(path):
        from kerasgan import presets

        if path in presets.pretrained():
            return presets.from_preset(path)
        raise SystemExit(
            f"error: no model file at {path!r}. Expected a .keras file written by kerasgan, or a pretrained "
            f"model: {', '.join(presets.pretrained())}.{did_you_mean(path, presets.pretrained())}"
        )
    if not zipfile.is_zipfile(path):
        # Keras reports this as "File not found"; say what it is.
        raise SystemExit(
            f"error: could not load {path!r}: it is not a .keras archive (a truncated or corrupt file?). "
            "Expected a .keras file written by model.save or `kerasgan train`."
        )
    try:
        model = keras.models.load_model(path)
    except Exception as error:  # noqa: BLE001 - a corrupt or foreign file fails in many ways
        raise SystemExit(
            f"error: could not load {path!r} as a kerasgan model ({type(error).__name__}: {error}). "
            "Expected a .keras file written by model.save or `kerasgan train`."
        ) from None
    if not isinstance(model, AdversarialModel):
        raise SystemExit(f"error: {path!r} holds a {type(model).__name__}, not a kerasgan model.")
    return model


def _training_data(preset, args, dataset_name, batch_size):
    """`(dataset, build_options, examples)` for a preset: its kind of data, the shapes
    the preset is built for, and held-out examples for translation grids."""
    from kerasgan import datasets

    if args.labels and not args.data_dir:
        raise SystemExit(
            f"error: --labels gives the classes of your own images, with --data-dir; {dataset_name} has its own. "
            "Received: --labels without --data-dir."
        )
    if preset.data == "voxels":
        # Mirrored left to right at random: furniture is symmetric, and it measured better.
        dataset = datasets.load_voxels(dataset_name, categories=args.category, batch_size=batch_size, mirror=True, seed=args.seed)
        return dataset, {"voxel_shape": tuple(dataset.element_spec.shape[1:])}, None
    if args.category:
        raise SystemExit(f"error: --category selects furniture for gan3d. Received: --category with {args.preset}.")
    if args.channels is not None and not args.data_dir:
        raise SystemExit(
            f"error: --channels sets the colour of your own images, with --data-dir; {dataset_name} has its own. "
            f"Received: --channels {args.channels} without --data-dir."
        )
    if args.fit is not None and not args.data_dir:
        raise SystemExit(
            f"error: --fit sets how your own images are brought to square, with --data-dir; {dataset_name} has its own size. "
            f"Received: --fit {args.fit} without --data-dir."
        )
    if args.data_dir:
        return _folder_data(preset, args, batch_size)
    if preset.data in ("images", "labelled images"):
        labelled = preset.data == "labelled images"
        # The preset's size on any dataset: StyleGAN needs a power of two (MNIST's 28 -> 32).
        image_size = args.image_size or preset.image_size
        dataset = datasets.load(dataset_name, batch_size=batch_size, image_size=image_size, labels=labelled, seed=args.seed)
        spec = dataset.element_spec
        return dataset, {"image_shape": tuple((spec[0] if labelled else spec).shape[1:])}, None
    load = datasets.load_pairs if preset.data == "pairs" else datasets.load_domains
    image_size = args.image_size or preset.image_size  # the paper presets' 128 or 256 px
    dataset = load(dataset_name, image_size=image_size, batch_size=batch_size, seed=args.seed)
    first, second = (tuple(spec.shape[1:]) for spec in dataset.element_spec)
    options = {"image_shape": first}
    if preset.data == "pairs":
        options["target_channels"] = second[-1]
    elif second != first:
        options["image_shape_b"] = second
    held_out = next(iter(load(dataset_name, split="test", image_size=image_size, batch_size=8, shuffle=False)))
    return dataset, options, tuple(part.numpy() for part in held_out)


def _folder_data(preset, args, batch_size):
    """`_training_data` for `--data-dir`: the user's own images, laid out as the help says.
    What the folder holds is printed first, then the size and colour chosen from it (or
    given), then advice when the data is too small for the batch, the run or a GAN."""
    from kerasgan import datasets

    if not os.path.isdir(args.data_dir):
        raise SystemExit(f"error: --data-dir {args.data_dir!r} is not a folder.")
    fit = args.fit or "crop"
    label_file = args.labels
    if label_file and not os.path.exists(label_file) and os.path.isfile(os.path.join(args.data_dir, label_file)):
        label_file = os.path.join(args.data_dir, label_file)  # a label file kept in the folder it labels
    if label_file and preset.data != "labelled images":
        raise SystemExit(f"error: --labels gives classes to a conditional preset (cgan, acgan). Received: --labels with {args.preset}.")
    if preset.data in ("images", "labelled images"):
        labelled = (label_file or True) if preset.data == "labelled images" else False
        report = datasets.inspect_folder(args.data_dir, labels=labelled)
    else:
        names = ("inputs", "targets") if preset.data == "pairs" else ("a", "b")
        folders = [os.path.join(args.data_dir, name) for name in names]
        missing = [folder for folder in folders if not os.path.isdir(folder)]
        if missing:
            raise SystemExit(
                f"error: {args.preset} trains on {folders[0]} and {folders[1]}. Missing: {', '.join(missing)}"
            )
        inspect = datasets.inspect_pair_folders if preset.data == "pairs" else datasets.inspect_domain_folders
        report = inspect(*folders)
    print(report)
    if args.image_size:
        size, why = args.image_size, "--image-size"
    else:
        size, why = datasets.choose_image_size(report, preset.supports_size, fit)
        why = f"{why}; --image-size to choose"
    channels = args.channels or report.channels
    colour = "--channels" if args.channels else "every image is grey" if channels == 1 else "--channels 1 for grey"
    square = ""
    if report.not_square:
        square = {"crop": "; images that are not square are centre-cropped (--fit pad or stretch to change)",
                  "pad": "; images that are not square get black borders (--fit pad)",
                  "stretch": "; images that are not square are stretched (--fit stretch)"}[fit]
    print(f"Image size {size}x{size} ({why}), {'grey' if channels == 1 else 'RGB'} ({colour}){square}.")
    shape = (size, size, channels)
    if preset.data in ("images", "labelled images"):
        dataset = datasets.from_folder(args.data_dir, size, channels, batch_size, labels=labelled, seed=args.seed, fit=fit)
        options = {"image_shape": shape}
        if labelled:  # one class per sub-folder or label, as from_folder reads them
            options["num_classes"] = len(report.classes)
        examples = None
    else:
        load = datasets.from_pair_folders if preset.data == "pairs" else datasets.from_domain_folders
        dataset = load(*folders, size, channels, batch_size, seed=args.seed, fit=fit)
        options = {"image_shape": shape}
        # The grid's examples: the first batch, seen in training (there is no held-out part).
        examples = tuple(part.numpy() for part in next(iter(dataset)))
    for line in _data_advice(args, report.count, batch_size, int(dataset.cardinality()), preset.data):
        print(f"warning: {line}")
    return dataset, options, examples


# A GAN needs thousands of updates: the default MNIST run makes 4,700. Fewer than
# SHORT_RUN steps is warned about, and the advice aims at ADVISED_STEPS.
SHORT_RUN, ADVISED_STEPS, FEW_STEPS_AN_EPOCH = 1_000, 2_000, 10
# Below this many images the discriminator memorises the data (Karras et al. 2020, ADA).
SMALL_SET = 2_000


def _data_advice(args, count, batch_size, steps, kind):
    """Warnings, each with its fix, when the folder's data is small for the batch, the
    run's length or a GAN (`kind`: the preset's data)."""
    import math

    advice = []
    epochs = args.epochs
    steps = min(steps, args.steps_per_epoch or steps)
    items = "pairs" if kind == "pairs" else "images"
    if count < batch_size:
        advice.append(f"{count:,} {items} do not fill one batch of {batch_size}: each step sees the same {count:,}.")
    if steps < FEW_STEPS_AN_EPOCH or steps * epochs < SHORT_RUN:
        better_batch = batch_size
        while better_batch > 8 and math.ceil(count / better_batch) < FEW_STEPS_AN_EPOCH:
            better_batch //= 2
        better_steps = steps if better_batch == batch_size else max(1, count // better_batch)
        better_epochs = max(epochs, math.ceil(ADVISED_STEPS / better_steps))
        if better_epochs > 20:  # a round number to type
            better_epochs = math.ceil(better_epochs / 10) * 10
        fix = " ".join(
            ([f"--batch-size {better_batch}"] if better_batch != batch_size else [])
            + ([f"--epochs {better_epochs}"] if better_epochs != epochs else [])
        )
        advice.append(
            f"{count:,} {items} in batches of {batch_size} make {steps:,} step{'s' if steps != 1 else ''} an epoch, "
            f"{steps * epochs:,} in {epochs} epoch{'s' if epochs != 1 else ''}; a GAN needs thousands."
            + (f" Try {fix} (about {better_steps * better_epochs:,} steps)." if fix else "")
        )
    if count < SMALL_SET and kind in ("images", "labelled images"):
        if args.preset == "stylegan":
            augment = "stylegan's adaptive augmentation (augment=\"ada\", on by default) is made for such sets; give it many epochs."
        else:
            augment = (
                f"augmentation helps: `kerasgan train stylegan --data-dir {args.data_dir}` (adaptive augmentation, on "
                "by default), or augment=\"ada\" on a kerasgan.GAN in Python."
            )
        advice.append(f"{count:,} images is a small set for a GAN (the discriminator memorises it); {augment}")
    return advice


def _set_learning_rates(model, args):
    """Applies --g-lr to the generator's optimizer and --d-lr to every other one."""
    for name, optimizer in model.optimizers_by_name().items():
        rate = args.g_lr if name == "g_optimizer" else args.d_lr
        if rate is None:
            continue
        try:
            optimizer.learning_rate = rate
        except TypeError:  # Keras refuses to replace a schedule
            raise SystemExit(
                f"error: {args.preset}'s {name} follows a learning-rate schedule; --g-lr and --d-lr set constant rates."
            ) from None


def _plural(count, word):
    return f"{count} {word}{'s' if count != 1 else ''}"


# `train` checks everything first: the arguments, the data, then the model. The output
# folder changes only once the command is known to run, and an earlier run is replaced
# only once the new one has a checkpoint (_PreviousRun).


def _checked_preset_and_folder(args):
    """`(preset, out, checkpoint_path)` of a train command, or the error to exit with."""
    from kerasgan import presets

    if args.preset not in presets.PRESETS:
        raise SystemExit(f"error: unknown preset {args.preset!r}. Expected one of: {', '.join(presets.PRESETS)}.{did_you_mean(args.preset, presets.PRESETS)}")
    preset = presets.PRESETS[args.preset]
    out = os.path.normpath(args.out) if args.out else os.path.join("runs", args.preset)
    checkpoint_path = os.path.join(out, "model.keras")
    if os.path.exists(out) and not os.path.isdir(out):
        raise SystemExit(f"error: --out {out!r} is a file. Expected a folder for the run's model, samples and curves.")
    return preset, out, checkpoint_path


def _resumed_or_new_model(args, preset, options, dataset, out, checkpoint_path):
    """`(model, initial_epoch)`: the run in `out` to resume, or the preset built anew."""
    from kerasgan import callbacks, presets

    initial_epoch = 0
    if args.resume and not os.path.exists(checkpoint_path):
        print(f"No checkpoint to resume at {checkpoint_path}: starting a new run.")
    if args.resume and os.path.exists(checkpoint_path):
        model = _load_model(checkpoint_path)
        if model.name != args.preset:
            raise SystemExit(
                f"error: {out}/ holds a {model.name!r} run, not {args.preset!r}. Resume it with "
                f"`kerasgan train {model.name} --resume --out {out}`, or give {args.preset} another --out."
            )
        initial_epoch = callbacks.Checkpoint.epochs_done(checkpoint_path)
        if initial_epoch >= args.epochs:
            raise SystemExit(
                f"error: {out}/ has trained for {_plural(initial_epoch, 'epoch')}, and --epochs is the total. "
                f"Received: --epochs {args.epochs}; ask for more than {initial_epoch} to train on."
            )
        if args.latent_dim and args.latent_dim != getattr(model, "latent_dim", None):
            raise SystemExit(
                f"error: {out}/ holds a run with latent_dim={getattr(model, 'latent_dim', None)}, fixed when it "
                f"began. Received: --resume with --latent-dim {args.latent_dim}."
            )
        print(f"Resuming {checkpoint_path} after epoch {initial_epoch}.")
    else:
        if preset.data in ("pairs", "domains"):
            # The papers' schedule over the whole run: constant, then linear decay to 0.
            options["total_steps"] = args.epochs * int(dataset.cardinality())
        if args.latent_dim:
            if "latent_dim" not in inspect.signature(preset.build).parameters:
                raise SystemExit(f"error: {args.preset} translates images and has no latent vector. Received: --latent-dim.")
            options["latent_dim"] = args.latent_dim
        model = presets.get(args.preset, seed=args.seed, **options)
    return model, initial_epoch


def _after_training(model, history, out, checkpoint_path, seconds, steps_per_epoch, batch_size, resumed):
    """Reports the run, records it, and exports the generator."""
    steps = len(history.epoch) * steps_per_epoch
    samples = os.path.join(out, "samples_latest.png")
    samples = f"Samples: {samples}; " if os.path.exists(samples) else ""  # none yet with a large --sample-every
    print(
        f"Done in {seconds:.0f} s ({steps * batch_size / max(seconds, 1e-9):.0f} images/s). "
        f"{samples}curves: {out}/training_curves.png; model: {checkpoint_path}"
    )
    _record_run(out, seconds, resumed=resumed)
    export_path = os.path.join(out, "generator_savedmodel")
    try:
        model.export(export_path, verbose=False)
        print(f"SavedModel generator: {export_path}/")
    except NotImplementedError as error:
        if os.path.isdir(export_path):  # an earlier part of the run's, which no longer matches the model
            shutil.rmtree(export_path)
        print(f"SavedModel generator not written: {error}")


def train(args):
    import keras

    from kerasgan import callbacks

    preset, out, checkpoint_path = _checked_preset_and_folder(args)
    if args.mixed_precision:
        keras.mixed_precision.set_global_policy(f"mixed_{args.mixed_precision}")
    dataset_name = args.dataset or preset.dataset
    translation = preset.data in ("pairs", "domains")
    batch_size = args.batch_size or preset.batch_size
    dataset, options, examples = _training_data(preset, args, dataset_name, batch_size)
    if args.steps_per_epoch:
        dataset = dataset.take(args.steps_per_epoch)
    _PreviousRun.recover(out)
    if os.path.exists(checkpoint_path) and not (args.resume or args.overwrite):
        raise SystemExit(
            f"error: {out}/ already holds a run ({checkpoint_path}). Continue it with --resume, "
            "replace it with --overwrite, or give another --out."
        )
    model, initial_epoch = _resumed_or_new_model(args, preset, options, dataset, out, checkpoint_path)
    _set_learning_rates(model, args)
    shape = options.get("image_shape") or options["voxel_shape"]
    precision = f" in {args.mixed_precision} mixed precision" if args.mixed_precision else ""
    print(
        f"Training {args.preset} on {args.data_dir or dataset_name} {shape} with the {keras.backend.backend()} "
        f"backend{precision} for {_plural(args.epochs, 'epoch')}; writing to {out}/"
    )
    tensorboard_dir = os.path.join(out, "tensorboard") if args.tensorboard else None
    if tensorboard_dir:
        print(f"TensorBoard: tensorboard --logdir {tensorboard_dir}")
    previous = _PreviousRun(out, checkpoint_path) if os.path.exists(checkpoint_path) and not args.resume else None
    progress = _Progress()
    started = time.perf_counter()
    try:
        if previous:
            previous.set_aside()
        history = model.fit(
            dataset,
            epochs=args.epochs,
            initial_epoch=initial_epoch,
            callbacks=[
                progress,
                callbacks.SampleGrid(
                    out, num_images=8 if translation else 16 if preset.data == "voxels" else 64, examples=examples,
                    every_n_epochs=args.sample_every, log_dir=tensorboard_dir,
                ),
                callbacks.TrainingCurves(os.path.join(out, "training_curves.png"), resume=initial_epoch > 0),
                callbacks.Checkpoint(checkpoint_path, every_n_epochs=args.checkpoint_every),
                *([previous.callback()] if previous else []),  # after Checkpoint: sees its file
                *([keras.callbacks.TensorBoard(tensorboard_dir)] if tensorboard_dir else []),
            ],
        )
    except BaseException as error:
        restored = bool(previous) and previous.undo()
        if isinstance(error, KeyboardInterrupt):
            message = _interrupted(args, out, checkpoint_path, progress, int(dataset.cardinality()), restored)
            raise KeyboardInterrupt(message) from None
        raise
    if previous:
        previous.finish()
    seconds = time.perf_counter() - started
    _after_training(model, history, out, checkpoint_path, seconds, int(dataset.cardinality()), batch_size, initial_epoch > 0)


class _Progress(keras.callbacks.Callback):
    """Where `fit` is, for the line Ctrl-C prints: the epoch (from 0) and the steps done in it."""

    async_safe = True  # stores two ints: Keras may keep its asynchronous dispatch

    def __init__(self):
        super().__init__()
        self.epoch, self.step = None, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.step = epoch, 0

    def on_train_batch_end(self, batch, logs=None):
        self.step = batch + 1


def _interrupted(args, out, checkpoint_path, progress, steps_per_epoch, restored):
    """The one line that Ctrl-C during `kerasgan train` prints: where it stopped, what
    is on disk, and the command that continues."""
    from kerasgan.callbacks import Checkpoint

    if progress.epoch is None:
        where = "before the first epoch began"
    else:
        of_steps = f" of {steps_per_epoch}" if steps_per_epoch > 0 else ""
        where = f"in epoch {progress.epoch + 1} of {args.epochs}, after step {progress.step}{of_steps}"
    argv = list(getattr(args, "argv", None) or ["train", args.preset, "--epochs", str(args.epochs), "--out", out])
    done = 0 if restored else Checkpoint.epochs_done(checkpoint_path)
    if done:
        again = [word for word in argv if word != "--overwrite"] + ([] if "--resume" in argv else ["--resume"])
        return (
            f"Interrupted {where}. On disk: {checkpoint_path} after epoch {done}. "
            f"Continue with: kerasgan {shlex.join(again)}"
        )
    kept = f"; the earlier run in {out}/ is back in place" if restored else ""
    return f"Interrupted {where}, before the first checkpoint: nothing saved{kept}. Start again with: kerasgan {shlex.join(argv)}"


# What `kerasgan train` writes into its folder: what --overwrite replaces, and no more.
_RUN_OUTPUTS = ("model.keras", "model.keras.json", "run.json", "samples_latest.png", "training_curves.png", "training_curves.json")
_RUN_OUTPUT_FOLDERS = ("generator_savedmodel", "tensorboard")


def _run_outputs(folder):
    """The names in `folder` that `kerasgan train` writes (not the user's own files)."""
    if not os.path.isdir(folder):
        return []
    return sorted(
        name for name in os.listdir(folder)
        if (name in _RUN_OUTPUT_FOLDERS and os.path.isdir(os.path.join(folder, name)))
        or name in _RUN_OUTPUTS or (name.startswith("samples_epoch_") and name.endswith(".png"))
    )


class _PreviousRun:
    """--overwrite without loss: the earlier run's files (only those `kerasgan train`
    writes) wait in OUT/.previous-run/ until the new run has its first checkpoint, then
    go; if the new run fails or is interrupted before, they come back in its place.

    They move into OUT/.previous-run.partial/ first, renamed when all are in, so that
    after a `kill -9` the next `kerasgan train` in OUT knows what to undo (`recover`).
    """

    FOLDER = ".previous-run"

    def __init__(self, out, checkpoint_path):
        self.out, self.checkpoint_path = out, checkpoint_path
        self.folder = os.path.join(out, self.FOLDER)
        self.pending = False

    def set_aside(self):
        partial = self.folder + ".partial"
        os.makedirs(partial)
        for name in _run_outputs(self.out):
            os.replace(os.path.join(self.out, name), os.path.join(partial, name))
        os.replace(partial, self.folder)
        self.pending = True

    def callback(self):
        import keras

        def discard_once_replaced(*_):
            if self.pending and os.path.exists(self.checkpoint_path):
                self.discard()

        return keras.callbacks.LambdaCallback(on_epoch_end=discard_once_replaced, on_train_end=discard_once_replaced)

    def discard(self):
        shutil.rmtree(self.folder)
        self.pending = False

    def undo(self):
        """Puts the earlier run back if the new one has no checkpoint yet; True if it did."""
        if not self.pending:
            return False
        if os.path.exists(self.checkpoint_path):
            self.discard()
            return False
        _restore(self.out, self.folder, remove_new=True)
        self.pending = False
        return True

    def finish(self):
        if self.pending and not self.undo():
            self.discard()

    @classmethod
    def recover(cls, out):
        """Finishes what a `kill -9` interrupted: an earlier run set aside is put back,
        unless the new run had written its checkpoint."""
        folder = os.path.join(out, cls.FOLDER)
        if os.path.isdir(folder + ".partial"):  # killed while setting aside: the new run never began
            _restore(out, folder + ".partial", remove_new=False)
            print(f"Restored the earlier run in {out}/ that an interrupted --overwrite had set aside.")
        elif os.path.isdir(folder):
            if os.path.exists(os.path.join(out, "model.keras")):
                shutil.rmtree(folder)
            else:
                _restore(out, folder, remove_new=True)
                print(f"Restored the earlier run in {out}/ that an interrupted --overwrite had set aside.")


def _restore(out, folder, remove_new):
    if remove_new:  # the new run's outputs, written after the earlier run's were moved out
        for name in _run_outputs(out):
            path = os.path.join(out, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    for name in os.listdir(folder):
        os.replace(os.path.join(folder, name), os.path.join(out, name))
    os.rmdir(folder)


def _hardware():
    """The accelerators the backend sees, else the CPU: "NVIDIA H100 x1", "AMD EPYC, 2 cores"."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        accelerators = [device.device_kind for device in jax.devices() if device.platform != "cpu"]
    elif backend == "torch":
        import torch

        accelerators = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    else:
        import tensorflow as tf

        accelerators = [tf.config.experimental.get_device_details(gpu).get("device_name", "GPU") for gpu in tf.config.list_physical_devices("GPU")]
    if accelerators:
        return f"{accelerators[0]} x{len(accelerators)}"
    try:
        with open("/proc/cpuinfo") as file:
            cpu = next(line.split(":", 1)[1].strip() for line in file if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    return f"{cpu} CPU, {os.cpu_count()} cores"


def _record_run(out, seconds, resumed):
    """Writes OUT/run.json: the backend, the hardware and the training time of the whole
    run (every resumed part added up), for reports such as the zoo's manifests."""
    import keras

    from kerasgan.files import write_text

    path = os.path.join(out, "run.json")
    earlier = 0.0
    if resumed and os.path.exists(path):
        with open(path) as file:
            earlier = json.load(file).get("seconds", 0.0)
    record = {"backend": keras.backend.backend(), "hardware": _hardware(), "seconds": round(earlier + seconds, 1)}
    write_text(path, json.dumps(record, indent=2) + "\n")


def _read_folder(folder, shape):
    """`(names, images)`: the images in `folder` (sorted by name) at `shape`, composited on
    white, resized (bilinear) and in [-1, 1]."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    from kerasgan.datasets import composite_on_white
    from kerasgan.datasets.pixels import IMAGE_EXTENSIONS

    if not os.path.isdir(folder):
        raise SystemExit(f"error: expected a folder of images. Received: {folder!r}, {'a file' if os.path.exists(folder) else 'which does not exist'}.")
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTENSIONS))
    if not names:
        raise SystemExit(f"error: no images (png, jpg, bmp, gif) in {folder!r}.")
    height, width, channels = shape
    images = []
    for name in names:
        try:
            image = Image.open(os.path.join(folder, name))
        except (UnidentifiedImageError, OSError) as error:
            raise SystemExit(f"error: {os.path.join(folder, name)!r} is not a readable image ({error}).") from None
        with image:
            image = composite_on_white(np.asarray(image.convert("RGBA")))
            image = Image.fromarray(image).convert("L" if channels == 1 else "RGB")
            if image.size != (width, height):
                image = image.resize((width, height), Image.BILINEAR)
            images.append(np.asarray(image, dtype=np.float32).reshape(height, width, channels) / 127.5 - 1.0)
    return names, np.stack(images)


def _write_pngs(folder, names, images):
    """Writes `images` in [-1, 1] as `folder/NAME.png`, one per name, each complete or absent."""
    from PIL import Image

    from kerasgan.datasets import to_uint8
    from kerasgan.files import atomic_write

    os.makedirs(folder, exist_ok=True)
    for name, output in zip(names, to_uint8(images)):
        path = os.path.join(folder, os.path.splitext(name)[0] + ".png")
        picture = Image.fromarray(output.squeeze(-1) if output.shape[-1] == 1 else output)
        atomic_write(path, lambda temporary, picture=picture: picture.save(temporary, format="PNG"))


def translate(args):
    if not os.path.isdir(args.input):
        raise SystemExit(f"error: INPUT is a folder of images. Received: {args.input!r}, {'a file' if os.path.exists(args.input) else 'which does not exist'}.")
    model = _load_model(args.model)
    if model.OUTPUTS != "translations":
        raise SystemExit(f"error: {args.model!r} holds a {type(model).__name__}, which does not translate images. Use `kerasgan sample`.")
    if "direction" in model.SAMPLING_OPTIONS:
        direction = args.direction or "a_to_b"
        shape = model.translation_input_shape(direction)
        run = lambda images: model.translate(images, direction=direction)
    else:
        if args.direction:
            raise SystemExit(
                f"error: --direction chooses the direction of a two-way translator; a {type(model).__name__} translates one way. "
                f"Received: --direction {args.direction}."
            )
        shape = model.translation_input_shape()
        run = model.translate
    names, images = _read_folder(args.input, shape)
    height, width, _ = shape
    _write_pngs(args.out, names, run(images))
    print(f"Translated {len(names)} images ({height}x{width}) from {args.input} to {args.out}")


def project(args):
    import numpy as np

    from kerasgan.callbacks import save_image_grid
    from kerasgan.files import atomic_write

    if not os.path.isdir(args.input):
        raise SystemExit(f"error: INPUT is a folder of images. Received: {args.input!r}, {'a file' if os.path.exists(args.input) else 'which does not exist'}.")
    model = _load_model(args.model)
    spaces = getattr(model, "PROJECTION_SPACES", ())
    if not spaces:
        raise SystemExit(f"error: {args.model!r} holds a {type(model).__name__}, which has no latent space to project into.")
    if args.space is not None and args.space not in spaces:
        raise SystemExit(f"error: a {type(model).__name__} projects into {', '.join(spaces)}. Received: --space {args.space}.")
    if args.label is not None and not model.num_classes:
        raise SystemExit(f"error: --label applies to conditional models. Received: an unconditional {type(model).__name__}.")
    if model.num_classes and args.label is None:
        raise SystemExit(f"error: a conditional {type(model).__name__} projects images of one class: give it with --label C.")
    names, images = _read_folder(args.input, model.image_shape)
    clash = [name for name in names if os.path.splitext(name)[0] == "projection"]
    if clash:
        raise SystemExit(f"error: OUT_DIR/projection.png is the grid; rename the input image that would write over it: {clash[0]!r}.")
    result = model.project(
        images, labels=args.label, space=args.space, steps=args.steps,
        perceptual_weight=0.0 if args.pixels_only else 1.0, seed=args.seed, verbose=1 if sys.stdout.isatty() else 2,
    )
    _write_pngs(args.out, names, result.images)
    shown = min(len(names), 16)  # the grid: the first 16 images above their reconstructions
    save_image_grid(np.concatenate([images[:shown], result.images[:shown]]), os.path.join(args.out, "projection.png"), columns=shown)
    arrays = {"names": np.array(names), "latents": result.latents, "pixel_error": result.pixel_error}
    if result.perceptual_distance is not None:
        arrays["perceptual_distance"] = result.perceptual_distance
    arrays.update({f"noise/{name}": maps for name, maps in result.noise.items()})

    def write(temporary):
        with open(temporary, "wb") as file:
            np.savez(file, space=np.array(result.space), **arrays)

    atomic_write(os.path.join(args.out, "latents.npz"), write)
    print(
        f"Projected {len(names)} images into {result.space} ({args.steps} steps): reconstructions and projection.png "
        f"in {args.out}, latents in {os.path.join(args.out, 'latents.npz')}. Mean pixel error {result.pixel_error.mean():.4f}"
        + ("" if result.perceptual_distance is None else f", perceptual distance {result.perceptual_distance.mean():.4f}.")
    )


def _load_latent_model(args):
    """The GAN in `args.model` for `sample` and `interpolate`, after checking `--label`."""
    gan = _load_model(args.model)
    if gan.OUTPUTS not in ("images", "voxels"):
        hint = " Use `kerasgan translate`." if gan.OUTPUTS == "translations" else ""
        raise SystemExit(
            f"error: `kerasgan sample` draws images or voxel shapes from a generator. Received: {args.model!r}, "
            f"a {type(gan).__name__}, whose outputs are {gan.OUTPUTS!r}.{hint}"
        )
    if args.label is not None and "labels" not in gan.SAMPLING_OPTIONS:
        raise SystemExit(f"error: --label applies to conditional models. Received: an unconditional {type(gan).__name__}.")
    return gan


def sample(args):
    from kerasgan.callbacks import sample_for_grid, save_image_grid

    gan = _load_latent_model(args)
    if args.truncation != 1.0:
        if "truncation" not in gan.SAMPLING_OPTIONS:
            raise SystemExit(f"error: --truncation applies to style-based models (StyleGAN). Received: a {type(gan).__name__}.")
        images, columns = gan.generate(args.n, seed=args.seed, truncation=args.truncation), None
    elif gan.num_classes:
        # Without --label the classes cycle, one per column.
        images = gan.generate(args.n, seed=args.seed, labels=args.label)
        columns = None if args.label is not None else min(args.n, gan.num_classes)
    else:
        (images, _), columns = sample_for_grid(gan, args.n, seed=args.seed), None
    save_image_grid(images, args.out, columns=columns)
    label = f" of class {args.label}" if args.label is not None else ""
    print(f"Wrote {len(images)} samples{label} to {args.out}")


_DOMAIN_OF_DATASET = {"mnist_sample": "mnist", "mnist": "mnist", "fashion_mnist": "fashion_mnist"}


def _format_results(results):
    rows = []
    for name, label in [
        ("fid", "FID (Inception)"),
        ("kid", "KID (Inception)"),
        ("precision", "precision (Inception, k=3)"),
        ("recall", "recall (Inception, k=3)"),
        ("cfd", "classifier FD (kerasgan's own)"),
        ("is", "classifier score (kerasgan's own)"),
    ]:
        if name in results:
            spread = results.get(f"{name}_std")
            rows.append(f"  {label:34s} {results[name]:10.4f}" + (f" +- {spread:.4f}" if spread is not None else ""))
    return "\n".join(rows)


def evaluate(args):
    import keras

    from kerasgan import datasets, metrics
    from kerasgan.files import write_text

    if args.data_dir and (args.dataset or args.split):
        raise SystemExit(
            f"error: --data-dir is the reference images; --dataset and --split choose a named dataset instead. "
            f"Received: --data-dir with {'--dataset' if args.dataset else '--split'}; give one."
        )
    if args.fit and not args.data_dir:
        raise SystemExit(f"error: --fit sets how the images of --data-dir are brought to square. Received: --fit {args.fit} without --data-dir.")
    dataset = args.dataset or (None if args.data_dir else "mnist_sample")
    domain = _DOMAIN_OF_DATASET.get(dataset)
    names = args.metrics.split(",") if args.metrics else ["fid"] + (["cfd", "is"] if domain else [])
    unknown = [name for name in names if name not in metrics.METRICS]
    if unknown:
        raise ValueError(f"Unknown metrics {unknown}. Expected names from: {', '.join(metrics.METRICS)}.")
    gan = _load_model(args.model)
    if gan.OUTPUTS != "images":
        raise SystemExit(
            f"error: `kerasgan evaluate` scores image generators against a dataset. Received: a {type(gan).__name__}. "
            "Score translations with kerasgan.metrics.evaluate_translation on held-out pairs (or FID against "
            "the target domain), and voxel shapes with kerasgan.metrics.coverage_and_mmd."
        )
    image_size = tuple(gan.image_shape[:2])
    if args.data_dir:
        real, split = _folder_reference(args, gan), None
        reference = args.data_dir
    else:
        split = args.split or ("train" if dataset == "mnist_sample" else "test")
        real = datasets.load(
            dataset,
            split=split,
            batch_size=args.batch_size,
            image_size=image_size,
            shuffle=False,
            drop_remainder=False,
            cache=False,  # read once; a partly read cache only makes TensorFlow warn
        )
        real_shape = tuple(real.element_spec.shape[1:])
        if real_shape[-1] != gan.image_shape[-1]:
            raise ValueError(
                f"The model makes {gan.image_shape} images but {dataset} has {real_shape}. "
                "Expected a dataset with the model's number of channels."
            )
        reference = f"{dataset} ({split})"
    print(f"Evaluating {args.model} against {reference}, {args.num_samples} images each: {names}")
    started = time.perf_counter()
    results = metrics.evaluate(
        real, gan, metrics=names, num_samples=args.num_samples, domain=domain, batch_size=args.batch_size, seed=args.seed
    )
    seconds = time.perf_counter() - started
    print(_format_results(results))
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(args.model)), "evaluation.json")
    report = {
        "model": args.model,
        "dataset": dataset,
        **({"data_dir": args.data_dir, "fit": args.fit or "crop"} if args.data_dir else {}),
        "split": split,
        "num_samples": args.num_samples,
        "seed": args.seed,
        "backend": keras.backend.backend(),
        "seconds": round(seconds, 1),
        "results": results,
    }
    write_text(out, json.dumps(report, indent=2))
    print(f"Wrote {out} ({seconds:.0f} s)")


def _folder_reference(args, gan):
    """The images of `evaluate --data-dir`, read as `train --data-dir` reads them, at the
    model's size and colour, in file order; what the folder holds is printed first."""
    from kerasgan import datasets

    if not os.path.isdir(args.data_dir):
        raise SystemExit(f"error: --data-dir {args.data_dir!r} is not a folder.")
    height, width, channels = gan.image_shape
    report = datasets.inspect_folder(args.data_dir)
    print(report)
    if report.channels != channels:
        print(f"  read as {'grey' if channels == 1 else 'RGB'}, as the model makes {height}x{width}x{channels} images")
    if report.count < args.num_samples:
        print(
            f"warning: the folder holds {report.count:,} images, fewer than --num-samples {args.num_samples:,}: the scores "
            f"compare {report.count:,} real images with {args.num_samples:,} generated. FID and KID vary with the counts: "
            "compare models only at the same counts."
        )
    return datasets.from_folder(
        args.data_dir, (height, width), channels, args.batch_size, shuffle=False, fit=args.fit or "crop"
    )


def list_presets(args):
    from kerasgan import presets

    for name, preset in presets.PRESETS.items():
        print(f"{name:12s} {preset.description}")
    print("\nPretrained (kerasgan sample NAME; kerasgan.presets.from_preset(NAME)):")
    for name, manifest in presets.pretrained().items():
        check = manifest["check"]
        # The check's own protocol (its sample count), which may differ from the README table's.
        samples = f" of {check['num_samples']:,} samples" if "num_samples" in check else ""
        print(
            f"{name:22s} {manifest['description']}; {manifest['training']['steps']:,} steps; "
            f"check: {check['metric']}{samples} {check['value']:.3g}"
        )


def interpolate(args):
    from kerasgan.callbacks import save_image_grid
    from kerasgan.render import render_voxels

    gan = _load_latent_model(args)
    if args.classes is not None:
        if not gan.num_classes or args.label is not None:
            raise SystemExit(
                "error: --classes blends the classes of a conditional model, without --label. "
                f"Received: --classes with {'--label' if args.label is not None else f'an unconditional {type(gan).__name__}'}."
            )
        images = gan.interpolate_classes(*args.classes, steps=args.steps, rows=args.rows, seed=args.seed)
        walks = f"class walks from {args.classes[0]} to {args.classes[1]}"
    else:
        images = gan.interpolate(args.steps, args.rows, seed=args.seed, labels=args.label)
        walks = "walks"
    if images.ndim == 5:  # voxels
        images = render_voxels(images)
    save_image_grid(images, args.out, columns=args.steps)
    print(f"Wrote {args.rows} {walks} of {args.steps} images to {args.out}")


_FORMAT_OF_EXTENSION = {".onnx": "onnx", ".tflite": "litert"}


def export(args):
    model = _load_model(args.model)
    format = args.format or _FORMAT_OF_EXTENSION.get(os.path.splitext(args.out)[1].lower(), "tf_saved_model")
    options = {}
    if args.truncation != 1.0:
        if "truncation" not in model.SAMPLING_OPTIONS:
            raise SystemExit(f"error: --truncation applies to style-based models (StyleGAN). Received: a {type(model).__name__}.")
        options["truncation"] = args.truncation
    if args.direction:
        if "direction" not in model.SAMPLING_OPTIONS:
            raise SystemExit(f"error: --direction applies to two-way translators (CycleGAN). Received: a {type(model).__name__}.")
        options["direction"] = args.direction
    try:
        model.export(args.out, format=format, verbose=False, **options)
    except ImportError as error:
        raise SystemExit(f"error: {error}") from None
    print(f"Wrote the {format} export of {args.model} to {args.out}")


COMMANDS = {"train": train, "interpolate": interpolate, "sample": sample, "translate": translate, "project": project, "export": export, "evaluate": evaluate, "list": list_presets}


def run(args):
    """Runs the parsed command; a user's error is printed and gives exit status 1."""
    try:
        COMMANDS[args.command](args)
    except (ValueError, FloatingPointError, FileNotFoundError, FileExistsError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
