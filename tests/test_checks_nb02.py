"""Checks of notebook 02's exercises: right answers pass, starters are "not done", wrong ones fail with a hint."""

from __future__ import annotations

import time

import numpy as np
import pytest
import tensorflow as tf
from checker_support import assert_failed, starter

from course_utils.checks import NOT_DONE, PASSED
from course_utils.checks import nb02 as check

# --- 02.1 near-duplicates -------------------------------------------------------------------


def near_duplicate_pairs(reference, others, max_diff, threshold=127):
    a = (np.asarray(others) > threshold).reshape(len(others), -1).astype(np.float32)
    b = (np.asarray(reference) > threshold).reshape(len(reference), -1).astype(np.float32)
    differing = np.rint(a.sum(axis=1)[:, None] + b.sum(axis=1)[None, :] - 2 * a @ b.T)
    i, j = np.nonzero(differing <= max_diff)
    return list(zip(i.tolist(), j.tolist(), strict=True))


def pairs_strictly_below(reference, others, max_diff, threshold=127):
    a = (np.asarray(others) > threshold).reshape(len(others), -1)
    b = (np.asarray(reference) > threshold).reshape(len(reference), -1)
    d = (a[:, None, :] != b[None, :, :]).sum(axis=2)
    return list(zip(*[v.tolist() for v in np.nonzero(d < max_diff)], strict=True))


def pairs_of_grey_levels(reference, others, max_diff, threshold=127):
    a, b = np.asarray(others).reshape(len(others), -1), np.asarray(reference).reshape(len(reference), -1)
    d = (a[:, None, :] != b[None, :, :]).sum(axis=2)
    return list(zip(*[v.tolist() for v in np.nonzero(d <= max_diff)], strict=True))


def pairs_at_or_above_threshold(reference, others, max_diff, threshold=127):
    return near_duplicate_pairs(reference, others, max_diff, threshold - 1e-3)  # pixel >= threshold


def pairs_by_uint8_product(reference, others, max_diff, threshold=127):
    a = (np.asarray(others) > threshold).reshape(len(others), -1).astype(np.uint8)
    b = (np.asarray(reference) > threshold).reshape(len(reference), -1).astype(np.uint8)
    differing = a.sum(axis=1, dtype=np.uint8)[:, None] + b.sum(axis=1, dtype=np.uint8)[None, :] - 2 * (a @ b.T)
    i, j = np.nonzero(differing <= max_diff)
    return list(zip(i.tolist(), j.tolist(), strict=True))


def first_match_only(reference, others, max_diff, threshold=127):
    first = {}
    for i, j in near_duplicate_pairs(reference, others, max_diff, threshold):
        first.setdefault(i, j)
    return sorted(first.items())


def test_near_duplicates_right_answer_passes():
    verdict = check.ex02_near_duplicates(near_duplicate_pairs)
    assert verdict.status == PASSED, verdict


def test_near_duplicates_brute_force_array_answer_passes():
    def brute_force(reference, others, max_diff, threshold=127):
        a = (np.asarray(others) > threshold).reshape(len(others), -1)
        b = (np.asarray(reference) > threshold).reshape(len(reference), -1)
        return np.argwhere((a[:, None, :] != b[None, :, :]).sum(axis=2) <= max_diff)  # an (n, 2) array

    assert check.ex02_near_duplicates(brute_force).status == PASSED


def test_near_duplicates_starter_is_not_done():
    assert check.ex02_near_duplicates(starter).status == NOT_DONE


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (pairs_strictly_below, "≤, not <"),
        (pairs_of_grey_levels, "compare the images after thresholding"),
        (pairs_at_or_above_threshold, "a pixel equal to the threshold is black"),
        (pairs_by_uint8_product, "wrap around in uint8"),
        (first_match_only, "only the first match"),
        (lambda r, o, m, t=127: near_duplicate_pairs(r, o, m, t)[::-1], "not in order"),
        (lambda r, o, m, t=127: None, "did you forget a `return`"),
    ],
)
def test_near_duplicates_wrong_answers_fail_with_a_hint(wrong, phrase):
    assert_failed(check.ex02_near_duplicates(wrong), phrase)


