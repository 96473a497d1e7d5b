/**
 * Per-sample augmentation of images and event frames (docs/methods.md section 5): random crop with
 * zero padding, horizontal flip, cutout, and per-channel normalisation, composable with
 * {@link dev.spikebit.data.augment.Augmentation#andThen}.
 */
package dev.spikebit.data.augment;
