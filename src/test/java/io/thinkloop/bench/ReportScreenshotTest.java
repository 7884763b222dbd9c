package io.thinkloop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.synth.Suite;
import io.thinkloop.synth.SynthTask;
import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The report as a reader sees it: rendered by Chromium (headless, from Debian) to a PNG, whose pixels show the
 * untrained warning's colours only when the run's model was untrained. The screenshots stay in
 * {@code target/bench-report-screenshots/} for a person to look at.
 */
class ReportScreenshotTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final int WARN_BACKGROUND = 0xfff4e5;
    private static final int WARN_BORDER = 0xd97706;

    private static String report(Boolean untrained) throws Exception {
        List<SynthTask> tasks =
                Suite.load("classpath:trip-smoke-v1.jsonl").tasks().subList(0, 3);
        List<TrialResult> trials = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            for (int t = 0; t < 3; t++) {
                boolean passed = t < 2 && i % (t + 1) == 0;
                trials.add(new TrialResult(
                        tasks.get(t).id(),
                        i,
                        7,
                        t + 1,
                        "s",
                        passed,
                        passed ? 1 : 0,
                        passed ? List.of() : List.of("missing day 2"),
                        null,
                        3,
                        passed ? 0 : 1,
                        3,
                        100,
                        20,
                        5,
                        40,
                        900 + 100L * t,
                        passed ? "stop" : "length",
                        null));
            }
        }
        RunInfo run = new RunInfo(
                "http://127.0.0.1:8080",
                "embedded",
                List.of("embedded", "embedded-reasoner"),
                untrained,
                untrained ? "untrained weights: output is meaningless" : null,
                "/data/models/embedded-20251201",
                0.7,
                0.95,
                42,
                4);
        Metrics.Summary summary = Metrics.summarize(run, "trip-smoke", 1, tasks, 4, trials, 0);
        return HtmlReport.render(summary, tasks, trials);
    }

    private static BufferedImage screenshot(String html, String name) throws Exception {
        Path dir = Path.of("target/bench-report-screenshots").toAbsolutePath();
        Files.createDirectories(dir);
        Path page = dir.resolve(name + ".html");
        Path png = dir.resolve(name + ".png");
        Files.writeString(page, html);
        Files.deleteIfExists(png);
        Path profile = TestTemp.dir("chromium-profile");
        Process p = new ProcessBuilder(
                        CHROMIUM.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--hide-scrollbars",
                        "--user-data-dir=" + profile,
                        "--window-size=1200,900",
                        "--screenshot=" + png,
                        page.toUri().toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".chromium.log").toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, p.exitValue(), "chromium failed; see " + dir.resolve(name + ".chromium.log"));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1200, image.getWidth());
        return image;
    }

    private static int count(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void anUntrainedRunShowsItsWarningOnScreenAndATrainedOneDoesNot() throws Exception {
        Interop.requirePeer(Files.isExecutable(CHROMIUM), "Debian chromium at /usr/bin/chromium");

        String untrained = report(true);
        assertTrue(untrained.contains("id=\"untrained\"") && untrained.contains("temperature 0.7, top-p 0.95"));
        BufferedImage warned = screenshot(untrained, "untrained");
        assertTrue(count(warned, WARN_BACKGROUND) > 10_000, "the warning box is drawn (large, near the top)");
        assertTrue(count(warned, WARN_BORDER) > 500, "with its border");
        assertTrue(count(warned, 0x2da44e) > 500, "the difficulty bars are drawn too");

        String trained = report(false);
        assertFalse(trained.contains("id=\"untrained\""));
        assertEquals(0, count(screenshot(trained, "trained"), WARN_BACKGROUND), "no warning for a trained model");
    }
}
