/**
 * The agent benchmark harness: runs a task suite against a Thinkloop service through its public WebSocket
 * API (k trials per task, bounded concurrency, a per-trial deadline and step cap), scores each trial's
 * {@code submit_result} with the task's verifier, resumes from its own JSONL, and reports pass^k, rewards,
 * tool use, latency and tokens as JSON and a self-contained HTML report, plus GRPO-style rollout groups.
 */
package io.thinkloop.bench;
