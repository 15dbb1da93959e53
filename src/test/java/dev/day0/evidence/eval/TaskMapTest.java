package dev.day0.evidence.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TaskMapTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldKnowTheCommonSuitesUnderTheirUsualSpellings() {
        TaskMap defaults = TaskMap.builtIn();

        assertThat(defaults.resolve("AIME_2024").expectedSamples()).isEqualTo(30);
        assertThat(defaults.resolve("simple_evals.gpqa_diamond").expectedSamples()).isEqualTo(198);
        assertThat(defaults.resolve("math_test_500").expectedSamples()).isEqualTo(500);
        assertThat(defaults.resolve("mmlu_pro").lmEvalMetric()).isEqualTo("exact_match,custom-extract");
        assertThat(defaults.resolve("my_private_suite").expectedSamples()).isNull();
    }

    @Test
    public void shouldExplainWhyAVersionedSuiteHasNoDefaultCount() {
        TaskEvidence evidence = new TaskEvidence("livecodebench", "livecodebench");

        evidence.finish(TaskMap.builtIn().resolve("livecodebench").expectedUnknownReason());

        assertThat(evidence.errors).containsExactly("sample accounting: expected sample count unknown (its item count "
                + "depends on the "
                + "dataset release): set expected_samples for livecodebench in the task map");
    }

    @Test
    public void shouldFillAMapEntryWithTheDefaultsOfItsSource() throws IOException {
        TaskMap map = TaskMap.read(write("tasks:\n  gpqa:\n    source: gpqa_diamond\n    scale: 100\n"));

        TaskMap.TaskSpec gpqa = map.resolve("gpqa");

        assertThat(gpqa.source()).isEqualTo("gpqa_diamond");
        assertThat(gpqa.scale()).isEqualTo(100.0);
        assertThat(gpqa.expectedSamples()).isEqualTo(198);
        assertThat(map.expectedOrigin("gpqa")).isEqualTo("built-in default for gpqa_diamond");
    }

    @Test
    public void shouldLetTheMapOverrideTheDefaultCount() throws IOException {
        Path file = write("tasks:\n  hle:\n    expected_samples: 2158\n");

        TaskMap map = TaskMap.read(file);

        assertThat(map.resolve("hle").expectedSamples()).isEqualTo(2158);
        assertThat(map.expectedOrigin("hle")).isEqualTo("task map " + file);
    }

    @Test
    public void shouldRefuseANonPositiveScaleOrCount() throws IOException {
        Path scale = write("tasks:\n  a:\n    scale: 0\n");
        Path count = write("tasks:\n  a:\n    expected_samples: 2.5\n");

        assertThatThrownBy(() -> TaskMap.read(scale)).isInstanceOf(InputException.class)
                .hasMessage(scale + ": tasks.a.scale: must be positive, found 0.0");
        assertThatThrownBy(() -> TaskMap.read(count))
                .hasMessage(count + ": tasks.a.expected_samples: must be a whole number, found number 2.5");
    }

    @Test
    public void shouldRefuseAMapWithoutTasks() throws IOException {
        Path empty = write("tasks: {}\n");
        Path other = write("task:\n  gsm8k:\n");

        assertThatThrownBy(() -> TaskMap.read(empty)).hasMessage(empty + ": tasks: is empty: name at least one task");
        assertThatThrownBy(() -> TaskMap.read(other))
                .hasMessage(other + ": task: unknown key (a task map has only \"tasks\")");
    }

    private Path write(String yaml) throws IOException {
        Path file = temp.newFile().toPath();
        Files.writeString(file, yaml);
        return file;
    }
}
