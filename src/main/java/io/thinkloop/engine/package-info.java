/**
 * The embedded inference engine: a DeepSeek-V3.2 forward pass (MLA, DeepSeek Sparse Attention,
 * MoE) on the CPU over memory-mapped weights. Entry points: {@link io.thinkloop.engine.Model} and
 * {@link io.thinkloop.engine.InferenceState}; it works in token ids and logits only.
 */
package io.thinkloop.engine;
