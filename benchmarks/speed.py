"""DCGAN training speed: kerasgan's `fit` beside hand-written loops, in one table.

    python benchmarks/speed.py                 # every row, the defaults for this machine
    python benchmarks/speed.py --image-size 64 --base-filters 64 --batch-sizes 128 512 --steps 50
    python benchmarks/speed.py --rows jax_loop kerasgan_jax --json-out docs/results/speed_cpu.jsonl

Each row runs in its own subprocess (a Keras backend is fixed per process): the script
re-invokes itself with `--row NAME` and KERAS_BACKEND set, the child prints one JSON
line per batch size, and the parent prints a markdown table of images per second and
ms per step, with the device, and ratios of kerasgan to its hand-written baseline.

Defaults: on a GPU, DCGAN-64 (64x64x3, 64 base filters: the pytorch/examples shapes)
at batch 128 and 512; without one, a config that finishes on a 2-core CPU in minutes,
32x32x3, 32 base filters, batch 64 and 128. The row `torch_compile_bf16` runs by
default on a GPU only; name it in `--rows` to run it on the CPU. Each row reports its
best of `--repeats` timed blocks: images per second, ms per step, and the host CPU ms
per step (the process's CPU time: what feeding and dispatch cost the host).

Rows (all train the same DCGAN: Adam(2e-4, beta_1=0.5), non-saturating BCE, BatchNorm):
    torch_eager          plain PyTorch, the pytorch/examples DCGAN loop (D on real, D on
                         fake.detach(), G step on the same fakes), fp32.
    torch_eager_regen    the same, but the G step draws new latents and regenerates the
                         fakes, as kerasgan's GAN does (one more G forward per step).
    torch_compile_bf16   torch.compile of G and D, bf16 autocast.
    jax_loop(_bf16)      Keras 3 on JAX, kerasgan's dcgan networks, a hand-written
                         jax.jit step (stateless_call, value_and_grad, stateless_apply):
                         the same work per step as kerasgan's GAN (D update on real and
                         fresh fakes, then a G update on new latents). Batches are numpy
                         slices turned into jnp arrays each step, as a user's loop would.
    jax_device(_bf16)    the same step, with every batch already on the device (one
                         array put there before timing): no host work but dispatch. The
                         strongest baseline, and the one kerasgan's JAX rows are
                         compared with.
    kerasgan_jax(_bf16)  kerasgan.presets.dcgan trained with plain `fit` on a numpy array.
                         The preset runs the generator once per step (reuse_fakes, as
                         torch_eager does).
    kerasgan_*_uint8     the same, fit on the array as uint8 pixels (a quarter of the
                         bytes to slice and copy; the step maps them to [-1, 1]).
    kerasgan_torch       the same on the torch backend.
    kerasgan_*_fresh     the preset with reuse_fakes=False: the G update draws new
                         latents, the same work per step as jax_loop, torch_eager_regen
                         and keras_train_step_tf.
    keras_train_step_tf  a plain Keras custom `train_step` (keras-io DCGAN style:
                         GradientTape, same networks and losses), default compile.
    kerasgan_tf(_xla)    kerasgan's preset on TensorFlow; _xla recompiles it with
                         jit_compile=True and the same optimizers.
    family_NAME_SIZE     another family's preset (stylegan, pix2pix, cyclegan) at SIZE px,
                         RGB, trained with `fit` on JAX at its own batch size (listed in
                         FAMILY_ROWS), beside the DCGAN rows: what the other families cost.
Timing: the compiling steps are excluded; `--steps` steps are timed, ending on a sync
(block_until_ready, cuda synchronize, or `fit`'s end-of-epoch logs).
"""

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # kerasgan from this checkout

