"""The registry: every remote file the course uses, with its sources, size and SHA-256.

Numbers come from the publishers: MNIST's SHA-256s match TensorFlow Datasets' records (and
the published MD5s); Fashion-MNIST's are those of Zalando Research's published ``.gz`` files.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RemoteFile:
    """One file the course can download.

    Attributes:
        name: registry key, e.g. ``"mnist/train-images"``.
        relpath: where the file lives inside the cache and inside a mirror.
        urls: public sources, tried in order after the local mirror.
        size: size in bytes of the published file.
        sha256: SHA-256 of the published file.
        content_sha256: SHA-256 of the *decompressed* content of a ``.gz`` file. When set, a
            recompressed copy (same content, other bytes) is accepted too.
        description: one line for ``python -m course_utils data list``.
    """

    name: str
    relpath: str
    urls: tuple[str, ...]
    size: int
    sha256: str
    content_sha256: str | None = None
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return self.relpath.rsplit("/", 1)[-1]


_MNIST_MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
)
_FASHION_MIRRORS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
)

# (stem, size, sha256 of the .gz, sha256 of the decompressed IDX file)
_MNIST = [
    ("train-images-idx3-ubyte", 9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", None),
    ("train-labels-idx1-ubyte", 28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", None),
    ("t10k-images-idx3-ubyte", 1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", None),
    ("t10k-labels-idx1-ubyte", 4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", None),
]
_FASHION = [
    (
        "train-images-idx3-ubyte",
        26421880,
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    (
        "train-labels-idx1-ubyte",
        29515,
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    (
        "t10k-images-idx3-ubyte",
        4422102,
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    (
        "t10k-labels-idx1-ubyte",
        5148,
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
]


def _idx_entries(dataset: str, label: str, mirrors: tuple[str, ...], table) -> list[RemoteFile]:
    entries = []
    for stem, size, sha, content_sha in table:
        short = stem.split("-idx")[0]  # e.g. "train-images"
        filename = f"{stem}.gz"
        entries.append(
            RemoteFile(
                name=f"{dataset}/{short}",
                relpath=f"{dataset}/{filename}",
                urls=tuple(m + filename for m in mirrors),
                size=size,
                sha256=sha,
                content_sha256=content_sha,
                description=f"{label} {short.replace('-', ' ')} (IDX, gzip)",
                tags=(dataset,),
            )
        )
    return entries


REGISTRY: dict[str, RemoteFile] = {}


def register(entry: RemoteFile) -> RemoteFile:
    """Add a file to the registry (later notebooks add theirs) and return it."""
    if entry.name in REGISTRY and REGISTRY[entry.name] != entry:
        raise ValueError(f"registry already has a different entry named {entry.name!r}")
    REGISTRY[entry.name] = entry
    return entry


for _entry in _idx_entries("mnist", "MNIST", _MNIST_MIRRORS, _MNIST) + _idx_entries(
    "fashion-mnist", "Fashion-MNIST", _FASHION_MIRRORS, _FASHION
):
    register(_entry)

register(
    RemoteFile(
        name="imagenet/class-index",
        relpath="imagenet/imagenet_class_index.json",
        urls=("https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json",),
        size=35363,
        sha256="a1e7a966a1f601d39e4b43e119b3e7dd4a2ad3ea08cf69847cbaf021013767bc",
        description="Keras's ImageNet class index: 1,000 WordNet synsets and their names",
        tags=("imagenet",),
    )
)


def get(name: str) -> RemoteFile:
    """Look a file up by name, with a helpful error listing the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"no file named {name!r} in the course registry; known: {known}") from None


# Modules that add their files to the registry when imported (weights, image archives).
REGISTERING_MODULES = ("course_utils.weights", "course_utils.imagefolders")


def load_all() -> dict[str, RemoteFile]:
    """The complete registry, including the files that later notebooks' modules add."""
    import importlib

    for module in REGISTERING_MODULES:
        importlib.import_module(module)
    return REGISTRY
