import numpy as np
import pytest

from course_utils.lessons.frontiers import hog_features, pixel_features


def test_pixel_features():
    images = np.full((3, 28, 28), 255, dtype=np.uint8)
    x = pixel_features(images)
    assert x.shape == (3, 784) and x.dtype == np.float32 and x.max() == 1.0


def test_hog_features_shape_and_orientation():
    vertical = np.zeros((28, 28), dtype=np.uint8)
    vertical[:, 14:] = 255  # one vertical edge: horizontal gradients only
    horizontal = vertical.T.copy()
    f = hog_features(np.stack([vertical, horizontal]))
    assert f.shape == (2, 324) and f.dtype == np.float32
    assert not np.allclose(f[0], f[1])
    with pytest.raises(ValueError):
        hog_features(np.zeros((2, 28, 28, 1)))