# name: (KERAS_BACKEND, precision, baseline row for the ratio column)
ROWS = {
    "torch_eager": ("torch", "fp32", None),
    "torch_eager_regen": ("torch", "fp32", None),
    "torch_compile_bf16": ("torch", "bf16 autocast", None),
    "jax_loop": ("jax", "fp32", None),
    "jax_loop_bf16": ("jax", "mixed_bfloat16", None),
    "jax_device": ("jax", "fp32", None),
    "jax_device_bf16": ("jax", "mixed_bfloat16", None),
    "kerasgan_jax": ("jax", "fp32", "jax_device"),
    "kerasgan_jax_uint8": ("jax", "fp32", "jax_device"),
    "kerasgan_jax_bf16": ("jax", "mixed_bfloat16", "jax_device_bf16"),
    "kerasgan_jax_bf16_uint8": ("jax", "mixed_bfloat16", "jax_device_bf16"),
    "kerasgan_jax_fresh": ("jax", "fp32", "jax_device"),
    "kerasgan_torch": ("torch", "fp32", "torch_eager"),
    "kerasgan_torch_fresh": ("torch", "fp32", "torch_eager_regen"),
    "keras_train_step_tf": ("tensorflow", "fp32", None),
    "kerasgan_tf": ("tensorflow", "fp32", "keras_train_step_tf"),
    "kerasgan_tf_fresh": ("tensorflow", "fp32", "keras_train_step_tf"),
    "kerasgan_tf_xla": ("tensorflow", "fp32", "keras_train_step_tf"),
}
# name: (preset, image size, batch size): the other families' presets at the sizes
# users train them, each at a batch size that fits a 2-core CPU or one GPU.
FAMILY_ROWS = {
    "family_stylegan_32": ("stylegan", 32, 32),
    "family_stylegan_64": ("stylegan", 64, 32),
    "family_pix2pix_64": ("pix2pix", 64, 16),
    "family_pix2pix_256": ("pix2pix", 256, 4),
    "family_cyclegan_64": ("cyclegan", 64, 4),
    "family_cyclegan_256": ("cyclegan", 256, 1),
    # The papers' networks at the batch sizes they train at (pix2pix and CycleGAN 1,
    # StyleGAN2-ADA 32 at 128 px and 64 above, DCGAN 128); `--family-batch-size` sets
    # another (a CPU holds a few StyleGAN2 images a step).
    "family_pix2pix_256_paper": ("pix2pix_256", 256, 1),
    "family_cyclegan_128_paper": ("cyclegan_128", 128, 1),
    "family_cyclegan_256_paper": ("cyclegan_256", 256, 1),
    "family_dcgan_128_paper": ("dcgan_128", 128, 128),
    "family_stylegan2_128_paper": ("stylegan2_128", 128, 32),
    "family_stylegan2_256_paper": ("stylegan2_256", 256, 64),
    "family_stylegan2_512_paper": ("stylegan2_512", 512, 64),
}
ROWS.update({name: ("jax", "fp32", None) for name in FAMILY_ROWS})
GPU_ONLY = ("torch_compile_bf16", "family_pix2pix_256", "family_cyclegan_256", *(row for row in FAMILY_ROWS if row.endswith("_paper")))
LATENT_DIM = 100


def real_batches(args, batch_size, channels_first=False, uint8=False):
    """`steps` batches of random "real" images in [-1, 1] (or as uint8 pixels), as one
    numpy array."""
    shape = (args.image_size, args.image_size, args.channels)
    pixels = np.random.default_rng(0).integers(0, 256, (batch_size * args.steps, *shape), dtype=np.uint8)
    if uint8:
        return pixels
    images = pixels.astype("float32") / 127.5 - 1
    return np.ascontiguousarray(images.transpose(0, 3, 1, 2)) if channels_first else images


def timed(run, args):
    """`run(warmup_steps)`, then `(wall, process cpu)` seconds of `run(steps)`, `repeats`
    times; `run` ends on a sync."""
    run(args.warmup_steps)
    times = []
    for _ in range(args.repeats):
        start, cpu = time.perf_counter(), time.process_time()
        run(args.steps)
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return times


# ---- plain PyTorch ------------------------------------------------------------------


