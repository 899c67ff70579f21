"""The checkers of notebook 04's exercises: right answers pass, the starters are "not done", wrong answers fail
with a hint that names the mistake."""

from __future__ import annotations

import numpy as np
import pytest
from checker_support import assert_failed, starter

from course_utils.checks import NOT_DONE, PASSED
from course_utils.checks import nb04 as check
from course_utils.lessons.convolution import (
    check_pool,
    conv2d_backward,
    conv_params,
    dense_params,
    max_pool2d,
    max_pool2d_backward,
    output_size,
    pad,
    padding_amounts,
    pair,
    receptive_fields,
    unpad,
    window_slice,
    window_view,
)

# ---------------------------------------------------------------- 04.1 dilation


def conv2d_dilated(x, w, b, stride=1, padding="valid", dilation=1, span_of=lambda k, d: (k - 1) * d + 1):
    (sh, sw), (dh, dw) = pair(stride, "stride"), pair(dilation, "dilation")
    span = (span_of(w.shape[0], dh), span_of(w.shape[1], dw))
    x_pad = pad(x, padding_amounts(x.shape, span, (sh, sw), padding))
    windows = window_view(x_pad, span, (sh, sw))[..., ::dh, ::dw]
    return np.tensordot(windows, w.transpose(2, 0, 1, 3), axes=([3, 4, 5], [0, 1, 2])) + b


def test_dilation_right_answer_passes():
    assert check.ex04_dilation(conv2d_dilated).status == PASSED


def test_dilation_starter_is_not_done():
    assert check.ex04_dilation(starter).status == NOT_DONE


def test_dilation_without_stride_is_rejected():
    def no_stride(x, w, b, stride=1, padding="valid", dilation=1):
        return conv2d_dilated(x, w, b, 1, padding, dilation)

    assert_failed(check.ex04_dilation(no_stride), "stride is missing")


def test_dilation_applied_as_stride_is_rejected():
    def as_stride(x, w, b, stride=1, padding="valid", dilation=1):
        return conv2d_dilated(x, w, b, dilation, padding, 1)

    assert_failed(check.ex04_dilation(as_stride), "dilation is applied as a stride")


def test_dilation_off_by_one_output_size_is_rejected():
    def one_short(x, w, b, stride=1, padding="valid", dilation=1):  # out = (in_pad − span) // s, without the + 1
        y = conv2d_dilated(x, w, b, stride, padding, dilation)
        return y[:, : y.shape[1] - 1, : y.shape[2] - 1]

    assert_failed(check.ex04_dilation(one_short), "Off by one", "span")


def test_dilation_span_d_times_k_is_rejected():
    def span_d_times_k(x, w, b, stride=1, padding="valid", dilation=1):  # d·k instead of d·(k − 1) + 1
        return conv2d_dilated(x, w, b, stride, padding, dilation, span_of=lambda k, d: k * d if d > 1 else k)

    assert_failed(check.ex04_dilation(span_d_times_k), "span = d·(k − 1) + 1")


def test_dilation_ignored_is_rejected():
    def undilated(x, w, b, stride=1, padding="valid", dilation=1):
        return conv2d_dilated(x, w, b, stride, padding, 1)

    assert_failed(check.ex04_dilation(undilated), "dilated")


def test_dilation_in_float32_is_rejected():
    def single(x, w, b, stride=1, padding="valid", dilation=1):
        return conv2d_dilated(
            x.astype(np.float32), w.astype(np.float32), b.astype(np.float32), stride, padding, dilation
        )

    assert_failed(check.ex04_dilation(single), "differs from the reference")


# ---------------------------------------------------------------- 04.2–04.4 the stack


LAYERS = [  # (kernel, stride, padding, dilation, channels out) of the stack
    (5, 2, "same", 1, 16),
    (3, 2, "valid", 1, 16),
    (3, 1, "valid", 2, 32),
    (3, 2, "same", 1, 64),
    (2, 2, "same", 1, 64),
]


def right_shapes(h=45, w=37):
    shape, shapes = (h, w), []
    for k, s, padding, d, channels in LAYERS:
        shape = tuple(output_size(n, d * (k - 1) + 1, s, padding) for n in shape)
        shapes.append((*shape, channels))
    return shapes


def test_shapes_right_answer_passes():
    assert check.ex04_stack_shapes(right_shapes()).status == PASSED
    assert check.ex04_stack_shapes([list(s) for s in right_shapes()]).status == PASSED  # lists are fine


def test_shapes_none_is_not_done():
    assert check.ex04_stack_shapes(None).status == NOT_DONE


