package dev.day0.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.evidence.checkpoint.SyntheticCheckpoint;
import dev.day0.evidence.checkpoint.SyntheticCheckpoint.Format;
import dev.day0.evidence.checkpoint.SyntheticCheckpoint.Model;
import dev.day0.io.Json;
import dev.day0.testing.Day0Process;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The inspect commands run from the packaged jar, chained into the gates as a pipeline would run them. */
public class InspectIT {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldTurnACheckpointPairIntoAPassingPtqVerdict() {
        Path work = temp.getRoot().toPath();
        Model model = Model.llama(2);
        model.source().file("config.json", SyntheticCheckpoint.config("bfloat16", null)).write(work.resolve("src"));
        model.build(module -> module.equals("lm_head") ? Format.BF16 : Format.NVFP4)
                .file("config.json", SyntheticCheckpoint.config("bfloat16", null))
                .file("hf_quant_config.json", SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"))
                .write(work.resolve("out"));

        Day0Process inspect = Day0Process.run(work, Map.of(), "inspect", "checkpoint", "--source", "src",
                "--output", "out", "--recipe", "nvfp4", "--out", "validation-summary.json");
        Day0Process gate = Day0Process.run(work, Map.of(), "gate", "ptq", "--summary", "validation-summary.json");

        assertThat(inspect.exitCode()).as(inspect.toString()).isZero();
        assertThat(inspect.err()).startsWith("day0: validation summary written: validation-summary.json");
        assertThat(gate.exitCode()).as(gate.toString()).isZero();
    }

    @Test
    public void shouldTurnTheReferenceLimitRunIntoASampleAccountingFailure() {
        Path work = temp.getRoot().toPath();
        Path results = Path.of("src/test/resources/reference/lm_eval/"
                + "fork-negotiationtom__Qwen3-8B__results_2026-07-08T16-04-34.json").toAbsolutePath();

        Day0Process inspect = Day0Process.run(work, Map.of(), "inspect", "eval", "--results", results.toString(),
                "--run-summary", "run-summary.json", "--scores", "scores.json");
        Day0Process gate = Day0Process.run(work, Map.of(), "gate", "run", "--run", "run-summary.json");

        assertThat(inspect.exitCode()).as(inspect.toString()).isZero();
        assertThat(gate.exitCode()).as(gate.toString()).isEqualTo(1);
        assertThat(Json.parse(gate.out(), "gate").get("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
    }

    @Test
    public void shouldExitTwoWithOneLineForATruncatedShard() throws Exception {
        Path work = temp.getRoot().toPath();
        Model model = Model.llama(1);
        model.source().file("config.json", SyntheticCheckpoint.config("bfloat16", null)).write(work.resolve("src"));
        java.nio.file.Files.createDirectories(work.resolve("out"));
        java.nio.file.Files.write(work.resolve("out").resolve("model.safetensors"), new byte[] {(byte) 0xff, 0, 0,
                0, 0, 0, 0, 0, '{'});

        Day0Process inspect = Day0Process.run(work, Map.of(), "inspect", "checkpoint", "--source", "src",
                "--output", "out", "--recipe", "nvfp4");

        assertThat(inspect.exitCode()).isEqualTo(2);
        assertThat(inspect.err()).isEqualTo("out/model.safetensors: header length 255 is beyond the file size of 9 "
                + "bytes (truncated or not a safetensors file)" + System.lineSeparator());
        assertThat(Json.parse(inspect.out(), "stdout").get("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
    }
}
