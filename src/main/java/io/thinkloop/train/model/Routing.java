package io.thinkloop.train.model;

/**
 * The experts chosen in one forward pass: {@code experts[layer][t * k + j]} is token t's j-th expert
 * in MoE layer {@code layer} ({@code null} for dense layers). A later forward over the same tokens
 * can be made to use exactly these experts (keep-routing: the policy that generated a rollout and the
 * policy being trained route alike); the weights still come from the current router.
 */
public record Routing(int[][] experts) {}
