package io.thinkloop.agent;

import java.time.Duration;

/**
 * Bounds of one turn. {@code maxSteps}: model generations that may call tools; when the model still
 * wants tools after that many, one last generation runs without tools. {@code toolTimeout}: per tool
 * call. {@code turnTimeout}: the whole turn. {@code maxTokens}: per generation.
 */
public record TurnLimits(int maxSteps, Duration toolTimeout, Duration turnTimeout, int maxTokens) {}
