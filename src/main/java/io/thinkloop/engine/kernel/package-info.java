/**
 * Numeric kernels: weight matrices read in place from mapped memory (F32, BF16, FP8 e4m3 with block
 * scales) with Vector API dot products, a small fixed worker pool, and the FP8/Hadamard helpers of
 * the sparse-attention indexer.
 */
package io.thinkloop.engine.kernel;
