package io.thinkloop.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplingSettingsTest {

    @Test
    void absentFieldsKeepTheGreedyDefaults() {
        CompletionRequest.Sampling s = new SamplingSettings(null, null, null, null, null).forStep(64, 0);
        assertEquals(CompletionRequest.Sampling.greedy(64), s);
    }

    @Test
    void eachStepOfASeededTurnGetsItsOwnReproducibleSeed() {
        SamplingSettings settings = new SamplingSettings(0.8, 0.9, 40, 0.05, 42L);
        CompletionRequest.Sampling step0 = settings.forStep(128, 0);
        assertEquals(step0, settings.forStep(128, 0));
        assertNotEquals(step0.seed(), settings.forStep(128, 1).seed());
        assertEquals(0.8, step0.temperature());
        assertEquals(0.9, step0.topP());
        assertEquals(40, step0.topK());
        assertEquals(0.05, step0.minP());
        assertNull(
                new SamplingSettings(0.8, null, null, null, null)
                        .forStep(128, 3)
                        .seed(),
                "no seed: random");
    }

    @Test
    void outOfRangeSettingsNameTheField() {
        assertNull(new SamplingSettings(2.0, 1.0, 0, 1.0, 1L).problem());
        assertTrue(new SamplingSettings(-0.1, null, null, null, null).problem().contains("temperature"));
        assertTrue(new SamplingSettings(Double.NaN, null, null, null, null)
                .problem()
                .contains("temperature"));
        assertTrue(new SamplingSettings(null, 0.0, null, null, null).problem().contains("topP"));
        assertTrue(new SamplingSettings(null, null, -1, null, null).problem().contains("topK"));
        assertTrue(new SamplingSettings(null, null, null, 1.5, null).problem().contains("minP"));
    }
}
