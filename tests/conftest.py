import keras
import pytest


@pytest.fixture(autouse=True)
def _deterministic():
    """Every test starts from the same Python, numpy and backend random state."""
    keras.utils.set_random_seed(1337)
    yield
