"""Measuring models: size, FLOPs and latency, training time, and running TensorFlow Lite files.

- ``efficiency``: parameters, FLOPs from TensorFlow's profiler, file size, latency
- ``training``: per-epoch timing, Keras's validation split, comparing two models' weights
- ``progress``: plain-text progress, one line per epoch or run, and estimates before long steps
- ``tflite``: running a ``.tflite`` model (LiteRT or ``tf.lite``), its predictions and accuracy
"""