# --- 02.2 per-channel standardiser ----------------------------------------------------------


def standardise_per_channel(train, test):
    train, test = np.asarray(train, np.float64), np.asarray(test, np.float64)
    axes = tuple(range(train.ndim - 1))
    mean, std = train.mean(axis=axes), train.std(axis=axes)
    std = np.where(std == 0, 1.0, std)
    return (train - mean) / std, (test - mean) / std


def per_pixel(train, test):
    train, test = np.asarray(train, np.float64), np.asarray(test, np.float64)
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std == 0, 1.0, std)
    return (train - mean) / std, (test - mean) / std


def fitted_on_train_and_test(train, test):
    both = np.concatenate(
        [np.asarray(train, np.float64).reshape(-1, train.shape[-1]), test.reshape(-1, test.shape[-1])]
    )
    mean, std = both.mean(axis=0), both.std(axis=0)
    std = np.where(std == 0, 1.0, std)
    return (train - mean) / std, (test - mean) / std


def eps_floor(train, test):
    flat = np.asarray(train, np.float64).reshape(-1, train.shape[-1])
    mean, std = flat.mean(axis=0), np.maximum(flat.std(axis=0), 1e-7)
    return (train - mean) / std, (test - mean) / std


def no_constant_handling(train, test):
    axes = tuple(range(train.ndim - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (train - train.mean(axis=axes)) / train.std(axis=axes), (test - train.mean(axis=axes)) / train.std(
            axis=axes
        )


def sample_std(train, test):
    flat = np.asarray(train, np.float64).reshape(-1, train.shape[-1])
    mean, std = flat.mean(axis=0), flat.std(axis=0, ddof=1)
    std = np.where(std == 0, 1.0, std)
    return (train - mean) / std, (test - mean) / std


def one_std_for_all_channels(train, test):
    train, test = np.asarray(train, np.float64), np.asarray(test, np.float64)
    return (train - train.mean()) / train.std(), (test - train.mean()) / train.std()


def own_statistics_for_the_test_images(train, test):
    return standardise_per_channel(train, train)[0], standardise_per_channel(test, test)[0]


def in_place(train, test):
    if train.dtype.kind == "f":
        train -= train.mean()
    return standardise_per_channel(train, test)


def test_channel_standardiser_right_answer_passes():
    verdict = check.ex02_channel_standardiser(standardise_per_channel)
    assert verdict.status == PASSED, verdict


def test_channel_standardiser_float32_and_tensorflow_answers_pass():
    def in_float32(train, test):
        train, test = np.asarray(train, np.float32), np.asarray(test, np.float32)
        mean, std = train.mean(axis=(0, 1, 2)), train.std(axis=(0, 1, 2))
        std[std == 0] = 1
        return (train - mean) / std, (test - mean) / std

    def with_tensorflow(train, test):
        x = tf.cast(train, tf.float32)
        mean, variance = tf.nn.moments(x, axes=[0, 1, 2])
        std = tf.where(variance == 0, 1.0, tf.sqrt(variance))
        return ((x - mean) / std).numpy(), ((tf.cast(test, tf.float32) - mean) / std).numpy()

    assert check.ex02_channel_standardiser(in_float32).status == PASSED
    assert check.ex02_channel_standardiser(with_tensorflow).status == PASSED


def test_channel_standardiser_lesson_standardiser_passes():
    from course_utils.lessons.preprocessing import Standardiser

    def with_the_lesson(train, test):
        scaler = Standardiser(per_channel=True).fit(train)  # divides a constant channel by 1, as StandardScaler
        return scaler.transform(train), scaler.transform(test)

    assert check.ex02_channel_standardiser(with_the_lesson).status == PASSED


def test_channel_standardiser_starter_is_not_done():
    assert check.ex02_channel_standardiser(starter).status == NOT_DONE


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (per_pixel, "statistics per pixel"),
        (fitted_on_train_and_test, "include the test images"),
        (eps_floor, "scale 1"),
        (no_constant_handling, "NaN or inf"),
        (sample_std, "ddof"),
        (one_std_for_all_channels, "each channel needs its own"),
        (own_statistics_for_the_test_images, "apply the training statistics"),
        (in_place, "in place"),
        (lambda train, test: standardise_per_channel(train, test)[0], "return a pair"),
    ],
)
def test_channel_standardiser_wrong_answers_fail_with_a_hint(wrong, phrase):
    assert_failed(check.ex02_channel_standardiser(wrong), phrase)


