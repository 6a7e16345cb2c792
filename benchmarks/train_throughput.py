"""Training throughput of a preset, in images per second (one train_step = one batch).

Usage: KERAS_BACKEND=jax python benchmarks/train_throughput.py [--preset dcgan]
           [--batch-size 64] [--steps 100] [--image-size 28] [--channels 1] [--base-filters 32]
"""

import argparse
import time

import numpy as np

import kerasgan


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="dcgan")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--image-size", type=int, default=28)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--base-filters", type=int, default=None)
    args = parser.parse_args()
    kwargs = {"image_shape": (args.image_size, args.image_size, args.channels)}
    if args.base_filters:
        kwargs["base_filters"] = args.base_filters
    gan = kerasgan.presets.get(args.preset, **kwargs)
    images = np.random.default_rng(0).uniform(
        -1, 1, (args.batch_size * args.steps, *kwargs["image_shape"])
    ).astype("float32")
    # The first epoch compiles; time the second.
    gan.fit(images[: args.batch_size * 2], batch_size=args.batch_size, epochs=1, verbose=0)
    start = time.perf_counter()
    gan.fit(images, batch_size=args.batch_size, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    import keras

    print(
        f"backend={keras.backend.backend()} preset={args.preset} shape={kwargs['image_shape']} "
        f"batch={args.batch_size} steps={args.steps}: {args.batch_size * args.steps / seconds:.0f} img/s "
        f"({seconds / args.steps * 1000:.1f} ms/step)"
    )


if __name__ == "__main__":
    main()
