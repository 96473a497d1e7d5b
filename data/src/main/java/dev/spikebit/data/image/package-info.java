/** Image files as model inputs: PNG of every colour type and bit depth, decoded to the same values. */
package dev.spikebit.data.image;
