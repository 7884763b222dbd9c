package io.thinkloop.train.model;

/**
 * Which training stage of DeepSeek Sparse Attention a step belongs to (the paper's schedule).
 * {@link #DENSE_WARMUP}: attention is dense and only the indexer learns, by KL divergence to the main
 * attention; the main parameters get no gradient. {@link #SPARSE}: attention runs over the indexer's
 * top-k, the main parameters learn the language-model loss and the indexer its KL loss on the selected
 * set, its input detached from the main graph.
 */
public enum Stage {
    SPARSE,
    DENSE_WARMUP
}
