"""Data plumbing: the table of remote files, downloading and caching, safe extraction, loaders.

- ``registry``: every remote file the course uses (sources, size, hashes), as one table
- ``download``: fetch a registered file (mirror first), verify it, cache it
- ``archive``: safe extraction of tar and zip archives
- ``datasets``: MNIST, Fashion-MNIST (IDX files), the ImageNet class index
- ``datasets_info``: facts about the datasets (IDX headers, class counts, sizes)
- ``imagefolders``: image-folder datasets (Imagenette, tf_flowers) and listing a ``<class>/<image>`` tree
- ``loaders``: reading image folders into arrays or batches, measuring input throughput
- ``photos``: real photos bundled with scikit-image, written as image folders
- ``weights``: pretrained weights (VGG16, MobileNetV2): where they are, and the error when they are not
- ``distributed``: streaming input and TFRecord shards for ImageNet-scale, multi-worker training
- ``scarcity``: class-balanced subsets for experiments with few labels
"""
