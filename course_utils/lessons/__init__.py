"""Lesson code, generated from the notebooks' ``#| export`` cells. Do not edit.

- ``preprocessing``: from notebooks/02_preprocessing.ipynb
- ``augmentation``: from notebooks/03_data_augmentation.ipynb
- ``convolution``: from notebooks/04_convolution_and_pooling.ipynb
- ``mnist_models``: from notebooks/05_fcn_and_cnn_on_mnist.ipynb
- ``transfer``: from notebooks/06_vgg16_transfer_learning.ipynb
- ``frontiers``: from notebooks/07_where_next.ipynb

Regenerate with ``python -m course_utils export``.
"""
