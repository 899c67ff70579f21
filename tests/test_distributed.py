"""Streaming pipelines (course_utils.data.distributed) and notebook 06's train_with_strategy on two logical CPUs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from course_utils.data import distributed
from course_utils.data.photos import write_image_folder

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _folder(root: Path, per_class: int = 6) -> Path:
    rng = np.random.default_rng(0)
    images, labels = [], []
    for label in range(3):
        for _ in range(per_class):
            image = rng.integers(0, 60, (20, 24, 3), dtype=np.uint8)
            image[..., label] += 150  # each class has its own dominant colour
            images.append(image)
            labels.append(label)
    return write_image_folder(images, labels, ["red", "green", "blue"], root)


def test_streaming_dataset_reads_every_image_with_its_label(tmp_path):
    folder = _folder(tmp_path / "imgs")
    ds = distributed.make_streaming_dataset(folder, image_size=16, batch_size=4, shuffle=False)
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds], strict=True)
    x, y = np.concatenate(xs), np.concatenate(ys)
    assert x.shape == (18, 16, 16, 3) and x.dtype == np.float32
    names = ["blue", "green", "red"]  # sorted folder names
    for image, label in zip(x, y, strict=True):  # the dominant channel matches the folder's colour
        assert int(np.argmax(image.mean(axis=(0, 1)))) == {"red": 0, "green": 1, "blue": 2}[names[label]]


def test_tfrecord_shards_round_trip(tmp_path):
    folder = _folder(tmp_path / "imgs")
    shards = distributed.write_tfrecord_shards(folder, tmp_path / "shards", num_shards=3)
    assert len(shards) == 3 and all(p.stat().st_size > 0 for p in shards)
    ds = distributed.make_tfrecord_dataset(
        str(tmp_path / "shards" / "*.tfrecord"), image_size=16, batch_size=5, shuffle=False
    )
    labels = np.concatenate([y.numpy() for _, y in ds])
    assert sorted(labels.tolist()) == sorted([0] * 6 + [1] * 6 + [2] * 6)


def test_given_class_names_fix_the_labels(tmp_path):
    folder = _folder(tmp_path / "imgs")
    _, labels = distributed.labelled_files(folder, ["red", "green", "blue"])
    assert labels == [2] * 6 + [1] * 6 + [0] * 6  # files come sorted by folder: blue, green, red
    with pytest.raises(ValueError, match="not in class_names"):
        distributed.labelled_files(folder, ["red", "green"])


def test_tf_config():
    config = distributed.tf_config(["a:1", "b:2"], 1)
    assert config == {"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}}
    with pytest.raises(ValueError):
        distributed.tf_config(["a:1"], 1)


SCRIPT = textwrap.dedent("""
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from course_utils.data import distributed
    from course_utils.lessons.transfer import train_with_strategy

    folder, image_size, global_batch = sys.argv[1], 16, 6
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])

    def build():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((image_size, image_size, 3)), keras.layers.Rescaling(1 / 255),
                                  keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    def dataset_fn(context):
        return distributed.make_streaming_dataset(folder, image_size=image_size, shuffle=True,
                                                  seed=context.input_pipeline_id,
                                                  batch_size=context.get_per_replica_batch_size(global_batch),
                                                  input_context=context).repeat()

    model, history = train_with_strategy(build, dataset_fn, strategy, epochs=3, steps_per_epoch=5)
    kernel = model.layers[-1].kernel.value  # the tf.distribute variable behind Keras's
    copies = getattr(kernel, "values", (kernel,))
    replicas = [v.numpy() for v in copies]
    print(json.dumps({"replicas": strategy.num_replicas_in_sync, "loss": history.history["loss"],
                      "same": all(bool((r == replicas[0]).all()) for r in replicas),
                      "devices": sorted({str(v.device) for v in copies}),
                      "policy": keras.config.dtype_policy().name}))
""")


@pytest.mark.timeout(300)
def test_train_with_strategy_on_two_logical_cpus(tmp_path):
    folder = _folder(tmp_path / "imgs", per_class=10)
    script = tmp_path / "mirrored.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [sys.executable, str(script), str(folder)], capture_output=True, text=True, env=env, timeout=280, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2
    assert len(result["devices"]) == 2, result["devices"]  # one copy of each variable per device
    assert result["same"], "mirrored variables must stay identical on every replica"
    assert np.isfinite(result["loss"]).all() and result["loss"][-1] < result["loss"][0]
    assert result["policy"] == "float32"  # the policy is restored after training
