/**
 * Supervised fine-tuning data: agent trajectories built from the synthesized tasks' reference solutions, with
 * programmatic reasoning before every tool call and the answer, real tool results from the task's environment,
 * rendered exactly as the agent loop prompts the model ({@link io.thinkloop.codec.AgentPrompt}) and tokenized
 * with a loss weight that covers only what the model writes. Splits are by database seed.
 */
package io.thinkloop.train.sft;
