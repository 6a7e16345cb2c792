"""The `kerasgan` command: train, sample, evaluate, list.

    kerasgan train [PRESET] [--dataset NAME] [--epochs N] [--batch-size B] [--out DIR]
    kerasgan sample MODEL [--n 64] [--out grid.png] [--seed 0] [--truncation PSI] [--label C]
    kerasgan evaluate MODEL [--dataset NAME] [--num-samples N] [--metrics fid,kid,is,pr,cfd]
    kerasgan translate MODEL INPUT_DIR --out OUT_DIR [--direction a_to_b|b_to_a]
    kerasgan list
"""

import argparse
import json
import os
import sys
import time

DEFAULT_EPOCHS = 30


def _quiet_tensorflow():
    # TensorFlow's C++ start-up chatter (CUDA probes, oneDNN notes) hides the progress bar.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _parser():
    parser = argparse.ArgumentParser(prog="kerasgan", description="Train and sample GANs with Keras 3.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a preset on a dataset")
    train.add_argument("preset", nargs="?", default="dcgan", help="preset name (default: dcgan)")
    train.add_argument("--dataset", default=None, help="dataset name (default: the preset's; mnist_sample for the DCGAN family)")
    train.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, help=f"default: {DEFAULT_EPOCHS}")
    train.add_argument("--batch-size", type=int, default=None, help="default: the preset's (64; 32 for stylegan; 16 for gan3d, pix2pix and cyclegan)")
    train.add_argument("--image-size", type=int, default=None, help="resize images to this side (default: the preset's; 32 for stylegan)")
    train.add_argument("--category", action="append", default=None, help="gan3d: train on this furniture category only (repeatable)")
    train.add_argument("--steps-per-epoch", type=int, default=None, help="cap the batches per epoch")
    train.add_argument("--out", default=None, help="output folder (default: runs/<preset>)")
    train.add_argument("--seed", type=int, default=0, help="default: 0")
    train.add_argument("--resume", action="store_true", help="continue from OUT/model.keras")
    train.add_argument("--tensorboard", action="store_true", help="also log losses and sample grids to OUT/tensorboard")
    train.add_argument(
        "--mixed-precision", choices=["bfloat16", "float16"], default=None,
        help="compute in bfloat16 or float16, keep weights and losses in float32 (float16 adds loss scaling); default: off",
    )

    sample = commands.add_parser("sample", help="draw a grid of images from a saved model")
    sample.add_argument("model", help="a .keras file saved by kerasgan")
    sample.add_argument("--n", type=int, default=64, help="number of images (default: 64)")
    sample.add_argument("--out", default="grid.png", help="PNG path (default: grid.png)")
    sample.add_argument("--seed", type=int, default=None)
    sample.add_argument("--truncation", type=float, default=1.0, help="StyleGAN's truncation psi (default: 1, none)")
    sample.add_argument("--label", type=int, default=None, help="conditional models: this class only (default: every class, one per column)")

    evaluate = commands.add_parser("evaluate", help="FID and other metrics of a saved model")
    evaluate.add_argument("model", help="a .keras file saved by kerasgan")
    evaluate.add_argument("--dataset", default="mnist_sample", help="reference dataset (default: mnist_sample)")
    evaluate.add_argument("--split", default=None, help="reference split (default: test; train for mnist_sample)")
    evaluate.add_argument("--num-samples", type=int, default=2000, help="generated and real images (default: 2000)")
    evaluate.add_argument(
        "--metrics",
        default=None,
        help="comma-separated from fid,kid,pr,cfd,is (default: fid, plus cfd,is on MNIST and Fashion-MNIST)",
    )
    evaluate.add_argument("--batch-size", type=int, default=50, help="default: 50")
    evaluate.add_argument("--seed", type=int, default=0, help="latent seed (default: 0)")
    evaluate.add_argument("--out", default=None, help="JSON path (default: evaluation.json next to MODEL)")

    translate = commands.add_parser("translate", help="translate a folder of images with a saved pix2pix or cyclegan")
    translate.add_argument("model", help="a .keras file of a Pix2Pix or CycleGAN")
    translate.add_argument("input", help="folder of images (resized to the model's size)")
    translate.add_argument("--out", required=True, help="folder for the translated PNGs (same names)")
    translate.add_argument("--direction", choices=["a_to_b", "b_to_a"], default="a_to_b", help="CycleGAN only (default: a_to_b)")

    commands.add_parser("list", help="list the presets")
    return parser


