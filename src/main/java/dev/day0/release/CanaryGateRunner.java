package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.evidence.serving.ServingCanary;
import dev.day0.io.Json;
import dev.day0.core.FailureClass;
import dev.day0.io.VerbatimFiles;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The canary's gate: the checkpoint is servable only when the canary's recorded verdict says so in its own schema;
 * anything else (not servable, a verdict that is missing, unreadable or of another schema) fails, as
 * CHECKPOINT_NOT_SERVABLE when the canary said so and UNKNOWN when there is no verdict to read. The verdict, the
 * server log and the checkpoint fingerprint are copied into {@code evidence/canary_gate/} first, so a resume judges
 * the same bytes.
 */
final class CanaryGateRunner implements StageRunner {
    static final String VERDICT = "canary";
    static final String SERVER_LOG = "server_log";
    static final String FINGERPRINT = "checkpoint_fingerprint";

    @Override
    public StepResult run(StageContext ctx) {
        Stage gate = Stage.CANARY_GATE;
        ctx.progress().stage(gate, "judging the serving canary"
                + (ctx.rejudging() ? " again, from the evidence recorded for it" : ""));
        ReleaseState state = ctx.state();
        Path verdict = ctx.rejudging() ? state.output(gate, VERDICT) : null;
        if (verdict == null || !Files.isRegularFile(verdict)) {
            StageContext.deleteTree(ctx.evidenceDir(gate));
            Path source = state.output(Stage.CANARY, VERDICT);
            if (source == null || !Files.isRegularFile(source)) {
                return ctx.gateResult(StepResult.failed(FailureClass.UNKNOWN, "the canary recorded no verdict "
                        + "(" + ctx.stageDir(Stage.CANARY).resolve(CanaryRunner.VERDICT_FILE) + " does not exist)")
                        .result());
            }
            verdict = copy(ctx, source, CanaryRunner.VERDICT_FILE, VERDICT);
            copyIfPresent(ctx, state.output(Stage.CANARY, SERVER_LOG), "server.log", SERVER_LOG);
            copyIfPresent(ctx, state.output(Stage.CANARY, FINGERPRINT), CanaryRunner.FINGERPRINT_FILE, FINGERPRINT);
        } else {
            ctx.output(VERDICT, verdict);
        }
        JsonNode doc;
        try {
            doc = Json.read(verdict);
        } catch (RuntimeException e) {
            return ctx.gateResult(StepResult.failed(FailureClass.UNKNOWN, verdict + ": the canary's verdict cannot "
                    + "be read: " + e.getMessage()).result());
        }
        return ctx.gateResult(judge(doc, verdict));
    }

    /** The gate's result on a canary verdict document. */
    static ObjectNode judge(JsonNode doc, Path file) {
        if (!ServingCanary.SCHEMA.equals(doc.path("schema").asText(null))) {
            return StepResult.resultJson(false, FailureClass.UNKNOWN, file + ": schema must be \""
                    + ServingCanary.SCHEMA + "\", found " + doc.path("schema"));
        }
        boolean servable = doc.path("servable").isBoolean() && doc.path("servable").booleanValue();
        String detail = doc.path("detail").asText("");
        ObjectNode result = servable ? StepResult.resultJson(true, null, "the as-exported checkpoint served: "
                + detail) : StepResult.resultJson(false, FailureClass.CHECKPOINT_NOT_SERVABLE,
                "the as-exported checkpoint did not serve: " + detail);
        result.put("gate", "canary");
        result.put("result_line", doc.path("result").asText(""));
        result.set("server_exit", doc.get("server_exit"));
        result.set("server_log", doc.get("server_log"));
        result.set("ceiling_seconds", doc.get("ceiling_seconds"));
        result.set("checkpoint", doc.get("checkpoint"));
        return result;
    }

    private static Path copy(StageContext ctx, Path source, String name, String role) {
        Path target = ctx.evidenceDir(Stage.CANARY_GATE).resolve(name);
        VerbatimFiles.copyEvidence(source, target);
        ctx.state().output(Stage.CANARY_GATE, role + "_source", source);
        ctx.input(source);
        ctx.output(role, target);
        return target;
    }

    private static void copyIfPresent(StageContext ctx, Path source, String name, String role) {
        if (source != null && Files.isRegularFile(source)) {
            copy(ctx, source, name, role);
        }
    }
}
