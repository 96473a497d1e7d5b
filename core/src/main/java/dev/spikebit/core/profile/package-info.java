/** Where the time of a training step goes: {@link dev.spikebit.core.profile.OpProfiler}. */
package dev.spikebit.core.profile;
