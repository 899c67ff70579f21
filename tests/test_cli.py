"""The command line: ``python -m course_utils data ...`` and ``check``."""

from __future__ import annotations

from conftest import PROJECT_ROOT

from course_utils.harness.cli import main


def test_data_list_shows_every_registered_file(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for name in (
        "mnist/train-images",
        "fashion-mnist/t10k-labels",
        "imagenet/class-index",
        "weights/vgg16-imagenet",
        "imagenette/imagenette2-160",
    ):
        assert name in out


def test_data_fetch_and_verify_one_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert main(["data", "fetch", "mnist/t10k-labels"]) == 0
    assert (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").is_file()
    assert main(["data", "verify", "mnist/t10k-labels"]) == 0
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(b"broken")
    assert main(["data", "verify", "mnist/t10k-labels"]) == 1
    assert "size" in capsys.readouterr().out


def test_unknown_name_is_a_clear_error(capsys):
    assert main(["data", "fetch", "no/such-file"]) == 2
    assert "known:" in capsys.readouterr().err


def test_check_passes_on_committed_notebooks(capsys):
    assert main(["check", str(PROJECT_ROOT / "notebooks" / "00_start_here.ipynb")]) == 0


def test_unusable_cache_is_a_clear_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "a-file"))
    assert main(["data", "verify", "mnist/t10k-labels"]) == 2
    assert "COURSE_DATA_DIR" in capsys.readouterr().err