def torch_row(args, batch_size, compiled=False, regenerate=False):
    import torch
    from torch import nn

    device = "cuda" if torch.cuda.is_available() else "cpu"
    size, nc, ngf = args.image_size, args.channels, args.base_filters
    start, stages = size, 0
    while start % 2 == 0 and start > 4:
        start, stages = start // 2, stages + 1
    top = ngf * 2 ** (stages - 1)
    # Generator: ConvTranspose from 1x1 to start x start, then stride-2 stages to `size`.
    g_layers = [nn.ConvTranspose2d(LATENT_DIM, top, start, 1, 0, bias=False), nn.BatchNorm2d(top), nn.ReLU(True)]
    filters = top
    for _ in range(stages - 1):
        g_layers += [nn.ConvTranspose2d(filters, filters // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(filters // 2), nn.ReLU(True)]
        filters //= 2
    g_layers += [nn.ConvTranspose2d(filters, nc, 4, 2, 1, bias=False), nn.Tanh()]
    # Discriminator: stride-2 convs with LeakyReLU(0.2), BN after the first, a final
    # start x start conv to one logit (BCEWithLogits: the examples' Sigmoid+BCELoss,
    # which autocast refuses).
    d_layers, filters = [nn.Conv2d(nc, ngf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)], ngf
    for _ in range(stages - 1):
        d_layers += [nn.Conv2d(filters, filters * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(filters * 2), nn.LeakyReLU(0.2, True)]
        filters *= 2
    d_layers += [nn.Conv2d(filters, 1, start, 1, 0, bias=False)]
    netG, netD = nn.Sequential(*g_layers).to(device), nn.Sequential(*d_layers).to(device)
    for module in [*netG.modules(), *netD.modules()]:
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(module.weight, 0.0, 0.02)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.normal_(module.weight, 1.0, 0.02)
            nn.init.zeros_(module.bias)
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    G, D = (torch.compile(netG), torch.compile(netD)) if compiled else (netG, netD)
    criterion = nn.BCEWithLogitsLoss()
    ones = torch.ones(batch_size, device=device)
    zeros = torch.zeros(batch_size, device=device)
    autocast = torch.autocast(device, dtype=torch.bfloat16, enabled=compiled)
    images = real_batches(args, batch_size, channels_first=True)

    def step(i):
        real = torch.from_numpy(images[i * batch_size : (i + 1) * batch_size]).to(device, non_blocking=True)
        with autocast:
            netD.zero_grad(set_to_none=True)
            errD_real = criterion(D(real).view(-1).float(), ones)
            errD_real.backward()
            fake = G(torch.randn(batch_size, LATENT_DIM, 1, 1, device=device))
            errD_fake = criterion(D(fake.detach()).view(-1).float(), zeros)
            errD_fake.backward()
            optD.step()
            netG.zero_grad(set_to_none=True)
            if regenerate:
                fake = G(torch.randn(batch_size, LATENT_DIM, 1, 1, device=device))
            errG = criterion(D(fake).view(-1).float(), ones)
            errG.backward()
            optG.step()

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def run(steps):
        for i in range(steps):
            step(i % args.steps)
        sync()

    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    return timed(run, args), f"torch {torch.__version__}, {name}"


# ---- Keras 3 on JAX, a hand-written jitted step -------------------------------------


def make_jax_loop(args, batch_size):
    """`(step, state, key)`: the jitted step `step(state, real, key) -> (state, key, logs)`."""
    import jax
    import jax.numpy as jnp
    import keras

    from kerasgan.networks import dcgan_discriminator, dcgan_generator

    shape = (args.image_size, args.image_size, args.channels)
    keras.utils.set_random_seed(0)
    G = dcgan_generator(shape, LATENT_DIM, args.base_filters)
    D = dcgan_discriminator(shape, args.base_filters)
    g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
    d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
    g_opt.build(G.trainable_variables)
    d_opt.build(D.trainable_variables)
    softplus = jax.nn.softplus

    def step(state, real, key):
        (g_tv, g_ntv, g_ov), (d_tv, d_ntv, d_ov) = state
        key, d_key, g_key = jax.random.split(key, 3)
        # D update: real images and fresh fakes (G runs in training mode: BN statistics).
        fake, g_ntv = G.stateless_call(g_tv, g_ntv, jax.random.normal(d_key, (batch_size, LATENT_DIM)), training=True)
        fake = jax.lax.stop_gradient(fake)

        def d_loss_fn(d_tv, d_ntv):
            real_logits, d_ntv = D.stateless_call(d_tv, d_ntv, real, training=True)
            fake_logits, d_ntv = D.stateless_call(d_tv, d_ntv, fake, training=True)
            real_logits, fake_logits = real_logits.astype("float32"), fake_logits.astype("float32")
            return jnp.mean(softplus(-real_logits)) + jnp.mean(softplus(fake_logits)), d_ntv

        (d_loss, d_ntv), grads = jax.value_and_grad(d_loss_fn, has_aux=True)(d_tv, d_ntv)
        d_tv, d_ov = d_opt.stateless_apply(d_ov, grads, d_tv)

        # G update: new latents, through the updated D.
        def g_loss_fn(g_tv, g_ntv, d_ntv):
            z = jax.random.normal(g_key, (batch_size, LATENT_DIM))
            fake, g_ntv = G.stateless_call(g_tv, g_ntv, z, training=True)
            logits, d_ntv = D.stateless_call(d_tv, d_ntv, fake, training=True)
            return jnp.mean(softplus(-logits.astype("float32"))), (g_ntv, d_ntv)

        (g_loss, (g_ntv, d_ntv)), grads = jax.value_and_grad(g_loss_fn, has_aux=True)(g_tv, g_ntv, d_ntv)
        g_tv, g_ov = g_opt.stateless_apply(g_ov, grads, g_tv)
        state = (g_tv, g_ntv, g_ov), (d_tv, d_ntv, d_ov)
        return state, key, {"d_loss": d_loss, "g_loss": g_loss}

    def values(variables):
        return [v.value for v in variables]

    state = tuple(
        (values(m.trainable_variables), values(m.non_trainable_variables), values(o.variables))
        for m, o in ((G, g_opt), (D, d_opt))
    )
    return jax.jit(step, donate_argnums=(0,)), state, jax.random.key(0)


def jax_loop_row(args, batch_size, on_device=False):
    import jax
    import jax.numpy as jnp

    step, state, key = make_jax_loop(args, batch_size)
    images = real_batches(args, batch_size)
    if on_device:  # every batch on the device before timing: (steps, batch, ...)
        images = jax.block_until_ready(jnp.asarray(images.reshape(args.steps, batch_size, *images.shape[1:])))

    def batch(i):
        if on_device:
            return images[i % args.steps]
        return jnp.asarray(images[(i % args.steps) * batch_size : (i % args.steps + 1) * batch_size])

    def run(steps):
        nonlocal state, key
        for i in range(steps):
            state, key, logs = step(state, batch(i), key)
        jax.block_until_ready((state, logs))

    return timed(run, args), f"jax {jax.__version__}, {jax.devices()[0].device_kind}"


# ---- a plain Keras custom train_step (keras-io DCGAN style), TensorFlow ------------


def keras_train_step_model():
    import keras
    import tensorflow as tf

    class KerasDCGAN(keras.Model):
        def __init__(self, discriminator, generator):
            super().__init__()
            self.discriminator, self.generator = discriminator, generator
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer):
            super().compile()
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

        def train_step(self, real_images):
            batch_size = tf.shape(real_images)[0]
            fake_images = self.generator(tf.random.normal((batch_size, LATENT_DIM)), training=True)
            with tf.GradientTape() as tape:
                real_logits = self.discriminator(real_images, training=True)
                fake_logits = self.discriminator(fake_images, training=True)
                d_loss = tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(tf.nn.softplus(fake_logits))
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
            with tf.GradientTape() as tape:
                fake_images = self.generator(tf.random.normal((batch_size, LATENT_DIM)), training=True)
                g_loss = tf.reduce_mean(tf.nn.softplus(-self.discriminator(fake_images, training=True)))
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    return KerasDCGAN


# ---- rows trained with fit ----------------------------------------------------------


def fit_row(args, batch_size, model, callbacks=(), uint8=False, pairs=False):
    """`(wall, process cpu)` seconds of each epoch (`steps` steps) of `model.fit` on a
    numpy array (two, for `pairs`: Pix2Pix and CycleGAN), after a warm-up fit that
    compiles."""
    import keras

    images = real_batches(args, batch_size, uint8=uint8)
    targets = images[::-1].copy() if pairs else None  # fit(inputs, targets), fit(images_a, images_b)
    times = []

    class Timer(keras.callbacks.Callback):
        # Epoch hooks only: a batch-end hook would make Keras dispatch callbacks synchronously.
        def on_epoch_begin(self, epoch, logs=None):
            self.start, self.cpu = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):  # after the end-of-epoch state sync
            times.append((time.perf_counter() - self.start, time.process_time() - self.cpu))

    model.fit(images, targets, batch_size=batch_size, epochs=1, steps_per_epoch=args.warmup_steps, verbose=0, callbacks=list(callbacks))
    model.fit(images, targets, batch_size=batch_size, epochs=args.repeats, verbose=0, callbacks=[Timer(), *callbacks])
    return times


def keras_device():
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return f"keras {keras.__version__}, jax {jax.__version__}, {jax.devices()[0].device_kind}"
    if backend == "torch":
        import torch

        name = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
        return f"keras {keras.__version__}, torch {torch.__version__}, {name}"
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return f"keras {keras.__version__}, tensorflow {tf.__version__}, {'gpu' if gpus else 'cpu'}"


def keras_row(args, batch_size, name):
    import keras

    if ROWS[name][1] == "mixed_bfloat16":
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    shape = (args.image_size, args.image_size, args.channels)
    if name in FAMILY_ROWS:
        import kerasgan

        preset = FAMILY_ROWS[name][0]
        model = kerasgan.presets.get(preset, image_shape=shape, seed=0)
        pairs = kerasgan.presets.PRESETS[preset].data in ("pairs", "domains")
        return fit_row(args, batch_size, model, pairs=pairs), keras_device()
    if name.startswith(("jax_loop", "jax_device")):
        return jax_loop_row(args, batch_size, on_device=name.startswith("jax_device"))
    if name == "keras_train_step_tf":
        from kerasgan.networks import dcgan_discriminator, dcgan_generator

        keras.utils.set_random_seed(0)
        model = keras_train_step_model()(dcgan_discriminator(shape, args.base_filters), dcgan_generator(shape, LATENT_DIM, args.base_filters))
        model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    else:
        import kerasgan

        model = kerasgan.presets.dcgan(image_shape=shape, base_filters=args.base_filters, seed=0)
        if name.endswith("_fresh"):
            model = kerasgan.presets.dcgan(image_shape=shape, base_filters=args.base_filters, reuse_fakes=False, seed=0)
        if name == "kerasgan_tf_xla":
            model.compile(d_optimizer=model.d_optimizer, g_optimizer=model.g_optimizer, jit_compile=True)
    return fit_row(args, batch_size, model, uint8=name.endswith("_uint8")), keras_device()


def peak_memory(backend):
    """The row's peak memory: the process's resident set, and the accelerator's where JAX
    reports it (JAX rows only: Keras imports jax on every backend)."""
    memory = {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # KiB on Linux
    if backend == "jax":
        import jax

        stats = jax.devices()[0].memory_stats() or {}
        if "peak_bytes_in_use" in stats:
            memory["peak_device_mb"] = stats["peak_bytes_in_use"] / 2**20
    return memory


def run_row(args, name):
    if args.threads:  # before any framework sizes its thread pools
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.threads])
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    batch_sizes = args.batch_sizes
    if name in FAMILY_ROWS:
        _, args.image_size, batch_size = FAMILY_ROWS[name]
        batch_sizes = [args.family_batch_size or batch_size]
    for batch_size in batch_sizes:
        if name.startswith("torch_"):
            times, device = torch_row(args, batch_size, compiled=name == "torch_compile_bf16", regenerate=name == "torch_eager_regen")
        else:
            times, device = keras_row(args, batch_size, name)
        seconds, cpu = min(times)  # the best repeat: the least disturbed by other processes
        backend, precision, _ = ROWS[name]
        record = {
            "row": name, "backend": backend, "precision": precision, "batch_size": batch_size,
            "image_shape": [args.image_size, args.image_size, args.channels], "base_filters": args.base_filters,
            "steps": args.steps, "threads": args.threads, "images_per_second": batch_size * args.steps / seconds,
            "ms_per_step": 1000 * seconds / args.steps, "cpu_ms_per_step": 1000 * cpu / args.steps,
            "repeat_seconds": [wall for wall, _ in times], "device": device, **peak_memory(backend),
        }
        print("SPEED_JSON " + json.dumps(record), flush=True)


