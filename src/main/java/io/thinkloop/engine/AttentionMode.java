package io.thinkloop.engine;

/** How a state attends: through the DSA indexer's top-k (the model's semantics) or densely. */
public enum AttentionMode {
    /** DeepSeek Sparse Attention: each query attends to the indexer's top-k positions. */
    SPARSE,
    /** Every causal position, bypassing the indexer (the baseline DSA is measured against). */
    DENSE
}
