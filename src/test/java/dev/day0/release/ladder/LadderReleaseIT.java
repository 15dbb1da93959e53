package dev.day0.release.ladder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.Day0Process;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code day0 release run --plan examples/ladder/release.yaml} as a user runs it: the NVFP4 candidate regresses,
 * the FP8 candidate is accepted, the baseline eval runs once; a kill between the candidates resumes without
 * repeating work; the ladder's report.html in headless Chromium (skipped, saying so, without Chromium).
 */
public class LadderReleaseIT {
    private static final Path PLAN = Path.of("examples", "ladder", "release.yaml").toAbsolutePath();

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Day0Process release(Path workdir, Map<String, String> env, String... more) {
        List<String> args = new ArrayList<>(List.of("release", "run", "--plan", PLAN.toString(), "--workdir",
                workdir.toString()));
        args.addAll(List.of(more));
        return Day0Process.run(temp.getRoot().toPath(), env, args.toArray(String[]::new));
    }

    /** Every stage the example's scripts ran, over all candidates, in order ("nvfp4: ptq 1", ...). */
    private static List<String> stageRuns(Path workdir) throws Exception {
        List<String> runs = new ArrayList<>();
        for (String candidate : List.of("0-nvfp4", "1-fp8")) {
            Path log = workdir.resolve("candidates").resolve(candidate).resolve("stage-runs.log");
            if (Files.exists(log)) {
                Files.readAllLines(log).forEach(line -> runs.add(candidate + ": " + line));
            }
        }
        return runs;
    }

    @Test
    public void shouldAcceptTheFp8CandidateAfterNvfp4RegressesWithOneBaselineEval() throws Exception {
        Path workdir = temp.getRoot().toPath().resolve("work");

        Day0Process run = release(workdir, Map.of());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode summary = Json.parse(run.out(), "stdout");
        assertThat(summary.path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(summary.path("chosen").path("recipe").asText()).isEqualTo("fp8");
        assertThat(summary.path("chosen").path("fingerprint").asText()).hasSize(64);
        assertThat(summary.path("candidates").get(0).path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(stageRuns(workdir)).containsExactly("0-nvfp4: ptq 1", "0-nvfp4: baseline_eval 1",
                "0-nvfp4: quantized_eval 1", "1-fp8: ptq 1", "1-fp8: quantized_eval 1");
        assertThat(workdir.resolve("report.md")).content()
                .contains("| 0 | nvfp4 | nvfp4 | REGRESSION |", "| 1 | fp8 (chosen) | fp8 | ACCEPT |");
        assertThat(workdir.resolve("junit.xml")).content().contains("name=\"1-fp8\"");
    }

    @Test
    public void shouldResumeAKillBetweenCandidatesWithoutRepeatingWork() throws Exception {
        Path workdir = temp.getRoot().toPath().resolve("killed");

        Day0Process killed = release(workdir, Map.of("DAY0_STOP_AFTER_CANDIDATE", "0"));
        assertThat(killed.exitCode()).as(killed.toString()).isEqualTo(99);
        List<String> before = stageRuns(workdir);
        assertThat(before).containsExactly("0-nvfp4: ptq 1", "0-nvfp4: baseline_eval 1", "0-nvfp4: quantized_eval 1");

        Day0Process resumed = release(workdir, Map.of(), "--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(0);
        assertThat(stageRuns(workdir)).containsExactly("0-nvfp4: ptq 1", "0-nvfp4: baseline_eval 1",
                "0-nvfp4: quantized_eval 1", "1-fp8: ptq 1", "1-fp8: quantized_eval 1");
        assertThat(Json.parse(resumed.out(), "stdout").path("chosen").path("name").asText()).isEqualTo("fp8");
    }

    @Test
    public void shouldShowTheFrontierInABrowser() throws Exception {
        String chromium = null;
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                chromium = candidate;
                break;
            }
        }
        assumeTrue("the ladder's report.html is not checked in a browser: no chromium in /usr/bin "
                + "(apt-get install chromium)", chromium != null);
        Path workdir = temp.getRoot().toPath().resolve("browser");
        assertThat(release(workdir, Map.of()).exitCode()).isEqualTo(0);
        Path png = temp.getRoot().toPath().resolve("ladder.png");
        Path log = temp.getRoot().toPath().resolve("chromium.log");
        Process browser = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + temp.newFolder("profile"), "--window-size=1000,1200", "--screenshot=" + png,
                workdir.resolve("report.html").toUri().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(browser.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(png).as("chromium wrote the screenshot; its log: " + Files.readString(log)).isRegularFile();
        BufferedImage image = ImageIO.read(new File(png.toString()));

        assertThat(count(image.getSubimage(0, 60, 1000, 100), 0x1b7f3b)).as("green decision banner")
                .isGreaterThan(5000);
        assertThat(count(image, 0xf6d5d3)).as("the threshold band is drawn").isGreaterThan(5000);
        assertThat(count(image.getSubimage(0, 320, 1000, 880), 0xb3261e)).as("the regressing point is red")
                .isGreaterThan(20);
    }

    private static boolean near(int rgb, int expected) {
        int dr = Math.abs(((rgb >> 16) & 0xff) - ((expected >> 16) & 0xff));
        int dg = Math.abs(((rgb >> 8) & 0xff) - ((expected >> 8) & 0xff));
        int db = Math.abs((rgb & 0xff) - (expected & 0xff));
        return dr + dg + db < 40;
    }

    private static int count(BufferedImage image, int color) {
        int found = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                if (near(image.getRGB(x, y), color)) {
                    found++;
                }
            }
        }
        return found;
    }
}