# ---- the parent: one subprocess per row, one table ----------------------------------


def gpu_name():
    if not shutil.which("nvidia-smi"):
        return None
    result = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], check=False, capture_output=True, text=True)
    names = result.stdout.strip().splitlines()
    return names[0] if result.returncode == 0 and names else None


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()} x{len(os.sched_getaffinity(0))}"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} x{os.cpu_count()}"


def table(records, args, gpu):
    by_row = {}
    for record in records:
        by_row.setdefault(record["row"], {})[record["batch_size"]] = record
    config = f"{args.image_size}x{args.image_size}x{args.channels}, base_filters {args.base_filters}, {args.steps} timed steps"
    lines = [
        f"DCGAN {config}; device: {gpu or 'no GPU'}; CPU: {cpu_name()}",
        "",
        "| row | backend | precision | "
        + " | ".join(f"batch {b}: img/s (ms/step, host ms/step)" for b in args.batch_sizes)
        + " | ratio to baseline |",
        "| --- | --- | --- | " + " | ".join("---" for _ in args.batch_sizes) + " | --- |",
    ]
    for name in [row for row in args.rows if row not in FAMILY_ROWS]:
        backend, precision, baseline = ROWS[name]
        cells, ratios = [], []
        for b in args.batch_sizes:
            record = by_row.get(name, {}).get(b)
            cells.append(
                f"{record['images_per_second']:,.0f} ({record['ms_per_step']:.1f}, {record['cpu_ms_per_step']:.1f})"
                if record else "failed"
            )
            base = by_row.get(baseline, {}).get(b)
            if record and base:
                ratios.append(f"{record['images_per_second'] / base['images_per_second']:.2f}x")
        ratio = f"{' / '.join(ratios)} of {baseline}" if ratios else ""
        lines.append(f"| {name} | {backend} | {precision} | " + " | ".join(cells) + f" | {ratio} |")
    family = [record for record in records if record["row"] in FAMILY_ROWS]
    if family:
        lines += ["", "Other families' presets (`fit`, fp32, RGB):", "",
                  "| row | image size | batch | img/s | ms/step | host ms/step | peak memory MB (process; device) |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        lines += [
            f"| {r['row']} | {r['image_shape'][0]} | {r['batch_size']} | {r['images_per_second']:,.3g} | "
            f"{r['ms_per_step']:.1f} | {r['cpu_ms_per_step']:.1f} | {r['peak_rss_mb']:,.0f}"
            f"{'; %s' % format(r['peak_device_mb'], ',.0f') if 'peak_device_mb' in r else ''} |" for r in family
        ]
    versions = dict.fromkeys(part for r in records for part in r["device"].split(", "))
    threads = f"; pinned to {args.threads} core(s)" if args.threads else ""
    lines += ["", f"Best of {args.repeats} blocks of {args.steps} steps per cell{threads}. Versions and devices: " + ", ".join(versions)]
    return "\n".join(lines)


