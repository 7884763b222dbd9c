/**
 * Training: the DeepSeek-V3.2 architecture made differentiable (float32 master weights, a backward
 * pass for every operation of the engine's forward pass), the optimizer and training loop, and the
 * supervised and reinforcement stages built on them. It reads checkpoints through the engine and
 * writes checkpoints the engine loads; it knows no endpoint, session or agent.
 */
package io.thinkloop.train;
