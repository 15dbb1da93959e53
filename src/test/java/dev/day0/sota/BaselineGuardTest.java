package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BaselineGuardTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path root;
    private Path baseline;
    private BaselineGuard guard;

    @Before
    public void setUp() {
        root = temp.getRoot().toPath();
        baseline = SotaFiles.write(root, "runs/baseline/metrics.json", "{\"acc\": 1}");
        guard = new BaselineGuard(baseline);
    }

    @Test
    public void shouldAcceptADeltaInADirectoryOfItsOwn() {
        assertThatCode(() -> guard.checkDelta(root.resolve("runs/delta/metrics.json"))).doesNotThrowAnyException();
        assertThatCode(() -> guard.checkOutput("--out", root.resolve("runs/review.json"),
                root.resolve("runs/delta/metrics.json"))).doesNotThrowAnyException();
    }

    @Test
    public void shouldRefuseTheBaselineFileItselfAsTheDelta() {
        assertThatThrownBy(() -> guard.checkDelta(baseline)).isInstanceOf(InputException.class)
                .hasMessageContaining("is the baseline's own metrics file");
        assertThatThrownBy(() -> guard.checkDelta(root.resolve("runs/delta/../baseline/metrics.json")))
                .hasMessageContaining("is the baseline's own metrics file");
    }

    @Test
    public void shouldRefuseADeltaInsideTheBaselineDirectory() {
        assertThatThrownBy(() -> guard.checkDelta(root.resolve("runs/baseline/delta/metrics.json")))
                .isInstanceOf(InputException.class).hasMessageStartingWith("--delta: ")
                .hasMessageContaining("lies inside the baseline directory");
        assertThatThrownBy(() -> guard.checkDelta(root.resolve("runs/baseline/metrics-delta.json")))
                .hasMessageContaining("lies inside the baseline directory");
    }

    @Test
    public void shouldRefuseADeltaDirectoryThatContainsTheBaseline() {
        assertThatThrownBy(() -> guard.checkDelta(root.resolve("runs/metrics.json")))
                .hasMessageContaining("lies inside the delta directory");
    }

    @Test
    public void shouldSeeThroughSymbolicLinks() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve("sneaky"), root.resolve("runs/baseline"));
        Path fileLink = Files.createSymbolicLink(root.resolve("runs/link.json"), baseline);

        assertThatThrownBy(() -> guard.checkDelta(link.resolve("metrics2.json")))
                .hasMessageContaining("lies inside the baseline directory");
        assertThatThrownBy(() -> guard.checkDelta(fileLink)).hasMessageContaining("is the baseline's own");
        assertThatThrownBy(() -> guard.checkOutput("--out", link.resolve("review.json"), null))
                .hasMessageContaining("lies inside the baseline directory");
    }

    @Test
    public void shouldRefuseAHardLinkToTheBaselineFile() throws Exception {
        Path link = Files.createLink(Files.createDirectories(root.resolve("other")).resolve("hard.json"), baseline);

        assertThatThrownBy(() -> guard.checkDelta(link)).hasMessageContaining("is the baseline's own metrics file");
    }

    @Test
    public void shouldRefuseAnOutputThatWouldOverwriteABaselineFileOrTheDelta() {
        assertThatThrownBy(() -> guard.checkOutput("--out", baseline, null)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("--out: ").hasMessageContaining("baseline artifacts are never overwritten");
        Path delta = SotaFiles.write(root, "runs/delta/metrics.json", "{}");
        assertThatThrownBy(() -> guard.checkOutput("--out", delta, delta))
                .hasMessageContaining("is the delta's metrics file");
    }

    @Test
    public void shouldRefuseABaselineThatDoesNotExist() {
        assertThatThrownBy(() -> new BaselineGuard(root.resolve("nowhere/metrics.json")))
                .isInstanceOf(InputException.class).hasMessageContaining("file not found");
        assertThatThrownBy(() -> new BaselineGuard(root.resolve("runs"))).hasMessageContaining("not a regular file");
    }
}
