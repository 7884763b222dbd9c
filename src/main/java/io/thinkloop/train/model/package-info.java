/**
 * The trainable DeepSeek-V3.2 model: float32 parameters named as the checkpoint's tensors, the forward
 * pass of the engine made differentiable (the two DSA training stages, keep-routing for the
 * reinforcement stage, the auxiliary-loss-free balancing bias) and a writer of checkpoints the engine
 * loads.
 */
package io.thinkloop.train.model;
