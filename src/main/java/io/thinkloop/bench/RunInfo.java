package io.thinkloop.bench;

import java.util.List;

/**
 * What a run measured and how, as the service described itself when the run started: the backend agent turns
 * use, the model ids it offers, and, for the embedded engine, whether its weights are untrained (the figures of
 * an untrained model measure the harness, not an agent). Sampling settings and the seed that keys the trials
 * make a run reproducible. Written to {@code run.json} and into {@code results.json}.
 *
 * @param backend the backend agent turns use, or null when the service did not say
 * @param untrained null when unknown (not the embedded engine)
 * @param topP null: off
 */
public record RunInfo(
        String url,
        String backend,
        List<String> models,
        Boolean untrained,
        String notice,
        String checkpoint,
        double temperature,
        Double topP,
        long seed,
        int trials) {
    public RunInfo {
        models = models == null ? List.of() : List.copyOf(models);
    }

    /** The sampling settings in a few words: "greedy" or "temperature 0.7, top-p 0.95". */
    public String samplingLabel() {
        if (temperature <= 0) {
            return "greedy (every trial of a task decodes the same)";
        }
        return "temperature " + temperature + (topP == null ? "" : ", top-p " + topP) + ", a seed per trial";
    }
}