def _load_model(path):
    import keras

    from kerasgan.engine import AdversarialModel

    if not os.path.isfile(path):
        raise SystemExit(f"error: no model file at {path!r}. Expected a .keras file written by kerasgan.")
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

    if preset.data == "voxels":
        # Mirrored left to right at random: furniture is symmetric, and it measured better.
        dataset = datasets.load_voxels(dataset_name, categories=args.category, batch_size=batch_size, mirror=True, seed=args.seed)
        return dataset, {"voxel_shape": tuple(dataset.element_spec.shape[1:])}, None
    if args.category:
        raise SystemExit(f"error: --category selects furniture for gan3d. Received: --category with {args.preset}.")
    if preset.data in ("images", "labelled images"):
        labelled = preset.data == "labelled images"
        image_size = args.image_size or (preset.image_size if dataset_name == preset.dataset else None)
        dataset = datasets.load(dataset_name, batch_size=batch_size, image_size=image_size, labels=labelled, seed=args.seed)
        spec = dataset.element_spec
        return dataset, {"image_shape": tuple((spec[0] if labelled else spec).shape[1:])}, None
    load = datasets.load_pairs if preset.data == "pairs" else datasets.load_domains
    dataset = load(dataset_name, image_size=args.image_size, batch_size=batch_size, seed=args.seed)
    first, second = (tuple(spec.shape[1:]) for spec in dataset.element_spec)
    options = {"image_shape": first}
    if preset.data == "pairs":
        options["target_channels"] = second[-1]
    elif second != first:
        options.update(image_shape_b=second, identity_weight=0.0)
    held_out = next(iter(load(dataset_name, split="test", image_size=args.image_size, batch_size=8, shuffle=False)))
    return dataset, options, tuple(part.numpy() for part in held_out)


def train(args):
    import keras

    from kerasgan import callbacks, presets

    if args.preset not in presets.PRESETS:
        raise SystemExit(f"error: unknown preset {args.preset!r}. Expected one of: {', '.join(presets.PRESETS)}")
    preset = presets.PRESETS[args.preset]
    if args.mixed_precision:
        keras.mixed_precision.set_global_policy(f"mixed_{args.mixed_precision}")
    dataset_name = args.dataset or preset.dataset
    translation = preset.data in ("pairs", "domains")
    batch_size = args.batch_size or preset.batch_size
    out = args.out or os.path.join("runs", args.preset)
    checkpoint_path = os.path.join(out, "model.keras")
    dataset, options, examples = _training_data(preset, args, dataset_name, batch_size)
    if args.steps_per_epoch:
        dataset = dataset.take(args.steps_per_epoch)
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
        print(f"Resuming {checkpoint_path} after epoch {initial_epoch}.")
    else:
        if translation:
            # The papers' schedule over the whole run: constant, then linear decay to 0.
            options["total_steps"] = args.epochs * int(dataset.cardinality())
        model = presets.get(args.preset, seed=args.seed, **options)
    shape = options.get("image_shape") or options["voxel_shape"]
    precision = f" in {args.mixed_precision} mixed precision" if args.mixed_precision else ""
    print(
        f"Training {args.preset} on {dataset_name} {shape} with the {keras.backend.backend()} "
        f"backend{precision} for {args.epochs} epochs; writing to {out}/"
    )
    tensorboard_dir = os.path.join(out, "tensorboard") if args.tensorboard else None
    if tensorboard_dir:
        print(f"TensorBoard: tensorboard --logdir {tensorboard_dir}")
    started = time.perf_counter()
    history = model.fit(
        dataset,
        epochs=args.epochs,
        initial_epoch=initial_epoch,
        callbacks=[
            callbacks.SampleGrid(
                out, num_images=8 if translation else 16 if preset.data == "voxels" else 64, examples=examples,
                log_dir=tensorboard_dir,
            ),
            callbacks.TrainingCurves(os.path.join(out, "training_curves.png"), resume=initial_epoch > 0),
            callbacks.Checkpoint(checkpoint_path),
            *([keras.callbacks.TensorBoard(tensorboard_dir)] if tensorboard_dir else []),
        ],
    )
    seconds = time.perf_counter() - started
    steps = len(history.epoch) * int(dataset.cardinality())
    print(
        f"Done in {seconds:.0f} s ({steps * batch_size / max(seconds, 1e-9):.0f} images/s). "
        f"Samples: {out}/samples_latest.png; curves: {out}/training_curves.png; model: {checkpoint_path}"
    )
    export_path = os.path.join(out, "generator_savedmodel")
    try:
        model.export(export_path, verbose=False)
        print(f"SavedModel generator: {export_path}/")
    except NotImplementedError as error:
        print(f"SavedModel generator not written: {error}")


