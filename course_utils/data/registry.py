"""The registry: every remote file the course uses, with its sources, size and hash, as one table.

:data:`FILES` is plain data, read on import without side effects; :data:`REGISTRY` indexes it
by name. Numbers come from the publishers: MNIST's SHA-256s match TensorFlow Datasets' records
(and the published MD5s); Fashion-MNIST's are those of Zalando Research's published ``.gz``
files; Keras publishes only an MD5 for its weights (in ``keras/src/applications/vgg16.py``),
and the sizes are the bytes Keras reports when it downloads them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteFile:
    """One file the course can download.

    Attributes:
        name: registry key, e.g. ``"mnist/train-images"``.
        relpath: where the file lives inside the cache and inside a mirror.
        urls: public sources, tried in order after the local mirror (none for mirror-only files).
        size: size in bytes of the published file.
        sha256: SHA-256 of the published file (empty when the publisher gives only an MD5).
        content_sha256: SHA-256 of the *decompressed* content of a ``.gz`` file. When set, a
            recompressed copy (same content, other bytes) is accepted too.
        content_size: size in bytes of that decompressed content (set with ``content_sha256``).
        md5: the publisher's MD5, for files published without a SHA-256 (Keras's weights).
        description: one line for ``python -m course_utils data list``.
    """

    name: str
    relpath: str
    urls: tuple[str, ...]
    size: int
    sha256: str
    content_sha256: str | None = None
    content_size: int | None = None
    md5: str | None = None
    description: str = ""

    @property
    def filename(self) -> str:
        return self.relpath.rsplit("/", 1)[-1]

    @property
    def max_bytes(self) -> int:
        """The most bytes a source may send before it is cut off and rejected.

        The published size, except for files that also accept a recompressed copy: that copy may
        be larger than the published one, but a gzip file never holds much more than its content
        (stored blocks add 5 bytes per 64 KiB; headers a few bytes, with the file's name).
        """
        if self.content_size is None:
            return self.size
        return max(self.size, self.content_size + self.content_size // 10_000 + 1024)


_MNIST = ("https://storage.googleapis.com/cvdf-datasets/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/")
_FASHION = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
)
_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"
_PORTED = (
    "torchvision's MobileNet_V2_Weights.IMAGENET1K_V1 ported to Keras (course mirror only; not Keras's official file)"
)


def _at(prefixes: tuple[str, ...], filename: str) -> tuple[str, ...]:
    return tuple(prefix + filename for prefix in prefixes)


FILES: tuple[RemoteFile, ...] = (
    RemoteFile(
        name="mnist/train-images",
        relpath="mnist/train-images-idx3-ubyte.gz",
        urls=_at(_MNIST, "train-images-idx3-ubyte.gz"),
        size=9_912_422,
        sha256="440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        description="MNIST train images (IDX, gzip)",
    ),
    RemoteFile(
        name="mnist/train-labels",
        relpath="mnist/train-labels-idx1-ubyte.gz",
        urls=_at(_MNIST, "train-labels-idx1-ubyte.gz"),
        size=28_881,
        sha256="3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        description="MNIST train labels (IDX, gzip)",
    ),
    RemoteFile(
        name="mnist/t10k-images",
        relpath="mnist/t10k-images-idx3-ubyte.gz",
        urls=_at(_MNIST, "t10k-images-idx3-ubyte.gz"),
        size=1_648_877,
        sha256="8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        description="MNIST t10k images (IDX, gzip)",
    ),
    RemoteFile(
        name="mnist/t10k-labels",
        relpath="mnist/t10k-labels-idx1-ubyte.gz",
        urls=_at(_MNIST, "t10k-labels-idx1-ubyte.gz"),
        size=4_542,
        sha256="f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        description="MNIST t10k labels (IDX, gzip)",
    ),
    RemoteFile(
        name="fashion-mnist/train-images",
        relpath="fashion-mnist/train-images-idx3-ubyte.gz",
        urls=_at(_FASHION, "train-images-idx3-ubyte.gz"),
        size=26_421_880,
        sha256="3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        content_sha256="c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        content_size=47_040_016,
        description="Fashion-MNIST train images (IDX, gzip)",
    ),
    RemoteFile(
        name="fashion-mnist/train-labels",
        relpath="fashion-mnist/train-labels-idx1-ubyte.gz",
        urls=_at(_FASHION, "train-labels-idx1-ubyte.gz"),
        size=29_515,
        sha256="a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        content_sha256="bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        content_size=60_008,
        description="Fashion-MNIST train labels (IDX, gzip)",
    ),
    RemoteFile(
        name="fashion-mnist/t10k-images",
        relpath="fashion-mnist/t10k-images-idx3-ubyte.gz",
        urls=_at(_FASHION, "t10k-images-idx3-ubyte.gz"),
        size=4_422_102,
        sha256="346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        content_sha256="5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        content_size=7_840_016,
        description="Fashion-MNIST t10k images (IDX, gzip)",
    ),
    RemoteFile(
        name="fashion-mnist/t10k-labels",
        relpath="fashion-mnist/t10k-labels-idx1-ubyte.gz",
        urls=_at(_FASHION, "t10k-labels-idx1-ubyte.gz"),
        size=5_148,
        sha256="67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        content_sha256="0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        content_size=10_008,
        description="Fashion-MNIST t10k labels (IDX, gzip)",
    ),
    RemoteFile(
        name="imagenet/class-index",
        relpath="imagenet/imagenet_class_index.json",
        urls=("https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json",),
        size=35_363,
        sha256="a1e7a966a1f601d39e4b43e119b3e7dd4a2ad3ea08cf69847cbaf021013767bc",
        description="Keras's ImageNet class index: 1,000 WordNet synsets and their names",
    ),
    RemoteFile(
        name="imagenette/imagenette2-160",
        relpath="imagenette/imagenette2-160.tgz",
        urls=("https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-160.tgz",),
        size=99_003_388,
        sha256="64d0c4859f35a461889e0147755a999a48b49bf38a7e0f9bd27003f10db02fe5",
        description="Imagenette (fast.ai): 10 ImageNet classes, 9,469 train + 3,925 val photos, short side 160 px",
    ),
    RemoteFile(
        name="flowers/flower_photos",
        relpath="flowers/flower_photos.tgz",
        urls=("https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz",),
        size=228_813_984,
        sha256="4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c",
        description="tf_flowers (TensorFlow): 3,670 flower photos in 5 classes",
    ),
    RemoteFile(
        name="weights/vgg16-imagenet",
        relpath="weights/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        urls=(_KERAS_APPS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",),
        size=553_467_096,
        sha256="",
        md5="64373286793e3c8b2b4e3219cbf3544b",
        description="VGG16 ImageNet weights, with the 1000-class top (Keras's official file)",
    ),
    RemoteFile(
        name="weights/vgg16-imagenet-notop",
        relpath="weights/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        urls=(_KERAS_APPS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",),
        size=58_889_256,
        sha256="",
        md5="6d6bbae143d832006294945121d1f1fc",
        description="VGG16 ImageNet weights, convolutional base only (Keras's official file)",
    ),
    RemoteFile(
        name="weights/mobilenet_v2-torchvision",
        relpath="weights/mobilenet_v2_imagenet_torchvision_keras.weights.h5",
        urls=(),
        size=14_579_240,
        sha256="937572f5d617f66d5a486165d90f9af514441e313e4f644a23f8a53c4da5e6cd",
        description=f"MobileNetV2 with top: {_PORTED}",
    ),
    RemoteFile(
        name="weights/mobilenet_v2-torchvision-notop",
        relpath="weights/mobilenet_v2_imagenet_torchvision_keras_notop.weights.h5",
        urls=(),
        size=9_449_296,
        sha256="165b319684cb9c67aa4aa76a49edd9dedd21282ccab5d7bb01e6499046ea0eaa",
        description=f"MobileNetV2 without top: {_PORTED}",
    ),
)

REGISTRY: dict[str, RemoteFile] = {entry.name: entry for entry in FILES}


def get(name: str) -> RemoteFile:
    """Look a file up by name, with a helpful error listing the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"no file named {name!r} in the course registry; known: {known}") from None
