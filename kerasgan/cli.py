"""The `kerasgan` command: train, sample, evaluate, list.

    kerasgan train [PRESET] [--dataset NAME] [--epochs N] [--batch-size B] [--out DIR]
    kerasgan sample MODEL [--n 64] [--out grid.png] [--seed 0]
    kerasgan evaluate MODEL [--dataset NAME] [--num-samples N] [--metrics fid,kid,is,pr,cfd]
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
    train.add_argument("--dataset", default="mnist_sample", help="dataset name (default: the bundled mnist_sample)")
    train.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS, help=f"default: {DEFAULT_EPOCHS}")
    train.add_argument("--batch-size", type=int, default=64, help="default: 64")
    train.add_argument("--image-size", type=int, default=None, help="resize images to this side")
    train.add_argument("--steps-per-epoch", type=int, default=None, help="cap the batches per epoch")
    train.add_argument("--out", default=None, help="output folder (default: runs/<preset>)")
    train.add_argument("--seed", type=int, default=0, help="default: 0")
    train.add_argument("--resume", action="store_true", help="continue from OUT/model.keras")

    sample = commands.add_parser("sample", help="draw a grid of images from a saved model")
    sample.add_argument("model", help="a .keras file saved by kerasgan")
    sample.add_argument("--n", type=int, default=64, help="number of images (default: 64)")
    sample.add_argument("--out", default="grid.png", help="PNG path (default: grid.png)")
    sample.add_argument("--seed", type=int, default=None)

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

    commands.add_parser("list", help="list the presets")
    return parser


def _load_gan(path):
    import keras

    from kerasgan.models import GAN

    if not os.path.isfile(path):
        raise SystemExit(f"error: no model file at {path!r}. Expected a .keras file written by kerasgan.")
    try:
        model = keras.models.load_model(path)
    except Exception as error:  # a corrupt or foreign file fails in many ways
        raise SystemExit(
            f"error: could not load {path!r} as a kerasgan model ({type(error).__name__}: {error}). "
            "Expected a .keras file written by GAN.save or `kerasgan train`."
        ) from None
    if not isinstance(model, GAN):
        raise SystemExit(f"error: {path!r} holds a {type(model).__name__}, not a kerasgan GAN.")
    return model


def train(args):
    import keras

    from kerasgan import callbacks, datasets, presets

    if args.preset not in presets.PRESETS:
        raise SystemExit(f"error: unknown preset {args.preset!r}. Expected one of: {', '.join(presets.PRESETS)}")
    out = args.out or os.path.join("runs", args.preset)
    checkpoint_path = os.path.join(out, "model.keras")
    conditional = presets.PRESETS[args.preset].data == "labelled images"
    dataset = datasets.load(
        args.dataset, batch_size=args.batch_size, image_size=args.image_size, labels=conditional, seed=args.seed
    )
    spec = dataset.element_spec
    image_shape = tuple((spec[0] if conditional else spec).shape[1:])
    initial_epoch = 0
    if args.resume and os.path.exists(checkpoint_path):
        gan = _load_gan(checkpoint_path)
        initial_epoch = callbacks.Checkpoint.epochs_done(checkpoint_path)
        print(f"Resuming {checkpoint_path} after epoch {initial_epoch}.")
    else:
        keras.utils.set_random_seed(args.seed)
        gan = presets.get(args.preset, image_shape=image_shape, seed=args.seed)
    if args.steps_per_epoch:
        dataset = dataset.take(args.steps_per_epoch)
    print(
        f"Training {args.preset} on {args.dataset} {image_shape} with the {keras.backend.backend()} "
        f"backend for {args.epochs} epochs; writing to {out}/"
    )
    started = time.perf_counter()
    history = gan.fit(
        dataset,
        epochs=args.epochs,
        initial_epoch=initial_epoch,
        callbacks=[
            callbacks.SampleGrid(out),
            callbacks.TrainingCurves(os.path.join(out, "training_curves.png"), resume=initial_epoch > 0),
            callbacks.Checkpoint(checkpoint_path),
        ],
    )
    seconds = time.perf_counter() - started
    steps = len(history.epoch) * int(dataset.cardinality())
    print(
        f"Done in {seconds:.0f} s ({steps * args.batch_size / max(seconds, 1e-9):.0f} images/s). "
        f"Samples: {out}/samples_latest.png; curves: {out}/training_curves.png; model: {checkpoint_path}"
    )
    export_path = os.path.join(out, "generator_savedmodel")
    try:
        gan.export(export_path, verbose=False)
        print(f"SavedModel generator: {export_path}/")
    except NotImplementedError as error:
        print(f"SavedModel generator not written: {error}")


def sample(args):
    from kerasgan.callbacks import sample_for_grid, save_image_grid

    gan = _load_gan(args.model)
    images, rows = sample_for_grid(gan, args.n, seed=args.seed)
    save_image_grid(images, args.out, rows=rows)
    print(f"Wrote {args.n} samples to {args.out}")


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
    gan = _load_gan(args.model)
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
        {"train": train, "sample": sample, "evaluate": evaluate, "list": list_presets}[args.command](args)
    except (ValueError, FloatingPointError, FileNotFoundError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
