/**
 * GRPO, the reinforcement stage: groups of sampled rollouts per task, advantage = reward − group mean,
 * a clipped policy-gradient objective, and DeepSeek-V3.2's stabilizers (unbiased KL estimate,
 * off-policy sequence masking, keep routing, keep sampling mask), each switchable in
 * {@link io.thinkloop.train.grpo.GrpoSettings}.
 */
package io.thinkloop.train.grpo;
