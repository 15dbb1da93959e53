package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.publish.CheckpointFingerprint;
import dev.day0.publish.CheckpointFixture;
import dev.day0.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PublishCommandTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path work;
    private Path evaluated;
    private Path marker;

    @Before
    public void export() throws Exception {
        work = temp.newFolder("work").toPath();
        evaluated = CheckpointFixture.write(work.resolve("export-nvfp4"), "model.layers.0.weight");
        marker = temp.getRoot().toPath().resolve("uploaded");
    }

    private Path decision(String decision, boolean withVerbosity, Path fingerprintOf) throws Exception {
        ObjectNode record = Json.object();
        record.put("schema", "day0.decision/1");
        record.put("decision", decision);
        record.put("failure_class", "ACCEPT".equals(decision) ? null : "VERBOSITY_EXCEEDED");
        var gates = record.putArray("gates");
        ObjectNode compare = gates.addObject();
        compare.put("stage", "compare");
        compare.put("gate", "compare");
        compare.putObject("result").put("pass", true).put("detail", "all within threshold");
        if (withVerbosity) {
            ObjectNode verbosity = gates.addObject();
            verbosity.put("stage", "verbosity");
            verbosity.put("gate", "verbosity");
            verbosity.putObject("result").put("pass", "ACCEPT".equals(decision)).put("detail", "tokens");
        }
        if (fingerprintOf != null) {
            record.set("checkpoint_fingerprint", CheckpointFingerprint.of(fingerprintOf).toJson());
        }
        Path file = temp.getRoot().toPath().resolve("decision-" + decision + withVerbosity + ".json");
        Files.writeString(file, Json.write(record));
        return file;
    }

    private CliRun publish(Path decision, Path checkpoint, String... extra) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("publish", "--decision",
                decision.toString(), "--checkpoint", checkpoint.toString()));
        args.addAll(java.util.List.of(extra));
        args.addAll(java.util.List.of("--", "sh", "-c", "echo sending; touch " + marker));
        return CliRun.run(Map.of("PATH", System.getenv("PATH")), args.toArray(String[]::new));
    }

    @Test
    public void shouldRunTheUploadForTheAcceptedEvaluatedCheckpoint() throws Exception {
        CliRun run = publish(decision("ACCEPT", true, evaluated), evaluated);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(marker).exists();
        JsonNode json = Json.parse(run.out(), "stdout");
        assertThat(json.path("published").asBoolean()).isTrue();
        assertThat(json.path("exit").path("name").asText()).isEqualTo("PUBLISHED");
        assertThat(run.err()).contains("upload: sending");
        assertThat(run.err()).contains("day0: upload command: sh -c echo sending; touch " + marker);
    }

    @Test
    public void shouldRefuseACheckpointThatDiffersByOneFileFromTheEvaluatedOne() throws Exception {
        Path sibling = CheckpointFixture.write(work.resolve("export-nvfp4-calib2"), "model.layers.0.weight");
        Files.writeString(sibling.resolve("generation_config.json"), "{\"temperature\": 1.0}");

        CliRun run = publish(decision("ACCEPT", true, evaluated), sibling);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(marker).doesNotExist();
        JsonNode json = Json.parse(run.out(), "stdout");
        assertThat(json.path("published").asBoolean()).isFalse();
        assertThat(json.path("refused_because").toString()).contains(
                "not the evaluated checkpoint: generation_config.json: content differs");
        assertThat(json.path("exit").path("name").asText()).isEqualTo("REFUSED");
    }

    @Test
    public void shouldRefuseACheckpointWithOneFileMoreAnywhereInIt() throws Exception {
        Path decision = decision("ACCEPT", true, evaluated);
        Files.createDirectories(evaluated.resolve("code"));
        Files.writeString(evaluated.resolve("code/modeling_custom.py"), "import os\n");

        CliRun run = publish(decision, evaluated);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(marker).doesNotExist();
        assertThat(Json.parse(run.out(), "stdout").path("refused_because").toString()).contains(
                "code/modeling_custom.py: not in the evaluated checkpoint");
    }

    @Test
    public void shouldRefuseInOneLineACheckpointThatLinksOutsideItself() throws Exception {
        Path decision = decision("ACCEPT", true, evaluated);
        Files.createSymbolicLink(evaluated.resolve("etc"), Path.of("/etc"));

        CliRun run = publish(decision, evaluated);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(marker).doesNotExist();
        assertThat(run.err().strip()).doesNotContain("\n").startsWith(evaluated.toString())
                .contains("etc: is a link to a folder");
    }

    @Test
    public void shouldRefuseADecisionOtherThanAcceptOrOneWithoutAVerbosityVerdict() throws Exception {
        CliRun rejected = publish(decision("REGRESSION", true, evaluated), evaluated);
        CliRun accuracyOnly = publish(decision("ACCEPT", false, evaluated), evaluated);

        assertThat(rejected.exitCode()).isEqualTo(1);
        assertThat(rejected.out()).contains("the decision is REGRESSION (VERBOSITY_EXCEEDED), not ACCEPT");
        assertThat(accuracyOnly.exitCode()).isEqualTo(1);
        assertThat(accuracyOnly.out()).contains("the decision has no verbosity gate");
        assertThat(marker).doesNotExist();
        assertThat(publish(decision("ACCEPT", false, evaluated), evaluated, "--accuracy-only").exitCode())
                .isEqualTo(0);
    }

    @Test
    public void shouldTakeTheFingerprintFromAFileWhenTheDecisionDoesNotRecordIt() throws Exception {
        Path fingerprint = temp.getRoot().toPath().resolve("fingerprint.json");
        CliRun recorded = CliRun.run("publish", "fingerprint", "--checkpoint", evaluated.toString(), "--out",
                fingerprint.toString());
        Path noRecord = decision("ACCEPT", true, null);

        CliRun missing = publish(noRecord, evaluated);
        CliRun withFile = publish(noRecord, evaluated, "--fingerprint", fingerprint.toString());

        assertThat(recorded.exitCode()).as(recorded.toString()).isEqualTo(0);
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("checkpoint_fingerprint: missing");
        assertThat(withFile.exitCode()).as(withFile.toString()).isEqualTo(0);
    }

    @Test
    public void shouldRefuseAnUploadCommandLineThatCarriesACredential() throws Exception {
        CliRun run = CliRun.run(Map.of("HF_TOKEN", "hf_abcdefghijklmnopqrstuvwxyz012345"), "publish", "--decision",
                decision("ACCEPT", true, evaluated).toString(), "--checkpoint", evaluated.toString(), "--",
                "huggingface-cli", "upload", "--token", "hf_abcdefghijklmnopqrstuvwxyz012345", "org/model");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("COMMAND: argument 4: carries a credential")
                .doesNotContain("hf_abcdefghijklmnopqrstuvwxyz012345");
        assertThat(run.out()).doesNotContain("hf_abcdefghijklmnopqrstuvwxyz012345");
    }

    @Test
    public void shouldMarkARejectedExportAndNeverPublishIt() throws Exception {
        Path sibling = CheckpointFixture.write(work.resolve("export-nvfp4-calib2"), "model.layers.0.weight");

        CliRun reject = CliRun.run("publish", "--reject", "--checkpoint", sibling.toString(), "--work-dir",
                work.toString());

        assertThat(reject.exitCode()).as(reject.toString()).isEqualTo(0);
        Path marked = work.resolve("REJECTED-export-nvfp4-calib2");
        assertThat(marked).isDirectory();
        assertThat(sibling).doesNotExist();
        CliRun publishMarked = publish(decision("ACCEPT", true, marked), marked);
        assertThat(publishMarked.exitCode()).isEqualTo(1);
        assertThat(publishMarked.out()).contains("a rejected export is never published");
        assertThat(CliRun.run("publish", "--reject", "--checkpoint", evaluated.toString(), "--work-dir",
                temp.newFolder("elsewhere").toString()).exitCode()).isEqualTo(2);
        assertThat(CliRun.run("publish", "--reject", "--checkpoint", evaluated.toString(), "--decision",
                decision("ACCEPT", true, evaluated).toString()).exitCode()).isEqualTo(1);
        assertThat(evaluated).isDirectory();
    }

    @Test
    public void shouldReportAFailedUploadWithItsOwnExitCode() throws Exception {
        CliRun run = CliRun.run(Map.of("PATH", System.getenv("PATH")), "publish", "--decision",
                decision("ACCEPT", true, evaluated).toString(), "--checkpoint", evaluated.toString(), "--", "sh",
                "-c", "exit 7");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(Json.parse(run.out(), "stdout").path("upload_exit_code").asInt()).isEqualTo(7);
    }
}
