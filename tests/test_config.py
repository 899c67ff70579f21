"""Environment switches: fast mode, headless runs, the cache and the mirror."""

from __future__ import annotations

import os

import pytest

from course_utils.harness import config


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


def test_data_dir_that_is_a_file_names_the_variable_path_and_fix(monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "a-file"))
    with pytest.raises(config.DataDirError) as info:
        config.data_dir()
    message = str(info.value)
    for part in ("COURSE_DATA_DIR=", str(tmp_path / "a-file"), "is a file, not a folder", "Set COURSE_DATA_DIR to"):
        assert part in message


def test_data_dir_under_a_file_cannot_be_created(monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "a-file" / "cache"))
    with pytest.raises(config.DataDirError, match="cannot be created: part of that path is a file"):
        config.data_dir()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_data_dir(monkeypatch, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    for value, problem in ((locked, "cannot write to"), (locked / "cache", "cannot be created")):
        monkeypatch.setenv("COURSE_DATA_DIR", str(value))
        with pytest.raises(config.DataDirError, match=problem):
            config.data_dir()


def test_folder_reported_unwritable_by_the_system(monkeypatch, tmp_path):
    monkeypatch.setattr(config.os, "access", lambda path, mode: False)
    with pytest.raises(config.DataDirError, match=r"which is a folder this user cannot write to\.\nSet COURSE"):
        config.writable_folder(tmp_path, "COURSE_DATA_DIR='x'")
