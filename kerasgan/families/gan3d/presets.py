"""3-D presets: gan3d."""

from kerasgan.families.gan3d.models import GAN3D
from kerasgan.families.gan3d.networks import voxel_discriminator, voxel_generator
from kerasgan.families.preset import Preset, Recipe, adam, seeded


def gan3d(
    voxel_shape=(32, 32, 32, 1),
    latent_dim=200,
    base_filters=16,
    g_learning_rate=0.0025,
    d_learning_rate=1e-3,
    d_accuracy_threshold=0.8,
    seed=None,
):
    """3D-GAN (Wu et al. 2016): 3-D transposed convolutions to 32^3 voxel occupancies.

    Generator: dense projection to 4^3, stride-2 3-D transposed convolutions with
    BatchNorm and ReLU, sigmoid occupancies. Discriminator: stride-2 3-D convolutions
    with LeakyReLU(0.2) and BatchNorm. Non-saturating loss; the discriminator skips its
    update while its accuracy on the batch exceeds 80%. Adam(beta_1=0.5), G at the
    paper's 0.0025, D at 1e-3 (at the paper's 1e-5 D never catches up in a short run).
    Train on `kerasgan.datasets.load_voxels("furniture", ...)`.

    Tuned on a 2-core CPU shared with another training job (TensorFlow;
    `benchmarks/gan3d.py`): on chairs, tables, sofas and beds (164 training shapes),
    mirrored, batch 16, 150 epochs (24k shapes, 4.5 min at 89 shapes/s) give
    recognisable chairs, armchairs, tables, sofas and beds, with stray voxels and some
    broken shapes. Against the training shapes: coverage 0.46 / 0.34 and MMD 0.62 / 0.67
    (seeds 0 / 1); untrained 0.01 and 0.90; the training shapes drawn at random 0.63 and
    0.22. With the paper's D learning rate (1e-5) the discriminator falls behind at once
    (batch accuracy near 0), its update is never skipped, and every sample is the same
    noisy blob (coverage 0.01, MMD 0.94). base_filters 32 ran 2.5x slower and was worse
    at equal time, batch 32 worse than 16 at equal shapes seen; G at 1e-3 scored within
    the seed-to-seed spread of 0.0025. D skips about 70% of its updates, holding its
    batch accuracy near the 80% threshold.

    Args:
        voxel_shape: tuple. `(size, size, size, 1)`. Defaults to (32, 32, 32, 1).
        latent_dim: int. Defaults to 200.
        base_filters: int. Width of the discriminator's first and the generator's last
            stage. Defaults to 16.
        g_learning_rate: float. Defaults to 0.0025.
        d_learning_rate: float. Defaults to 1e-3.
        d_accuracy_threshold: float or None. Defaults to 0.8.
        seed: int or None. Seeds the initial weights and training. Defaults to None.

    Reference:
        Wu, Zhang, Xue, Freeman and Tenenbaum 2016, "Learning a Probabilistic Latent
        Space of Object Shapes via 3D Generative-Adversarial Modeling".
    """
    seeded(seed)
    gan = GAN3D(
        voxel_generator(voxel_shape, latent_dim, base_filters),
        voxel_discriminator(voxel_shape, base_filters),
        d_accuracy_threshold=d_accuracy_threshold,
        latent_dim=latent_dim,
        seed=seed,
        name="gan3d",
    )
    gan.compile(d_optimizer=adam(d_learning_rate), g_optimizer=adam(g_learning_rate))
    return gan


PRESETS = {
    "gan3d": Preset(
        gan3d,
        "3D-GAN: 3-D transposed convolutions to 32^3 voxel occupancies, adaptive D update",
        "voxels",
        "furniture",
        batch_size=16,
        tiny={"voxel_shape": (8, 8, 8, 1), "latent_dim": 8, "base_filters": 4},
    ),
}

# The pretrained models of this family (scripts/build_zoo.py trains and ships them).
RECIPES = {
    "gan3d_furniture": Recipe(
        # The four categories with most shapes: all of them together gave blobs (CPU budget).
        "gan3d", "furniture",
        ["--category", "chair", "--category", "table", "--category", "sofa", "--category", "bed",
         "--epochs", "150", "--sample-every", "50", "--checkpoint-every", "25"],
        {"voxel_shape": [32, 32, 32, 1]}, "chairs, tables, sofas and beds of the furniture set, voxelised to 32^3 (mirrored at random)",
        {"metric": "mmd", "num_samples": 100, "categories": ["chair", "table", "sofa", "bed"], "rtol": 0.005},
    ),
}