def translate(args):
    import numpy as np
    from PIL import Image

    from kerasgan.datasets import composite_on_white, to_uint8
    from kerasgan.families.image_to_image.models import CycleGAN, Pix2Pix
    from kerasgan.files import atomic_write

    model = _load_model(args.model)
    if not isinstance(model, (Pix2Pix, CycleGAN)):
        raise SystemExit(f"error: {args.model!r} holds a {type(model).__name__}, which does not translate images. Use `kerasgan sample`.")
    if isinstance(model, CycleGAN):
        shape = model.image_shape_a if args.direction == "a_to_b" else model.image_shape_b
        run = lambda images: model.translate(images, direction=args.direction)
    else:
        shape = model.source_shape
        run = model.translate
    names = sorted(n for n in os.listdir(args.input) if n.lower().endswith((".png", ".jpg", ".jpeg", ".bmp", ".gif")))
    if not names:
        raise SystemExit(f"error: no images (png, jpg, bmp, gif) in {args.input!r}.")
    height, width, channels = shape
    images = []
    for name in names:
        with Image.open(os.path.join(args.input, name)) as image:
            image = composite_on_white(np.asarray(image.convert("RGBA")))
            image = Image.fromarray(image).convert("L" if channels == 1 else "RGB")
            if image.size != (width, height):
                image = image.resize((width, height), Image.BILINEAR)
            images.append(np.asarray(image, dtype=np.float32).reshape(height, width, channels) / 127.5 - 1.0)
    outputs = to_uint8(run(np.stack(images)))
    os.makedirs(args.out, exist_ok=True)
    for name, output in zip(names, outputs):
        path = os.path.join(args.out, os.path.splitext(name)[0] + ".png")
        picture = Image.fromarray(output.squeeze(-1) if output.shape[-1] == 1 else output)
        atomic_write(path, lambda temporary, picture=picture: picture.save(temporary, format="PNG"))
    print(f"Translated {len(names)} images ({height}x{width}) from {args.input} to {args.out}")


def sample(args):
    from kerasgan.callbacks import sample_for_grid, save_image_grid
    from kerasgan.models import GAN, StyleGAN

    gan = _load_model(args.model)
    if not isinstance(gan, GAN):
        raise SystemExit(f"error: {args.model!r} holds a {type(gan).__name__}, which translates images. Use `kerasgan translate`.")
    if args.label is not None and not gan.num_classes:
        raise SystemExit(f"error: --label applies to conditional models. Received: an unconditional {type(gan).__name__}.")
    if args.truncation != 1.0:
        if not isinstance(gan, StyleGAN):
            raise SystemExit(f"error: --truncation applies to StyleGAN models. Received: a {type(gan).__name__}.")
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

    domain = _DOMAIN_OF_DATASET.get(args.dataset)
    names = args.metrics.split(",") if args.metrics else ["fid"] + (["cfd", "is"] if domain else [])
    unknown = [name for name in names if name not in metrics.METRICS]
    if unknown:
        raise ValueError(f"Unknown metrics {unknown}. Expected names from: {', '.join(metrics.METRICS)}.")
    gan = _load_model(args.model)
    split = args.split or ("train" if args.dataset == "mnist_sample" else "test")
    image_size = tuple(gan.image_shape[:2])
    real = datasets.load(
        args.dataset,
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
            f"The model makes {gan.image_shape} images but {args.dataset} has {real_shape}. "
            "Expected a dataset with the model's number of channels."
        )
    print(f"Evaluating {args.model} against {args.dataset} ({split}), {args.num_samples} images each: {names}")
    started = time.perf_counter()
    results = metrics.evaluate(
        real, gan, metrics=names, num_samples=args.num_samples, domain=domain, batch_size=args.batch_size, seed=args.seed
    )
    seconds = time.perf_counter() - started
    print(_format_results(results))
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(args.model)), "evaluation.json")
    report = {
        "model": args.model,
        "dataset": args.dataset,
        "split": split,
        "num_samples": args.num_samples,
        "seed": args.seed,
        "backend": keras.backend.backend(),
        "seconds": round(seconds, 1),
        "results": results,
    }
    write_text(out, json.dumps(report, indent=2))
    print(f"Wrote {out} ({seconds:.0f} s)")


def list_presets(args):
    from kerasgan import presets

    for name, description in presets.list().items():
        print(f"{name:12s} {description}")


def main(argv=None):
    args = _parser().parse_args(argv)
    _quiet_tensorflow()
    try:
        {"train": train, "sample": sample, "translate": translate, "evaluate": evaluate, "list": list_presets}[args.command](args)
    except (ValueError, FloatingPointError, FileNotFoundError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
