import keras
import pytest

if keras.backend.backend() == "torch":
    import torch

    # The test models are tiny: intra-op threads buy nothing, and when other
    # processes share the CPU, torch's spinning OpenMP workers slow it down 4-30x.
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _deterministic():
    """Every test starts from the same Python, numpy and backend random state."""
    keras.utils.set_random_seed(1337)
    yield