def test_shapes_wrong_answers_name_the_layer_and_the_direction():
    floor_for_same = right_shapes()
    floor_for_same[0] = (22, 18, 16)  # floor(in / 2) instead of ceil
    assert_failed(check.ex04_stack_shapes(floor_for_same), "layer 1", "height is too low", "ceil(in / s)")
    no_dilation = right_shapes()
    no_dilation[2] = (9, 7, 32)  # a 3-pixel span instead of 5
    assert_failed(check.ex04_stack_shapes(no_dilation), "layer 3", "too high", "span = d·(k − 1) + 1")
    pool_changes_channels = right_shapes()
    pool_changes_channels[1] = (11, 9, 32)
    assert_failed(check.ex04_stack_shapes(pool_changes_channels), "layer 2", "channels are too high", "keeps")
    assert_failed(check.ex04_stack_shapes(right_shapes()[:4]), "a list of 5")


def right_params(h, w):
    convs = conv_params(5, 5, 3, 16) + conv_params(3, 3, 16, 32) + conv_params(3, 3, 32, 64)
    return convs + dense_params(int(np.prod(right_shapes(h, w)[-1])), check.HEAD_UNITS)


def test_parameters_right_answer_passes():
    answer = (right_params(45, 37), right_params(90, 74))
    assert check.ex04_parameters(answer).status == PASSED


def test_parameters_none_is_not_done():
    assert check.ex04_parameters(None).status == NOT_DONE


def test_parameters_wrong_answers_are_rejected():
    small, large = right_params(45, 37), right_params(90, 74)
    biases = 16 + 32 + 64 + check.HEAD_UNITS
    assert_failed(check.ex04_parameters((small - biases, large - biases)), "45x37x3", "biases")
    assert_failed(check.ex04_parameters((small, small)), "90x74x3", "too low", "Flatten")  # size-independent dense
    assert_failed(check.ex04_parameters((small + 1, large)), "too high")
    assert_failed(check.ex04_parameters(small), "predicted_params")


def right_receptive_fields():
    return [r for r, _ in receptive_fields([(5, 2), (3, 2), (5, 1), (3, 2), (2, 2)])]


def test_receptive_field_reference_is_the_lesson_formula():
    # the checker measures with GradientTape; the lesson's recursion with spans d·(k − 1) + 1 must agree
    assert check.measured_receptive_fields() == right_receptive_fields()


def test_receptive_fields_right_answer_passes():
    assert check.ex04_receptive_fields(right_receptive_fields()).status == PASSED


def test_receptive_fields_none_is_not_done():
    assert check.ex04_receptive_fields(None).status == NOT_DONE


def test_receptive_fields_wrong_answers_are_rejected():
    no_dilation = [r for r, _ in receptive_fields([(5, 2), (3, 2), (3, 1), (3, 2), (2, 2)])]
    assert_failed(check.ex04_receptive_fields(no_dilation), "layer 3", "too low", "span")
    pools_ignored = [5, 5, 17, 25, 25]  # pools skipped, and their strides forgotten
    assert_failed(check.ex04_receptive_fields(pools_ignored), "layer 2", "too low")
    jump_not_growing = [r for r, _ in receptive_fields([(5, 1), (3, 1), (5, 1), (3, 1), (2, 1)])]
    assert_failed(check.ex04_receptive_fields(jump_not_growing), "layer 2", "j ← j·s")


# ---------------------------------------------------------------- 04.5 max-pool ties


def max_pool2d_backward_split(dy, x, pool=2, stride=None, padding="valid", rule="split"):
    pool, stride, pads = check_pool(x, pool, stride, padding)
    x_pad = pad(x, pads, -np.inf)
    y = max_pool2d(x, pool, stride, padding)
    offsets = [window_slice(p, q, y.shape[1:3], stride) for p in range(pool[0]) for q in range(pool[1])]
    ties = sum(x_pad[s] == y for s in offsets)
    dx_pad = np.zeros(x_pad.shape)
    for s in offsets:
        dx_pad[s] += (x_pad[s] == y) * dy / (ties if rule == "split" else 1)
    return unpad(dx_pad, pads)


def test_tie_references_agree():
    rng = np.random.default_rng(0)
    for case in check._tie_cases():
        x = rng.integers(0, 3, case["shape"]).astype(np.float64)
        args = (case["pool"], case["stride"], case["padding"])
        dy = rng.standard_normal(max_pool2d(x, *args).shape)
        tape = check.tape_split_reference(dy, x, *args)
        np.testing.assert_allclose(tape, check.loop_max_backward(dy, x, *args, "split"), atol=1e-12)
        np.testing.assert_allclose(max_pool2d_backward_split(dy, x, *args), tape, atol=1e-12)
        # the lesson's rule is the first maximum
        np.testing.assert_allclose(max_pool2d_backward(dy, x, *args), check.loop_max_backward(dy, x, *args, "first"))


