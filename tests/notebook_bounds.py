"""Bounds on what each notebook records in fast mode: the one place they are declared.

A bound is ``(low, high)`` for a number (inclusive; ``None`` for open-ended) or any other
value for exact equality. Every notebook must record every name listed for it.
"""

from __future__ import annotations

BOUNDS: dict[str, dict[str, object]] = {
    "00_start_here": {
        "python_supported": True,
        "keras_major": 3,
        "notebooks_in_course": 8,
        "mnist_train_images": 60000,
    },
    # Each notebook's bounds below are edited only by whoever works on that notebook.
    "01_datasets_mnist_to_imagenet": {
        "mnist_train_images": 60000,
        "mnist_test_images": 10000,
        "mnist_image_shape": [28, 28],
        "mnist_idx_magic_images": 0x00000803,
        "mnist_idx_magic_labels": 0x00000801,
        "mnist_memory_bytes": 54_950_000,
        "mnist_download_bytes": 11_594_722,
        "mnist_class_count_min": 5421,
        "mnist_class_count_max": 6742,
        "mnist_nearest_mean_accuracy": (0.78, 0.86),
        "fashion_train_images": 60000,
        "fashion_test_images": 10000,
        "fashion_class_count": 6000,
        "fashion_nearest_mean_accuracy": (0.62, 0.72),
        "imagenet_classes": 1000,
        "imagenet_duplicate_names": 2,
        "photo_224_shape": [224, 224, 3],
        "photo_299_shape": [299, 299, 3],
        "comparison_rows": 4,
        "mnist_background_fraction": (0.80, 0.82),  # the whole training set in both modes (0.8088)
        "mobilenet_v2_default_input": 224,
        "xception_default_input": 299,
    },
    "02_preprocessing": {
        # computed on the whole of MNIST / Fashion-MNIST in fast mode too: exact facts
        "mnist_train_duplicate_groups": 0,
        "mnist_train_extra_copies": 0,
        "mnist_test_duplicate_groups": 0,
        "mnist_test_in_train": 0,
        "fashion_train_duplicate_groups": 0,
        "fashion_test_in_train": 0,
        "mnist_test_in_train_thresholded": 9,
        "mnist_train_class_counts": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
        "skipped_corrupt_files": 2,
        "png_round_trip_equal": True,
        # the whole MNIST training set in both modes: exact facts
        "mnist_constant_pixels": 67,
        "mnist_test_images_inked_on_constant_pixels": (1, None),
        "max_abs_z_std_floored": (1e5, None),  # ink / 1e-7 at a pixel constant in training
        "max_abs_z_at_constant_pixels": (0.0, 1.0),  # divided by 1: at most the ink value
        "leaked_mean_shift_in_stds": (0.0, 0.01),  # 10,000 test images added to 60,000: hardly moves
        # 200 draws of random labels on 50 + 50 images, same in both modes (measured: leaky 0.66, honest 0.51)
        "feature_selection_leaky_accuracy": (0.60, 0.72),
        "feature_selection_honest_accuracy": (0.45, 0.56),
        "loss_onehot_minus_sparse": (0.0, 1e-5),
        "vgg16_preprocess_matches_keras": True,
        "mobilenet_v2_preprocess_matches_keras": True,
        # 10,000 images, 3 epochs (measured: raw 0.887, scaled 0.920)
        "accuracy_raw_pixels": (0.6, 0.97),
        "accuracy_scaled_pixels": (0.88, 1.0),
        "accuracy_gain_from_scaling": (0.0, None),
    },
    "03_data_augmentation": {
        "seeds": 1,
        "test_accuracy_without_mean": (0.70, 1.0),
        "test_accuracy_with_mean": (0.60, 1.0),
        "test_accuracy_without_std": (0.0, 0.0),
        "test_accuracy_with_std": (0.0, 0.0),
        "augmentation_gain_mean": (-0.25, 0.15),
        "augmentation_gain_std": (0.0, 0.0),
        "test_accuracy_label_changing": (0.10, 0.80),
        "upside_down_six_read_as_nine": (0.05, 0.90),
        "parallel_speedup_tf_image": (0.05, 20.0),
    },
    "04_convolution_and_pooling": {
        "configs_checked": 30,
        "conv_forward_max_error_vs_tf": (0.0, 1e-10),
        "pool_forward_max_error_vs_tf": (0.0, 1e-10),
        "backward_max_error_vs_tape": (0.0, 1e-10),
        "backward_max_error_vs_numeric": (0.0, 1e-6),
        "cnn_params": 421642,
        "vgg16_params": 138357544,
        "vgg16_receptive_field": 212,
        "cnn_test_accuracy": (0.75, 1.0),
        "speedup_numpy_vs_loops": (20.0, None),
        # TensorFlow's known defects, counted on random layers: with oneDNN off, no float32 convolution is wrong
        "tf_float32_conv_configs": 100,
        "avg_pool_tape_defect_configs": 100,
        "onednn_off_conv_wrong": 0,
        # the first layer's filters move during training (measured: median change 27% of their size)
        "conv1_median_change": (0.05, None),
    },
    "05_fcn_and_cnn_on_mnist": {
        # FCN: 2 epochs, 10% of the 60,000 held out (measured: 0.9572, loss 0.142, lowest recall 0.910)
        "fcn_test_accuracy": (0.95, 1.0),
        "fcn_test_loss": (0.0, 0.25),
        "fcn_lowest_recall": (0.85, 1.0),
        # variants: 15,000 images, 2 epochs (measured: 0.9443, 'all together', the best on validation)
        "best_improved_fcn_test_accuracy": (0.94, 1.0),
        # CNN (16, 32): 25,000 images, 3 epochs (measured: 0.9718)
        "cnn_test_accuracy": (0.965, 1.0),
        "cnn_parameters": 206922,  # build_cnn(filters=(16, 32)), the fast-mode CNN
        "cnn_conv_parameters": 4800,
        "fcn_seconds_per_epoch": (0.0, None),
        "cnn_seconds_per_epoch": (0.0, None),
        "rerun_max_weight_difference": (0.0, 1e-3),
        "rerun_accuracy_difference": (0.0, 0.005),
        # every variant above 0.9 (measured: lowest 0.9105, the cosine schedule after 2 epochs)
        "lowest_variant_test_accuracy": (0.9, 1.0),
        "cnn_test_errors": (0, 350),  # as cnn_test_accuracy >= 0.965 (measured: 282)
        # 20-layer ReLU stacks, 3,000 images, 1 epoch (measured: He 0.435; N(0, 0.01²) 0.1135, all "1")
        "init_he_test_accuracy": (0.2, 1.0),
        "init_small_test_accuracy": (0.0, 0.2),
        # confident learning on the fast CNN's 2,500 validation images
        "label_issue_candidates": (1, 100),
        "label_issue_rate": (0.0, 0.04),
    },
    "06_vgg16_transfer_learning": {
        # exact architecture facts
        "vgg16_parameters": 138_357_544,
        "vgg16_conv_base_parameters": 14_714_688,
        "vgg16_gmacs": (15.3, 15.6),
        "mobilenet_v2_parameters": 3_538_984,
        "vgg16_gflops": (30.0, 32.0),
        "mobilenet_v2_gflops": (0.55, 0.7),
        # MobileNetV2 with the mirror's ImageNet weights finds the cat, the espresso, the palace
        "mobilenet_v2_photo_hits": 3,
        # 600 + 300 Fashion-MNIST images at 96x96 (measured: 0.787, 0.800, 0.760, small CNN 0.733)
        "feature_extraction_val_accuracy": (0.65, 1.0),
        "end_to_end_val_accuracy": (0.6, 1.0),
        "fine_tuned_val_accuracy": (0.6, 1.0),
        "scratch_cnn_val_accuracy": (0.5, 1.0),
        "transfer_gain_over_scratch_cnn": (-0.1, 0.2),  # measured +0.053 (noise: 0.047)
        # MobileNetV2 from scratch, 2 epochs: still at chance on validation (measured 0.100, training 0.518)
        "from_scratch_val_accuracy": (0.05, 0.6),
        "transfer_gain_over_same_architecture": (0.2, None),
        # weights unfreeze_last_block trains: VGG16's block5, MobileNetV2's block_16 + Conv_1 (BatchNorm frozen)
        "vgg16_fine_tuned_base_weights": 7_079_424,
        "mobilenet_v2_fine_tuned_base_weights": 879_040,
        # learning curve 5 / 20 / 60 per class (measured: features 0.613 / 0.777 / 0.783, CNN 0.663 / 0.733 / 0.733)
        "curve_features_accuracy_fewest": (0.45, 0.75),
        "curve_scratch_accuracy_fewest": (0.45, 0.8),
        "curve_gain_fewest": (-0.2, 0.15),
        "curve_gain_all": (-0.05, 0.15),
        # softmax vs pre-softmax gradient norm on the espresso photo, p = 0.94 (measured 0.032)
        "saturation_gradient_ratio": (0.02, 0.05),
        "mobilenet_v2_cpu_latency_ms": (0.1, 2000.0),
        "vgg16_cpu_latency_ms": (1.0, 20000.0),
        # the course text's VGG16 code: one training photo, two test photos (accuracy 0, 0.5 or 1; measured 0)
        "course_code_test_accuracy": (0.0, 0.5),
        # MobileNetV2's own top on six photos, before and after the course text's recipe (1 Adam step at 1e-3)
        # and a low rate (1e-5); measured 0.584, 0.207, 0.583
        "course_code_shipped_confidence": (0.55, 0.62),
        "course_code_confidence_after_recipe": (0.0, 0.45),
        "course_code_confidence_after_low_rate": (0.50, 0.62),
    },
    "07_where_next": {
        # fast mode: sizes 100 / 1,000 / 4,000, 2,000 test images, short training
        # (measured: FCN 0.718 / 0.885, CNN 0.753 / 0.934, CNN + augmentation 0.697 / 0.924)
        "scarcity_fcn_accuracy_at_100": (0.55, 0.85),
        "scarcity_fcn_accuracy_at_largest": (0.80, 0.95),
        "scarcity_cnn_accuracy_at_100": (0.55, 0.90),
        "scarcity_cnn_accuracy_at_largest": (0.88, 0.99),
        "scarcity_cnn_augmented_accuracy_at_100": (0.45, 0.90),
        "scarcity_cnn_augmented_accuracy_at_largest": (0.85, 0.99),
        # Fashion-MNIST, 500 labels (measured: frozen 0.743, fine-tuned 0.728, scratch 0.720)
        "fashion_frozen_accuracy": (0.60, 0.85),
        "fashion_finetuned_accuracy": (0.60, 0.85),
        "fashion_scratch_accuracy": (0.60, 0.85),
        "ae_reconstruction_mse_2d": (0.03, 0.07),
        "ae_reconstruction_mse_16d": (0.01, 0.05),
        # 100 labels (measured: pixels 0.675, PCA 0.692, 2-D code 0.412, 16-D code 0.714)
        "ssl_pixels_100_labels_accuracy": (0.60, 0.75),
        "ssl_pca16_100_labels_accuracy": (0.60, 0.78),
        "ssl_ae2_100_labels_accuracy": (0.25, 0.65),
        "ssl_ae16_100_labels_accuracy": (0.60, 0.85),
        # |grad p| / |grad z|, medians over 500 digits (measured: 0.0038 confident half, 0.097 the other)
        "saliency_softmax_gradient_ratio_confident": (0.0, 0.03),
        "saliency_softmax_gradient_ratio_less_confident": (0.02, 0.5),
        # cascading randomisation, 12 digits, similarity to the trained maps (measured: |gradient| 0.31 after the
        # output layer, 0.44 after all; signed 0.007; SSIM 0.15; Grad-CAM 0.009 and 0.24): well below 1 = passes
        "sanity_gradient_abs_spearman_top": (0.0, 0.7),
        "sanity_gradient_abs_spearman_all": (0.1, 0.75),
        "sanity_gradient_signed_spearman_all": (-0.2, 0.2),
        "sanity_gradient_ssim_all": (0.0, 0.5),
        "sanity_gradcam_spearman_top": (-0.3, 0.6),
        "sanity_gradcam_spearman_all": (-0.2, 0.6),
        # membership inference, 500 members, threshold from a shadow model (measured: advantage 0.37 / 0.29 / 0.21,
        # AUC 0.65 / 0.63 / 0.62, accuracy gap 0.13 / 0.14 / 0.14, loss gap 0.43 / 0.37 / 0.33, epochs 20 / 9 / 9)
        "mia_overfitted_advantage": (0.2, 0.55),
        "mia_overfitted_best_threshold_advantage": (0.2, 0.6),
        "mia_overfitted_auc": (0.55, 0.8),
        "mia_overfitted_generalisation_gap": (0.05, 0.25),
        "mia_overfitted_loss_gap": (0.25, 0.7),
        "mia_overfitted_epochs": 20,
        "mia_early_stopped_advantage": (0.1, 0.45),
        "mia_early_stopped_auc": (0.55, 0.75),
        "mia_early_stopped_generalisation_gap": (0.05, 0.25),
        "mia_early_stopped_loss_gap": (0.2, 0.6),
        "mia_early_stopped_epochs": (3, 20),
        "mia_regularised_advantage": (0.05, 0.4),
        "mia_regularised_auc": (0.52, 0.72),
        "mia_regularised_generalisation_gap": (0.05, 0.25),
        "mia_regularised_loss_gap": (0.15, 0.55),
        "mia_regularised_epochs": (3, 20),
        "fcn_parameters": 101770,
        "cnn_parameters": 206922,  # build_cnn(filters=(16, 32)), the fast-mode CNN
        "mobilenet_v2_parameters": 3538984,
        "vgg16_parameters": 138357544,
        "fcn_gflops": (0.000203, 0.000204),
        "cnn_gflops": (0.00243, 0.00244),
        "mobilenet_v2_gflops": (0.60, 0.61),
        "vgg16_gflops": (30.9, 31.0),
        "fcn_size_mb": (1.0, 1.6),
        "cnn_size_mb": (2.2, 3.0),
        "mobilenet_v2_size_mb": (13.5, 16.5),
        "vgg16_size_mb": (550.0, 560.0),
        "fcn_latency_ms": (0.0, 50.0),
        "cnn_latency_ms": (0.0, 100.0),
        "mobilenet_v2_latency_ms": (0.5, 1000.0),
        "vgg16_latency_ms": (5.0, 10000.0),
        # TFLite (measured: 831.8 KB float, 214.2 KB int8, accuracy unchanged within 0.001)
        "tflite_float_kb": (700.0, 950.0),
        "tflite_int8_kb": (180.0, 260.0),
        "tflite_size_ratio": (3.3, 4.2),
        "tflite_float_accuracy_change": (-0.002, 0.002),
        "tflite_int8_accuracy_change": (-0.01, 0.01),
        # 4,000 training images (measured: pixels 0.866, HOG 0.942, FCN 0.885, CNN 0.934)
        "traditional_pixels_logreg_accuracy": (0.82, 0.91),
        "traditional_hog_logreg_accuracy": (0.90, 0.97),
        "traditional_fcn_accuracy": (0.80, 0.95),
        "traditional_cnn_accuracy": (0.88, 0.99),
    },
}


