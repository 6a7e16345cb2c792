"""The `kerasgan` command line: the parser and `main`, outside the kerasgan package.

`import kerasgan` loads Keras and TensorFlow (seconds, and TensorFlow's start-up log
lines). This module imports neither, so `kerasgan --help` and `kerasgan --version`
answer at once; a command imports kerasgan (quietly) only when it runs. The commands
themselves are in `kerasgan.cli`.

    kerasgan train [PRESET] [--dataset NAME | --data-dir DIR] [--epochs N] [--out DIR] ...
    kerasgan sample MODEL [--n 64] [--out grid.png] [--seed 0] [--truncation PSI] [--label C]
    kerasgan interpolate MODEL [--steps 8] [--rows 4] [--out walk.png] [--seed 0] [--label C | --classes A B]
    kerasgan evaluate MODEL [--dataset NAME | --data-dir DIR] [--num-samples N] [--metrics fid,kid,is,pr,cfd]
    kerasgan translate MODEL INPUT_DIR --out OUT_DIR [--direction a_to_b|b_to_a]
    kerasgan list
"""

import argparse
import os
import sys
from importlib import metadata

DEFAULT_EPOCHS = 30


def _version():
    try:
        return metadata.version("kerasgan")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown (not installed)"


def _positive(kind):
    """An argparse type: `kind` (int or float) above zero, so that 0 or -1 is an error
    rather than silently the default (`--batch-size 0`) or a run of nothing (`--epochs 0`)."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}. Received: {text!r}")
        return value

    return parse


def _parser():
    parser = argparse.ArgumentParser(prog="kerasgan", description="Train and sample GANs with Keras 3.")
    parser.add_argument("--version", action="version", version=f"kerasgan {_version()}")
    # Every command takes --verbose, after its name as users type it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="also show TensorFlow's start-up and C++ log lines (hidden by default)")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", parents=[common], help="train a preset on a dataset")
    train.add_argument("preset", nargs="?", default="dcgan", help="preset name (default: dcgan)")
    train.add_argument("--dataset", default=None, help="dataset name (default: the preset's; mnist_sample for the DCGAN family)")
    train.add_argument(
        "--data-dir", default=None,
        help="train on your own images: a folder of images (one sub-folder per class for cgan and acgan), "
        "or, for pix2pix, DIR/inputs and DIR/targets with matching names, for cyclegan, DIR/a and DIR/b",
    )
    train.add_argument("--channels", type=int, choices=[1, 3], default=None, help="with --data-dir: 1 (grey) or 3 (RGB); default: 1 if every image is grey, else 3")
    train.add_argument(
        "--labels", default=None, metavar="CSV",
        help="with --data-dir, for cgan and acgan: a label file (header file,label; a row per image: its path in the folder, "
        "its class) instead of one sub-folder per class; looked for in the current folder, then in --data-dir",
    )
    train.add_argument(
        "--fit", choices=["crop", "pad", "stretch"], default=None,
        help="with --data-dir: bring images of another aspect ratio to square by a centre crop (default), black borders, or stretching",
    )
    train.add_argument("--epochs", type=_positive(int), default=DEFAULT_EPOCHS, help=f"the total, resumed runs included (default: {DEFAULT_EPOCHS})")
    train.add_argument("--batch-size", type=_positive(int), default=None, help="default: the preset's (64; 32 for stylegan; 16 for gan3d, pix2pix and cyclegan)")
    train.add_argument(
        "--image-size", type=_positive(int), default=None,
        help="resize images to this side (default: the preset's, 32 for stylegan; with --data-dir, from the images' size, up to 64)",
    )
    train.add_argument("--latent-dim", type=_positive(int), default=None, help="size of the generator's latent vector (default: the preset's)")
    train.add_argument("--g-lr", type=_positive(float), default=None, help="the generator's learning rate (default: the preset's)")
    train.add_argument("--d-lr", type=_positive(float), default=None, help="the discriminators' learning rate (default: the preset's)")
    train.add_argument("--category", action="append", default=None, help="gan3d: train on this furniture category only (repeatable)")
    train.add_argument("--steps-per-epoch", type=_positive(int), default=None, help="cap the batches per epoch")
    train.add_argument("--out", default=None, help="output folder (default: runs/<preset>)")
    train.add_argument("--seed", type=int, default=0, help="default: 0")
    run_in_out = train.add_mutually_exclusive_group()
    run_in_out.add_argument("--resume", action="store_true", help="continue from OUT/model.keras")
    run_in_out.add_argument(
        "--overwrite", action="store_true",
        help="replace the run already in OUT (its model, samples, curves and export; not your own files) "
        "once the new run has written its first checkpoint",
    )
    train.add_argument("--sample-every", type=_positive(int), default=1, help="write a sample grid every N epochs (default: 1)")
    train.add_argument("--checkpoint-every", type=_positive(int), default=1, help="save OUT/model.keras every N epochs and at the end (default: 1)")
    train.add_argument("--tensorboard", action="store_true", help="also log losses and sample grids to OUT/tensorboard")
    train.add_argument(
        "--mixed-precision", choices=["bfloat16", "float16"], default=None,
        help="compute in bfloat16 or float16, keep weights and losses in float32 (float16 adds loss scaling); default: off",
    )

    sample = commands.add_parser("sample", parents=[common], help="draw a grid of images from a saved model")
    sample.add_argument("model", help="a .keras file saved by kerasgan, or a pretrained model such as dcgan_mnist (see: kerasgan list)")
    sample.add_argument("--n", type=_positive(int), default=64, help="number of images (default: 64)")
    sample.add_argument("--out", default="grid.png", help="PNG path (default: grid.png)")
    sample.add_argument("--seed", type=int, default=None)
    sample.add_argument("--truncation", type=float, default=1.0, help="StyleGAN's truncation psi (default: 1, none)")
    sample.add_argument("--label", type=int, default=None, help="conditional models: this class only (default: every class, one per column)")

    interpolate = commands.add_parser("interpolate", parents=[common], help="latent walks of a saved model, one walk per row")
    interpolate.add_argument("model", help="a .keras file saved by kerasgan, or a pretrained model such as dcgan_mnist")
    interpolate.add_argument("--steps", type=_positive(int), default=8, help="images per walk (default: 8)")
    interpolate.add_argument("--rows", type=_positive(int), default=4, help="number of walks (default: 4)")
    interpolate.add_argument("--out", default="walk.png", help="PNG path (default: walk.png)")
    interpolate.add_argument("--seed", type=int, default=None)
    interpolate.add_argument("--label", type=int, default=None, help="conditional models: walk within this class (default: one class per row, in turn)")
    interpolate.add_argument(
        "--classes", type=int, nargs=2, default=None, metavar=("A", "B"),
        help="conditional models: blend class A into class B along each row, one latent per row",
    )

    evaluate = commands.add_parser("evaluate", parents=[common], help="FID and other metrics of a saved model")
    evaluate.add_argument("model", help="a .keras file saved by kerasgan, or a pretrained model")
    evaluate.add_argument("--dataset", default=None, help="reference dataset by name (default: mnist_sample)")
    evaluate.add_argument("--data-dir", default=None, help="reference images: a folder of your own (read as train --data-dir reads it, at the model's size)")
    evaluate.add_argument("--fit", choices=["crop", "pad", "stretch"], default=None, help="with --data-dir: as for train (default: crop)")
    evaluate.add_argument("--split", default=None, help="reference split of --dataset (default: test; train for mnist_sample)")
    evaluate.add_argument("--num-samples", type=_positive(int), default=2000, help="generated and real images (default: 2000)")
    evaluate.add_argument(
        "--metrics",
        default=None,
        help="comma-separated from fid,kid,pr,cfd,is (default: fid, plus cfd,is on MNIST and Fashion-MNIST)",
    )
    evaluate.add_argument("--batch-size", type=_positive(int), default=50, help="default: 50")
    evaluate.add_argument("--seed", type=int, default=0, help="latent seed (default: 0)")
    evaluate.add_argument("--out", default=None, help="JSON path (default: evaluation.json next to MODEL)")

    translate = commands.add_parser("translate", parents=[common], help="translate a folder of images with a saved pix2pix or cyclegan")
    translate.add_argument("model", help="a .keras file of a Pix2Pix or CycleGAN, or a pretrained one (pix2pix_openmoji, cyclegan_horse_zebra)")
    translate.add_argument("input", help="folder of images (resized to the model's size)")
    translate.add_argument("--out", required=True, help="folder for the translated PNGs (same names)")
    translate.add_argument("--direction", choices=["a_to_b", "b_to_a"], default=None, help="CycleGAN only (default: a_to_b)")

    project = commands.add_parser("project", parents=[common], help="find the latents of a folder of real images (projection)")
    project.add_argument("model", help="a .keras file of a GAN or StyleGAN saved by kerasgan, or a pretrained one (stylegan_emoji, dcgan_mnist)")
    project.add_argument("input", help="folder of images (resized to the model's size)")
    project.add_argument("--out", required=True, help="folder for the reconstructions (same names), projection.png and latents.npz")
    project.add_argument("--space", choices=["z", "w", "w+"], default=None, help="the latent space (default: w for a StyleGAN, z for other GANs)")
    project.add_argument("--steps", type=_positive(int), default=1000, help="optimisation steps (default: 1000)")
    project.add_argument("--label", type=int, default=None, help="conditional models: the images' class")
    project.add_argument("--pixels-only", action="store_true", help="leave out the perceptual term (no Inception network needed; faster)")
    project.add_argument("--seed", type=int, default=0, help="default: 0")

    export = commands.add_parser("export", parents=[common], help="export a saved model's generator for deployment (SavedModel, ONNX, LiteRT)")
    export.add_argument("model", help="a .keras file saved by kerasgan, or a pretrained model such as dcgan_mnist")
    export.add_argument("out", help="where to write it: a folder (SavedModel), a .onnx or a .tflite file")
    export.add_argument(
        "--format", choices=["tf_saved_model", "onnx", "litert"], default=None, help="default: from OUT (.onnx: onnx, .tflite: litert, else tf_saved_model)"
    )
    export.add_argument("--truncation", type=float, default=1.0, help="StyleGAN: the truncation psi built into the export (default: 1, none)")
    export.add_argument("--direction", choices=["a_to_b", "b_to_a"], default=None, help="CycleGAN, ONNX or LiteRT: the one direction to export (default: a_to_b)")

    commands.add_parser("list", parents=[common], help="list the presets")
    return parser


def _import_kerasgan(verbose):
    """Imports kerasgan (Keras, TensorFlow), which hides TensorFlow's start-up and C++
    log lines unless TF_CPP_MIN_LOG_LEVEL says otherwise (kerasgan.logs); --verbose
    shows them all."""
    if verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
    import kerasgan  # noqa: F401


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    args.argv = argv  # for the command that continues an interrupted run
    try:
        _import_kerasgan(args.verbose)
        from kerasgan import cli

        return cli.run(args)
    except KeyboardInterrupt as interrupt:
        # Ctrl-C is how users stop a command: one line, no traceback (`kerasgan train`
        # says where it stopped and how to continue), and the shell's status for SIGINT.
        if sys.stdout.isatty():
            print()  # ends the progress bar's line
        print(str(interrupt) or f"kerasgan {args.command}: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
