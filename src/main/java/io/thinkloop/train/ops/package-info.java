/**
 * The differentiable operations of the DeepSeek-V3.2 forward pass, each as a forward that saves what
 * its backward needs and a backward that adds gradients. Tensors are flat row-major float32 arrays
 * with explicit sizes (no tensor objects), so that a training step allocates per layer, not per
 * element. The operations know nothing of parameters or checkpoints; {@code train.model} wires them.
 */
package io.thinkloop.train.ops;
