package io.thinkloop.model;

/** A deviation from the exact DeepSeek-V3.2 format that lenient parsing accepted, for logging. */
public record Repair(String kind, String detail) {}