def main():
    gpu = gpu_name()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image-size", type=int, default=64 if gpu else 32)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--base-filters", type=int, default=64 if gpu else 32)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[128, 512] if gpu else [64, 128])
    parser.add_argument("--steps", type=int, default=50 if gpu else 20, help="timed steps per batch size")
    parser.add_argument("--warmup-steps", type=int, default=5 if gpu else 2, help="untimed steps first (compiling)")
    parser.add_argument("--repeats", type=int, default=3, help="timed blocks of --steps steps; the best is reported")
    parser.add_argument("--threads", type=int, default=None, help="pin each row to this many CPU cores (default: all)")
    parser.add_argument("--rows", nargs="+", choices=list(ROWS), default=None)
    parser.add_argument("--family-batch-size", type=int, default=None, help="the family rows' batch size (default: each row's own, FAMILY_ROWS)")
    parser.add_argument("--json-out", help="append one JSON line per row and batch size to this file")
    parser.add_argument("--row-timeout", type=float, default=1200)
    parser.add_argument("--row", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.row:
        return run_row(args, args.row)
    args.rows = args.rows or [name for name in ROWS if gpu or name not in GPU_ONLY]
    records = []
    for name in args.rows:
        command = [sys.executable, os.path.abspath(__file__), "--row", name, "--image-size", str(args.image_size),
                   "--channels", str(args.channels), "--base-filters", str(args.base_filters),
                   "--batch-sizes", *map(str, args.batch_sizes), "--steps", str(args.steps),
                   "--warmup-steps", str(args.warmup_steps), "--repeats", str(args.repeats),
                   *(["--threads", str(args.threads)] if args.threads else []),
                   *(["--family-batch-size", str(args.family_batch_size)] if args.family_batch_size else [])]
        env = dict(os.environ, KERAS_BACKEND=ROWS[name][0], TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"))
        started = time.perf_counter()
        try:
            result = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=args.row_timeout)
            output, errors, status = result.stdout, result.stderr, "ok" if result.returncode == 0 else "failed"
        except subprocess.TimeoutExpired as error:  # keep the batch sizes it finished
            output, errors, status = error.stdout or "", "", f"timed out after {args.row_timeout:.0f}s"
            output = output.decode() if isinstance(output, bytes) else output
        new = [json.loads(line[len("SPEED_JSON "):]) for line in output.splitlines() if line.startswith("SPEED_JSON ")]
        records += new
        if args.json_out:  # as each row ends: a run cut short keeps the rows it finished
            with open(args.json_out, "a") as f:
                f.writelines(json.dumps({**record, "cpu": cpu_name(), "gpu": gpu}) + "\n" for record in new)
        print(f"[{name}: {status} in {time.perf_counter() - started:.0f}s]", file=sys.stderr, flush=True)
        if status == "failed":
            print(errors[-3000:], file=sys.stderr)
    print(table(records, args, gpu))


if __name__ == "__main__":
    main()