# Bounds on what a notebook records in full mode (FAST=False), for notebooks that declare them.
# A full run takes about 15 minutes, so CI does not make one: check one with
# `make run; make check-results` (tests/check_results.py). The comments give one full run's
# figures on a 2-core CPU. Notebook 06's are for the offline run (-p DATASET=offline -p MODEL=mobilenet_v2),
# the one its stored outputs come from: its default full mode needs VGG16's ImageNet weights and Imagenette,
# which were not available where these bounds were measured.
FULL_BOUNDS: dict[str, dict[str, object]] = {
    "01_datasets_mnist_to_imagenet": {  # class means from all 60,000 images; no randomness (measured: 0.8203, 0.6768)
        "mnist_nearest_mean_accuracy": (0.815, 0.825),
        "fashion_nearest_mean_accuracy": (0.67, 0.685),
    },
    "02_preprocessing": {  # 60,000 images, 3 epochs (measured: raw 0.947, scaled 0.974)
        "mnist_constant_pixels": 67,  # the same data as in fast mode: the same facts
        "max_abs_z_std_floored": (1e5, None),
        "leaked_mean_shift_in_stds": (0.0, 0.01),
        "feature_selection_leaky_accuracy": (0.60, 0.72),  # independent of FAST: same draws as fast mode
        "feature_selection_honest_accuracy": (0.45, 0.56),
        "accuracy_raw_pixels": (0.85, 0.98),
        "accuracy_scaled_pixels": (0.96, 1.0),
        "accuracy_gain_from_scaling": (0.0, None),
    },
    "03_data_augmentation": {
        # 1,000 images, 5 seeds (measured: without 0.951 +- 0.002, with 0.964 +- 0.003, gain 0.013 +- 0.003)
        "seeds": 5,
        "test_accuracy_without_mean": (0.93, 0.97),
        "test_accuracy_with_mean": (0.945, 0.98),
        "augmentation_gain_mean": (0.005, 0.03),  # the notebook says augmentation helps: it must
        "test_accuracy_with_std": (0.0, 0.01),
        "test_accuracy_without_std": (0.0, 0.01),
    },
    "04_convolution_and_pooling": {  # measured: 200 configurations, speed-up 530x
        "configs_checked": 200,
        "conv_forward_max_error_vs_tf": (0.0, 1e-10),
        "pool_forward_max_error_vs_tf": (0.0, 1e-10),
        "backward_max_error_vs_tape": (0.0, 1e-10),
        "backward_max_error_vs_numeric": (0.0, 1e-6),
        "cnn_test_accuracy": (0.98, 1.0),
        "speedup_numpy_vs_loops": (100.0, None),  # batch 32, 28x28x8 -> 16
        "tf_float32_conv_configs": 500,
        "avg_pool_tape_defect_configs": 500,
        "onednn_off_conv_wrong": 0,
        # first-layer filters after 2 epochs on 60,000 images (measured in a separate run of the same
        # training: edge likeness 0.42 -> 0.72, 10 of 32 filters above 0.8, median change 79%)
        "conv1_edge_likeness_gain": (0.15, None),
        "conv1_edge_like_filters": (5, 32),
        "conv1_median_change": (0.4, None),
    },
    "05_fcn_and_cnn_on_mnist": {
        "fcn_test_accuracy": (0.970, 1.0),  # the course text's FCN, 10 epochs, 10% held out
        "best_improved_fcn_test_accuracy": (0.980, 1.0),
        "cnn_test_accuracy": (0.990, 1.0),
        "cnn_parameters": 421642,  # build_cnn(filters=(32, 64))
        "rerun_max_weight_difference": (0.0, 1e-3),
        "rerun_accuracy_difference": (0.0, 0.005),
        "lowest_variant_test_accuracy": (0.965, 1.0),  # each change alone stays near the course FCN (0.9738 measured)
        "cnn_test_errors": (0, 100),  # as cnn_test_accuracy >= 0.990 (measured: 79)
        # 20,000 images, 3 epochs (measured in a separate run: He 0.936; N(0, 0.01²) 0.1135, stuck at ln 10)
        "init_he_test_accuracy": (0.85, 1.0),
        "init_small_test_accuracy": (0.0, 0.2),
        # confident learning on the CNN's 6,000 validation images: a small fraction, never none
        "label_issue_candidates": (1, 180),
        "label_issue_rate": (0.0, 0.03),
    },
    "06_vgg16_transfer_learning": {  # run with -p DATASET=offline -p MODEL=mobilenet_v2: 3,000 + 1,000 images, 160x160
        # one full run measured features 0.859, end to end 0.861, fine-tuned 0.861, small CNN 0.859 (noise: 0.022)
        "feature_extraction_val_accuracy": (0.80, 0.92),
        "end_to_end_val_accuracy": (0.80, 0.92),
        "fine_tuned_val_accuracy": (0.80, 0.92),
        "scratch_cnn_val_accuracy": (0.80, 0.92),
        "transfer_gain_over_scratch_cnn": (-0.05, 0.05),  # ImageNet features buy nothing measurable here
        "curve_gain_all": (-0.06, 0.06),  # the linear head on the same features, against the same small CNN
        "vgg16_fine_tuned_base_weights": 7_079_424,
        "mobilenet_v2_fine_tuned_base_weights": 879_040,
        "saturation_gradient_ratio": (0.02, 0.05),  # the same photo and weights as in fast mode
        "mobilenet_v2_photo_hits": 3,
        # the course text's code: 3 Adam steps at 1e-3 (measured 0.0055) against 1e-5 (0.581)
        "course_code_test_accuracy": (0.0, 0.5),
        "course_code_shipped_confidence": (0.55, 0.62),
        "course_code_confidence_after_recipe": (0.0, 0.2),
        "course_code_confidence_after_low_rate": (0.50, 0.62),
    },
    "07_where_next": {
        # 100 and 60,000 labels (measured: FCN 0.768 / 0.961, CNN 0.850 / 0.986, CNN + augmentation 0.922 / 0.981)
        "scarcity_fcn_accuracy_at_100": (0.70, 0.85),
        "scarcity_fcn_accuracy_at_largest": (0.95, 0.99),
        "scarcity_cnn_accuracy_at_100": (0.78, 0.92),
        "scarcity_cnn_accuracy_at_largest": (0.98, 1.0),
        "scarcity_cnn_augmented_accuracy_at_100": (0.85, 0.96),
        # Fashion-MNIST (measured: frozen 0.831, fine-tuned 0.838, scratch 0.835)
        "fashion_frozen_accuracy": (0.78, 0.90),
        "fashion_finetuned_accuracy": (0.78, 0.90),
        "fashion_scratch_accuracy": (0.78, 0.90),
        # 100 labels (measured: pixels 0.724, 16-D code 0.821)
        "ssl_ae16_gain_over_pixels": (0.03, None),
        # |grad p| / |grad z|, medians over 500 digits (measured: 0.00007 confident half, 0.0034 the other)
        "saliency_softmax_gradient_ratio_confident": (0.0, 0.002),
        "saliency_softmax_gradient_ratio_less_confident": (0.0005, 0.05),
        # cascading randomisation, 50 digits (measured: |gradient| 0.61 after the output layer, 0.61 after all;
        # signed -0.02; SSIM 0.24; Grad-CAM 0.18 and 0.21): well below 1 = the methods pass
        "sanity_gradient_abs_spearman_top": (0.3, 0.85),
        "sanity_gradient_abs_spearman_all": (0.3, 0.85),
        "sanity_gradient_signed_spearman_all": (-0.2, 0.2),
        "sanity_gradient_ssim_all": (0.05, 0.5),
        "sanity_gradcam_spearman_top": (-0.2, 0.6),
        "sanity_gradcam_spearman_all": (-0.2, 0.6),
        # membership inference, threshold from a shadow model (measured: advantage 0.359 overfitted, 0.165 early
        # stopping, 0.180 dropout + early stopping; accuracy gap 0.087 / 0.094 / 0.088; loss gap 0.47 / 0.32 / 0.31;
        # epochs kept 100 / 8 / 12)
        "mia_overfitted_advantage": (0.25, 0.5),
        "mia_early_stopped_advantage": (0.05, 0.3),
        "mia_regularised_advantage": (0.05, 0.3),
        "mia_overfitted_loss_gap": (0.35, 0.65),
        "mia_early_stopped_loss_gap": (0.15, 0.45),
        "mia_regularised_loss_gap": (0.15, 0.45),
        "mia_overfitted_generalisation_gap": (0.05, 0.13),
        "mia_regularised_generalisation_gap": (0.05, 0.13),
        "mia_overfitted_epochs": 100,
        "mia_early_stopped_epochs": (3, 40),
        "mia_regularised_epochs": (3, 40),
        # TFLite (measured: 1,691 KB float, 430 KB int8, accuracy unchanged)
        "tflite_size_ratio": (3.5, 4.2),
        "tflite_int8_accuracy_change": (-0.005, 0.005),
        # 10,000 training images (measured: pixels 0.910, HOG 0.966, FCN 0.938, CNN 0.979)
        "traditional_pixels_logreg_accuracy": (0.88, 0.93),
        "traditional_hog_logreg_accuracy": (0.95, 0.98),
        "traditional_fcn_accuracy": (0.92, 0.96),
        "traditional_cnn_accuracy": (0.97, 0.995),
    },
}


def check(value, bound) -> bool:
    """True if ``value`` satisfies ``bound``."""
    if isinstance(bound, tuple) and len(bound) == 2:
        low, high = bound
        return (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and (low is None or value >= low)
            and (high is None or value <= high)
        )
    return value == bound


def out_of_bounds(results: dict, bounds: dict[str, object]) -> dict[str, tuple[object, object]]:
    """``{name: (value, bound)}`` for every bounded name missing from ``results`` or out of bounds."""
    return {
        name: (results.get(name, "<not recorded>"), bound)
        for name, bound in bounds.items()
        if name not in results or not check(results[name], bound)
    }
