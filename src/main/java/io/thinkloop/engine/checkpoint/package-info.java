/**
 * Hugging Face checkpoints of the DeepSeek-V3.2 architecture: {@code config.json} and memory-mapped
 * safetensors (single file or shards), plus a seeded synthetic-checkpoint writer.
 */
package io.thinkloop.engine.checkpoint;
