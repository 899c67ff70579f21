"""Input for distributed, ImageNet-scale training: streaming pipelines, TFRecord shards, ``TF_CONFIG``.

The pipelines read images from disk batch by batch (a directory tree of image files, or
TFRecord shards) and never hold the dataset in memory; given a ``tf.distribute.InputContext``
each input pipeline reads its own shard. Training under a strategy (``train_with_strategy``)
is lesson code: notebook 06 writes it, ``course_utils.lessons.transfer`` exports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from course_utils.data.imagefolders import image_files


def labelled_files(directory: Path | str, class_names: Sequence[str] | None = None) -> tuple[list[Path], list[int]]:
    """The image files of a ``<class>/<image>`` tree and their labels, indexing ``class_names``.

    ``class_names`` defaults to the sorted sub-folder names (as ``image_files`` gives them); a
    given list fixes the label order, e.g. to match another split's.
    """
    paths, labels, found = image_files(directory)
    if class_names is None:
        return paths, labels
    missing = sorted(set(found) - set(class_names))
    if missing:
        raise ValueError(f"{directory}: class folders {missing} are not in class_names")
    order = {name: index for index, name in enumerate(class_names)}
    return paths, [order[found[label]] for label in labels]


def _decode(image_bytes, image_size: int):
    import tensorflow as tf

    image = tf.io.decode_image(image_bytes, channels=3, expand_animations=False)
    image = tf.image.resize(image, (image_size, image_size))
    image.set_shape((image_size, image_size, 3))
    return image  # float32, 0-255


def _finish(ds, *, batch_size: int, shuffle: bool, seed: int, shuffle_buffer: int, decode, input_context):
    import tensorflow as tf

    if input_context is not None and input_context.num_input_pipelines > 1:
        ds = ds.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)
    if shuffle:
        ds = ds.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    ds = ds.map(decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=not shuffle)
    return ds.batch(batch_size, drop_remainder=input_context is not None).prefetch(tf.data.AUTOTUNE)


def make_streaming_dataset(
    directory: Path | str,
    *,
    image_size: int,
    batch_size: int,
    class_names: Sequence[str] | None = None,
    shuffle: bool = True,
    seed: int = 0,
    shuffle_buffer: int = 10_000,
    input_context=None,
):
    """``(images, labels)`` batches streamed from a ``<class>/<image>`` directory tree.

    Only file *names* are listed up front; each image is read, decoded and resized when its
    batch is needed (in parallel, with prefetching). Images are float32 in 0-255, labels int32.
    With a ``tf.distribute.InputContext`` (from ``distribute_datasets_from_function``) every
    input pipeline reads its own shard of the files and ``batch_size`` is the per-replica batch.
    """
    import tensorflow as tf

    paths, labels = labelled_files(directory, class_names)
    files = tf.data.Dataset.from_tensor_slices(([str(p) for p in paths], tf.constant(labels, tf.int32)))

    def decode(path, label):
        return _decode(tf.io.read_file(path), image_size), label

    return _finish(
        files,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        shuffle_buffer=shuffle_buffer,
        decode=decode,
        input_context=input_context,
    )


def write_tfrecord_shards(
    directory: Path | str, out_dir: Path | str, num_shards: int, class_names: Sequence[str] | None = None
) -> list[Path]:
    """Pack a ``<class>/<image>`` tree into ``num_shards`` TFRecord files (encoded bytes + label).

    Shards are how ImageNet is usually stored for training: a few hundred large files read
    sequentially, instead of 1.28 million small ones.
    """
    import tensorflow as tf

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    items = list(zip(*labelled_files(directory, class_names), strict=True))
    paths = [out_dir / f"shard-{i:05d}-of-{num_shards:05d}.tfrecord" for i in range(num_shards)]
    writers = [tf.io.TFRecordWriter(str(p)) for p in paths]
    try:
        for index, (path, label) in enumerate(items):
            example = tf.train.Example(
                features=tf.train.Features(
                    feature={
                        "image": tf.train.Feature(bytes_list=tf.train.BytesList(value=[path.read_bytes()])),
                        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label])),
                    }
                )
            )
            writers[index % num_shards].write(example.SerializeToString())
    finally:
        for writer in writers:
            writer.close()
    return paths


def make_tfrecord_dataset(
    pattern: str,
    *,
    image_size: int,
    batch_size: int,
    shuffle: bool = True,
    seed: int = 0,
    shuffle_buffer: int = 10_000,
    input_context=None,
):
    """``(images, labels)`` batches streamed from TFRecord shards matching ``pattern``.

    With an input context, whole shards are divided between input pipelines.
    """
    import tensorflow as tf

    shards = tf.data.Dataset.list_files(pattern, shuffle=False)
    if input_context is not None and input_context.num_input_pipelines > 1:
        shards = shards.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)
    records = shards.interleave(
        tf.data.TFRecordDataset, cycle_length=4, num_parallel_calls=tf.data.AUTOTUNE, deterministic=not shuffle
    )
    spec = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}

    def decode(record):
        parsed = tf.io.parse_single_example(record, spec)
        return _decode(parsed["image"], image_size), tf.cast(parsed["label"], tf.int32)

    return _finish(
        records,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        shuffle_buffer=shuffle_buffer,
        decode=decode,
        input_context=None,
    )


def tf_config(workers: Sequence[str], index: int) -> dict:
    """The ``TF_CONFIG`` value for worker ``index`` of a ``MultiWorkerMirroredStrategy`` cluster.

    Every machine gets the same ``cluster`` (all workers' ``host:port``) and its own ``task``;
    worker 0 is the chief (it also writes checkpoints and logs).
    """
    if not 0 <= index < len(workers):
        raise ValueError(f"index {index} outside 0..{len(workers) - 1}")
    return {"cluster": {"worker": list(workers)}, "task": {"type": "worker", "index": index}}


__all__ = [
    "labelled_files",
    "make_streaming_dataset",
    "make_tfrecord_dataset",
    "tf_config",
    "write_tfrecord_shards",
]
