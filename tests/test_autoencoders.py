import numpy as np

from course_utils.lessons.frontiers import build_autoencoder


def test_shapes_and_shared_layers():
    autoencoder, encoder = build_autoencoder((28, 28), latent_dim=3, hidden=(16,))
    x = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    assert autoencoder.predict(x, verbose=0).shape == (4, 28, 28)
    assert encoder.predict(x, verbose=0).shape == (4, 3)
    assert encoder.get_layer("code") is autoencoder.get_layer("code")
    out = autoencoder.predict(x, verbose=0)
    assert out.min() >= 0.0 and out.max() <= 1.0
