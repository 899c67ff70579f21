import numpy as np

from course_utils.lessons.frontiers import convert_to_tflite
from course_utils.lessons.mnist_models import build_cnn
from course_utils.measure import tflite


def test_convert_quantise_and_predict():
    model = build_cnn(filters=(4, 8), dense=16)
    x = np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)
    plain = convert_to_tflite(model)
    small = convert_to_tflite(model, quantize=True)
    assert len(small) < len(plain)
    np.testing.assert_allclose(tflite.predict(plain, x, batch_size=2), model.predict(x, verbose=0), atol=1e-5)
    q = tflite.predict(small, x, batch_size=3)
    assert q.shape == (5, 10)
    np.testing.assert_allclose(q.sum(axis=1), 1.0, atol=1e-4)
    assert tflite.runtime() in ("tf.lite", "ai_edge_litert")
    y = np.argmax(model.predict(x, verbose=0), axis=1)
    assert tflite.accuracy(plain, x, y) == 1.0