# --- 02.3 batches per epoch -----------------------------------------------------------------

RIGHT_BATCHES = (469, 96, 468, 1404, 1406)


def test_batches_right_answer_passes_and_none_is_not_done():
    assert check.ex02_batches_per_epoch(RIGHT_BATCHES).status == PASSED
    assert check.ex02_batches_per_epoch(None).status == NOT_DONE


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        ((468, 96, 468, 1404, 1406), "(a) batches of ds.batch(128): 468 is too low"),
        ((469, 32, 468, 1404, 1406), "(b) images in the last batch"),
        ((469, 96, 469, 1404, 1406), "round down"),
        ((469, 96, 468, 1406, 1404), "swapped"),
        ((469, 96, 468, 1407, 1406), "drops its own partial batch"),
        ((468.75, 96, 468, 1404, 1406), "not a whole number"),
        ((469, 96, 468), "give 5 numbers"),
    ],
)
def test_batches_wrong_answers_fail_with_a_hint(wrong, phrase):
    assert_failed(check.ex02_batches_per_epoch(wrong), phrase)


# --- 02.4 cache and map calls ---------------------------------------------------------------


def test_cache_calls_right_answer_passes_and_none_is_not_done():
    assert check.ex02_cache_calls((200, 600, 600, 250)).status == PASSED
    assert check.ex02_cache_calls(None).status == NOT_DONE


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        ((600, 600, 600, 250), "(a): 600 calls is too high"),
        ((200, 200, 600, 250), "the map still runs in every epoch"),
        ((200, 600, 200, 250), "its own cache"),
        ((200, 600, 600, 200), "thrown away"),
    ],
)
def test_cache_calls_wrong_answers_fail_with_a_hint(wrong, phrase):
    assert_failed(check.ex02_cache_calls(wrong), phrase)


# --- 02.5 prefetch --------------------------------------------------------------------------


def slow_load(batch):
    def load(b):
        time.sleep(check.STEP)
        return b

    return tf.py_function(load, [batch], tf.int64)


def pipeline(prefetch, inject=False, parallel=False):
    ds = tf.data.Dataset.range(256).batch(32)
    ds = ds.map(slow_load, num_parallel_calls=tf.data.AUTOTUNE) if parallel else ds.map(slow_load)
    options = tf.data.Options()
    options.experimental_optimization.inject_prefetch = inject
    ds = ds.with_options(options)
    return ds.prefetch(1) if prefetch else ds


def test_prefetch_right_answer_passes():
    # the speed-up a learner records is timed in the notebook; here the checker's own timing of the pipelines
    # (one-sided: sleeps never end early) is what is tested, with a value the experiment gives on a quiet machine
    verdict = check.ex02_prefetch(pipeline, 1.7)
    assert verdict.status == PASSED, verdict


def test_prefetch_starter_is_not_done():
    assert check.ex02_prefetch(starter, None).status == NOT_DONE


@pytest.mark.parametrize(
    ("wrong", "speedup", "phrase"),
    [
        (lambda prefetch: pipeline(prefetch, inject=True), 1.8, "inject_prefetch"),
        (lambda prefetch: pipeline(prefetch, parallel=True), 1.8, "num_parallel_calls"),
        (lambda prefetch: tf.data.Dataset.range(256).batch(32), 1.8, "must go through slow_load"),
        (lambda prefetch: pipeline(prefetch).unbatch().batch(16), 1.8, "batches of 32"),
        (pipeline, 1 / 1.8, "divide the time WITHOUT prefetch"),
        (pipeline, 1.02, "below the range"),
        (pipeline, 8.0, "at best 2n / (n + 1)"),
    ],
)
def test_prefetch_wrong_answers_fail_with_a_hint(wrong, speedup, phrase):
    assert_failed(check.ex02_prefetch(wrong, speedup), phrase)
