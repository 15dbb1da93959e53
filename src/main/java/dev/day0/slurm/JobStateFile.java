package dev.day0.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.FailureClass;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The state file of one Slurm job (one stage attempt), written atomically at every step. It is what makes the
 * submission at most once: {@code phase} says how far it got.
 * <ul>
 *   <li>{@code submitting}: written before sbatch runs; no job id known. A resume looks the job up by name.</li>
 *   <li>{@code submitted}: the job id is known; a resume re-attaches to it.</li>
 *   <li>{@code finished}: the job ended (or was cancelled by day0); a resume reads the result, runs nothing.</li>
 *   <li>{@code rejected}: sbatch refused the job, so none exists; a resume may submit again.</li>
 * </ul>
 */
public final class JobStateFile {
    public static final String SCHEMA = "day0.slurm.job/v1";
    public static final String SUBMITTING = "submitting";
    public static final String SUBMITTED = "submitted";
    public static final String FINISHED = "finished";
    public static final String REJECTED = "rejected";

    private final ObjectNode json;

    private JobStateFile(ObjectNode json) {
        this.json = json;
    }

    static JobStateFile start(SlurmJobSpec spec, String scriptSha256) {
        ObjectNode json = Json.object();
        json.put("schema", SCHEMA);
        json.put("phase", SUBMITTING);
        json.put("job_name", spec.jobName());
        json.put("comment", spec.comment());
        json.put("plan", spec.plan());
        json.put("stage", spec.stage());
        json.put("attempt", spec.attempt());
        json.putNull("job_id");
        json.put("output_path", spec.outputPath());
        json.put("output_offset", 0);
        json.put("script_sha256", scriptSha256);
        json.putNull("state");
        json.putNull("exit_code");
        json.putNull("reason");
        json.putNull("cancelled_by");
        json.putNull("outcome");
        json.putNull("failure_class");
        json.putNull("detail");
        String now = now();
        json.put("created_at", now);
        json.putNull("submitted_at");
        json.putNull("finished_at");
        json.put("updated_at", now);
        return new JobStateFile(json);
    }

    /** The state in this file, or null when there is none yet. A file that is not a job state is an input error. */
    public static JobStateFile readIfExists(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode node = Json.read(file);
        if (!node.isObject() || !SCHEMA.equals(node.path("schema").asText(null))) {
            throw new InputException(file.toString(), "schema", "is not a Slurm job state (" + SCHEMA + ")");
        }
        return new JobStateFile((ObjectNode) node);
    }

    /**
     * Writes the state atomically. An interrupt (the run being aborted) must not cost the record that keeps the
     * submission at most once and lets the abort cancel the job: NIO writes fail on an interrupted thread, so the
     * flag is held back while the file is written (and the write made again if the interrupt came during it), then
     * set again for the caller.
     */
    void write(Path file, Redactor redactor) {
        json.put("updated_at", now());
        String text = Json.write(json) + "\n";
        boolean interrupted = Thread.interrupted();
        try {
            for (int tries = 1; ; tries++) {
                try {
                    new RedactingWriter(redactor).text(file, text);
                    return;
                } catch (java.io.UncheckedIOException e) {
                    boolean byInterrupt = Thread.interrupted()
                            || e.getCause() instanceof java.nio.channels.ClosedByInterruptException;
                    interrupted |= byInterrupt;
                    if (!byInterrupt || tries >= 3) {
                        throw e;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public String phase() {
        return json.path("phase").asText();
    }

    public String jobName() {
        return json.path("job_name").asText();
    }

    /** The sha256 of the batch script the attempt was submitted with, or null in a file that has none. */
    public String scriptSha256() {
        return json.path("script_sha256").isTextual() ? json.get("script_sha256").asText() : null;
    }

    public String jobId() {
        return json.path("job_id").isTextual() ? json.get("job_id").asText() : null;
    }

    public String outputPath() {
        return json.path("output_path").asText();
    }

    /**
     * How many bytes of the output file were streamed as whole lines: a re-attach continues the tail from here, so
     * a resumed follower neither repeats the job's output nor skips what it printed while day0 was away.
     */
    public long outputOffset() {
        return Math.max(0, json.path("output_offset").asLong(0));
    }

    void streamedTo(long offset) {
        json.put("output_offset", offset);
    }

    public ObjectNode json() {
        return json;
    }

    void submitted(String jobId) {
        json.put("phase", SUBMITTED);
        json.put("job_id", jobId);
        json.put("submitted_at", now());
    }

    void rejected(String detail) {
        json.put("phase", REJECTED);
        json.put("outcome", "REJECTED");
        json.put("failure_class", FailureClass.USER_CONFIG_ERROR.name());
        json.put("detail", detail);
    }

    void observed(JobInfo job) {
        json.put("state", job.state());
        putNullable("exit_code", job.exitCode());
        json.put("reason", job.reason());
        if (job.cancelledBy() != null) {
            json.put("cancelled_by", job.cancelledBy());
        }
    }

    void finished(JobOutcome outcome) {
        json.put("phase", FINISHED);
        json.put("outcome", outcome.kind().name());
        json.put("failure_class", outcome.failureClass() == null ? null : outcome.failureClass().name());
        json.put("detail", outcome.detail());
        json.put("finished_at", now());
    }

    void cancelledBy(String who) {
        json.put("cancelled_by", who);
    }

    /** The outcome a finished state recorded. */
    JobOutcome recordedOutcome() {
        JobOutcome.Kind kind = JobOutcome.Kind.valueOf(json.path("outcome").asText());
        FailureClass failureClass = FailureClass.parse(json.path("failure_class").asText(null)).orElse(null);
        return new JobOutcome(kind, failureClass, json.path("detail").asText(""));
    }

    /** The job as this state last saw it. */
    JobInfo recordedJob() {
        JsonNode exit = json.get("exit_code");
        return new JobInfo(jobId(), jobName(), json.path("state").asText(null),
                exit != null && exit.isInt() ? exit.intValue() : null, null, json.path("reason").asText(null),
                json.path("cancelled_by").asText(null), outputPath(), JobInfo.Source.STATE_FILE);
    }

    private void putNullable(String field, Integer value) {
        if (value == null) {
            json.putNull(field);
        } else {
            json.put(field, value);
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