def test_ties_right_answer_passes():
    assert check.ex04_pool_ties(max_pool2d_backward_split).status == PASSED


def test_ties_starter_is_not_done():
    assert check.ex04_pool_ties(starter).status == NOT_DONE


def test_ties_wrong_rules_are_rejected():
    def every_max(dy, x, pool=2, stride=None, padding="valid"):
        return max_pool2d_backward_split(dy, x, pool, stride, padding, rule="all")

    def last_max(dy, x, pool=2, stride=None, padding="valid"):  # the first maximum of the flipped windows
        flipped = max_pool2d_backward(dy[:, ::-1, ::-1], x[:, ::-1, ::-1], pool, stride, padding)
        return flipped[:, ::-1, ::-1]

    def double(dy, x, pool=2, stride=None, padding="valid"):
        return 2 * max_pool2d_backward_split(dy, x, pool, stride, padding)

    assert_failed(check.ex04_pool_ties(every_max), "every tied maximum got the whole gradient")
    assert_failed(check.ex04_pool_ties(max_pool2d_backward), "first tied maximum")
    assert_failed(check.ex04_pool_ties(last_max), "last tied maximum")
    assert_failed(check.ex04_pool_ties(double), "adds up to")


def test_last_max_rule_really_is_the_last():
    # the flipped-window trick above gives the last maximum in reading order when windows tile the input
    x = np.ones((1, 2, 2, 1))
    dy = np.ones((1, 1, 1, 1))
    flipped = max_pool2d_backward(dy, x[:, ::-1, ::-1], 2)[:, ::-1, ::-1]
    np.testing.assert_array_equal(flipped, check.loop_max_backward(dy, x, 2, None, "valid", "last"))


# ---------------------------------------------------------------- 04.6 the effective receptive field


def effective_rf(kernels, signed=False, theoretical=False):
    size = 1 + sum(k.shape[0] - 1 for k in kernels)
    if theoretical:
        return size
    inputs = []
    for k in kernels:
        inputs.append(np.zeros((1, size, size, k.shape[2])))
        size -= k.shape[0] - 1
    dy = np.zeros((1, 1, 1, kernels[-1].shape[3]))
    dy[0, 0, 0, 0] = 1.0
    for k, x in zip(kernels[::-1], inputs[::-1], strict=True):
        dy = conv2d_backward(dy, x, k)[0]
    mass = dy if signed else np.abs(dy)
    rows = np.sort(mass.sum(axis=(0, 2, 3)))[::-1]
    return int(np.searchsorted(np.cumsum(rows) / rows.sum(), 0.9) + 1)


def experiment(function=effective_rf, depths=check.ERF_DEPTHS, channels=4, seed=42):
    rng = np.random.default_rng(seed)
    return {
        depth: float(
            np.mean(
                [function([rng.standard_normal((3, 3, channels, channels)) for _ in range(depth)]) for _ in range(20)]
            )
        )
        for depth in depths
    }


@pytest.fixture(scope="module")
def erf_by_depth():
    return experiment()


def test_effective_rf_right_answer_passes(erf_by_depth):
    verdict = check.ex04_effective_rf(effective_rf, erf_by_depth)
    assert verdict.status == PASSED, verdict
    assert "depth 16" in verdict.message


def test_effective_rf_ranges_hold_for_other_seeds():
    for seed in (1, 2):
        means = experiment(seed=seed)
        assert all(low <= means[d] <= high for d, (low, high) in check.ERF_RANGES.items()), means


def test_effective_rf_starters_are_not_done(erf_by_depth):
    assert check.ex04_effective_rf(starter, None).status == NOT_DONE
    assert check.ex04_effective_rf(effective_rf, None).status == NOT_DONE


def test_effective_rf_wrong_functions_are_rejected(erf_by_depth):
    def theoretical(kernels):
        return effective_rf(kernels, theoretical=True)

    def signed(kernels):
        return effective_rf(kernels, signed=True)

    assert_failed(check.ex04_effective_rf(theoretical, erf_by_depth), "theoretical receptive field")
    assert_failed(check.ex04_effective_rf(signed, erf_by_depth), "|dL/dx|")


def test_effective_rf_wrong_experiments_are_rejected(erf_by_depth):
    theoretical = {d: 2 * d + 1 for d in check.ERF_DEPTHS}
    assert_failed(check.ex04_effective_rf(effective_rf, theoretical), "depth 4", "too high")
    one_channel = experiment(channels=1)
    assert_failed(check.ex04_effective_rf(effective_rf, one_channel), "channels")
    missing = {d: v for d, v in erf_by_depth.items() if d != 16}
    assert_failed(check.ex04_effective_rf(effective_rf, missing), "as keys")
