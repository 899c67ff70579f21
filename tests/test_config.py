"""Environment switches: fast mode, headless runs, the cache and the mirror."""

from __future__ import annotations

from course_utils import config


def test_fast_mode_from_parameter_or_environment(monkeypatch):
    monkeypatch.delenv("COURSE_FAST", raising=False)
    assert config.fast_mode(False) is False
    assert config.fast_mode(True) is True
    monkeypatch.setenv("COURSE_FAST", "1")
    assert config.fast_mode(False) is True


def test_headless(monkeypatch):
    monkeypatch.delenv("COURSE_HEADLESS", raising=False)
    assert config.headless() is False
    monkeypatch.setenv("COURSE_HEADLESS", "yes")
    assert config.headless() is True


def test_data_dir_and_mirror(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    assert config.data_dir() == tmp_path / "cache" and (tmp_path / "cache").is_dir()
    monkeypatch.setenv("COURSE_DATA_MIRROR", "  ")
    assert config.data_mirror() is None


def test_relative_paths_are_taken_from_the_project_root(monkeypatch, tmp_path):
    root = tmp_path / "project"
    monkeypatch.setattr(config, "PROJECT_ROOT", root)
    monkeypatch.chdir(tmp_path)  # a notebook kernel runs in notebooks/, not at the root
    monkeypatch.setenv("COURSE_DATA_MIRROR", "../shared/data")
    assert config.data_mirror() == str(tmp_path / "shared" / "data")
    monkeypatch.setenv("COURSE_DATA_MIRROR", "https://example.org/course-data/")
    assert config.data_mirror() == "https://example.org/course-data/"
    monkeypatch.setenv("COURSE_DATA_DIR", "build/cache")
    assert config.data_dir() == root / "build" / "cache" and (root / "build" / "cache").is_dir()
