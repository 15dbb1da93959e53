package dev.day0.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.CommonExit;
import dev.day0.core.ExitCode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.publish.CheckpointFingerprint;
import dev.day0.publish.PublishGuard;
import dev.day0.publish.Rejection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code day0 publish}: runs the user's upload command only for the checkpoint that was evaluated and accepted;
 * {@code --reject} marks an export that was not; {@code publish fingerprint} records what a checkpoint is.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish exactly what was evaluated: run COMMAND only when the decision is ACCEPT (accuracy "
                + "and verbosity) and the checkpoint's fingerprint equals the evaluated one.",
        footer = {"", "  day0 publish --decision decision.json --checkpoint DIR [--fingerprint FILE] -- COMMAND...",
            "  day0 publish --reject --checkpoint DIR [--work-dir DIR] [--decision decision.json]",
            "  day0 publish fingerprint --checkpoint DIR [--out FILE]",
            "", "Credentials for COMMAND belong in the environment, never on its command line (refused).",
            "Details: docs/publish.md."})
@ExitCodeFamily(PublishExit.class)
@Subcommands({PublishCommand.Fingerprint.class})
public final class PublishCommand extends EngineCommand {
    static final int PUBLISHED = PublishExit.PUBLISHED.code();
    static final int REFUSED = PublishExit.REFUSED.code();
    static final int UPLOAD_FAILED = PublishExit.UPLOAD_FAILED.code();

    @Option(names = "--decision", paramLabel = "FILE", description = "decision.json of the release.")
    Path decision;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "The exported checkpoint directory to publish (or to reject).")
    Path checkpoint;

    @Option(names = "--fingerprint", paramLabel = "FILE",
            description = "The evaluated checkpoint's fingerprint ('day0 publish fingerprint'), when decision.json "
                    + "does not record it in checkpoint_fingerprint.")
    Path fingerprint;

    @Option(names = "--accuracy-only",
            description = "Publish on an ACCEPT that has no verbosity verdict (deliberately; recorded in the output).")
    boolean accuracyOnly;

    @Option(names = "--reject", description = "Mark the checkpoint as not accepted: rename its directory to "
            + "REJECTED-<name> in place.")
    boolean reject;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "With --reject: the checkpoint must lie inside DIR.")
    Path workDir;

    @Mixin
    OutFile out = new OutFile();

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The upload command and its arguments, after --.")
    List<String> command;

    @Override
    public Integer call() {
        if (checkpoint == null) {
            throw new InputException("--checkpoint", "", "is required: the checkpoint directory to "
                    + (reject ? "reject" : "publish"));
        }
        return reject ? markRejected() : publish();
    }

    private int markRejected() {
        if (command != null && !command.isEmpty()) {
            throw new InputException("--reject", "", "takes no COMMAND: a rejected export is never uploaded");
        }
        ObjectNode result = Json.object();
        if (decision != null) {
            String recorded = Json.read(decision).path("decision").asText("");
            if ("ACCEPT".equals(recorded)) {
                result.put("rejected", false);
                result.put("detail", decision + " says ACCEPT: refusing to mark the accepted export rejected");
                return done(result, REFUSED);
            }
        }
        Path marked = Rejection.mark(checkpoint, workDir);
        result.put("rejected", true);
        result.put("checkpoint", marked.toString());
        result.put("detail", marked.equals(checkpoint.toAbsolutePath().normalize())
                ? "already marked " + Rejection.PREFIX : "renamed " + checkpoint + " to " + marked);
        console().info("day0: " + result.path("detail").asText());
        return done(result, PUBLISHED);
    }

    private int publish() {
        if (decision == null) {
            throw new InputException("--decision", "", "is required to publish (or use --reject)");
        }
        if (command == null || command.isEmpty()) {
            throw new InputException("COMMAND", "", "missing: give the upload command after --");
        }
        for (int i = 0; i < command.size(); i++) {
            if (console().redactor().containsSecret(command.get(i))) {
                throw new InputException("COMMAND", "argument " + (i + 1), "carries a credential; pass it to the "
                        + "upload command in the environment instead");
            }
        }
        PublishGuard.Verdict verdict = PublishGuard.check(Json.read(decision), decision.toString(),
                fingerprint == null ? null : Json.read(fingerprint), fingerprint == null ? null
                        : fingerprint.toString(), checkpoint, accuracyOnly);
        ObjectNode result = Json.object();
        result.put("decision", verdict.decision());
        result.put("checkpoint", checkpoint.toString());
        result.put("evaluated_fingerprint", verdict.evaluatedDigest());
        result.put("checkpoint_fingerprint", verdict.checkpointDigest());
        result.put("accuracy_only", accuracyOnly);
        ArrayNode reasons = result.putArray("refused_because");
        verdict.reasons().forEach(reasons::add);
        if (!verdict.allowed()) {
            result.put("published", false);
            result.put("detail", "refused: " + String.join("; ", verdict.reasons()));
            verdict.reasons().forEach(reason -> console().info("day0: publish refused: " + reason));
            return done(result, REFUSED);
        }
        console().info("day0: publishing " + checkpoint + " (fingerprint " + verdict.checkpointDigest() + ")");
        // Printed only now, after the credential check, so a pipeline can leave it out of its own log line.
        console().info("day0: upload command: " + String.join(" ", command));
        int uploadExit = runUpload();
        result.put("upload_exit_code", uploadExit);
        result.put("published", uploadExit == 0);
        result.put("detail", uploadExit == 0 ? "uploaded the evaluated checkpoint"
                : "the upload command exited " + uploadExit);
        return done(result, uploadExit == 0 ? PUBLISHED : UPLOAD_FAILED);
    }

    /** Runs COMMAND with day0's environment (where credentials live), its output redacted onto stderr. */
    private int runUpload() {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new InputException("COMMAND", "", "cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                console().info("upload: " + line);
            }
            return process.waitFor();
        } catch (IOException e) {
            process.destroyForcibly();
            console().info("day0: lost the upload command's output: " + e.getMessage());
            return -1;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private int done(ObjectNode result, int code) {
        return out.answer(console(), result, ExitCode.of(PublishExit.class, code).orElse(PublishExit.UPLOAD_FAILED));
    }

    @Command(name = "fingerprint", mixinStandardHelpOptions = true,
            description = "Print the fingerprint of a checkpoint directory: per shard its size and the sha256 of "
                    + "its safetensors header, the sha256 of its config, quantization, tokenizer and generation "
                    + "files.")
    static final class Fingerprint extends EngineCommand {
        @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint directory.")
        Path checkpoint;

        @Mixin
        OutFile out = new OutFile();

        @Override
        public Integer call() {
            return out.answer(console(), CheckpointFingerprint.of(checkpoint).toJson(), CommonExit.OK);
        }
    }
}
