package dev.day0.rockie;

import dev.day0.io.FileDigest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one submission needs: the job script (text and sha256), its shape, the approved sheet, the job's
 * environment, where state and artifacts go, and how to poll. Build it with {@link #builder()}; the defaults are
 * those of {@code day0 rockie submit}.
 */
public record SubmitRequest(
        Path scriptFile,
        String script,
        String scriptSha256,
        GpuType gpuType,
        int gpuCount,
        long timeoutSeconds,
        String region,
        String tier,
        Path termSheetFile,
        Map<String, String> jobEnv,
        String originSkill,
        String monitoringProfileId,
        String notebookId,
        String runName,
        String runId,
        Path stateFile,
        Path artifactsDir,
        Path ledgerDir,
        boolean noWait,
        boolean confirmResubmit,
        double pollIntervalSeconds,
        double httpTimeoutSeconds,
        int maxRetries,
        long graceSeconds) {

    /** A script larger than this is refused: data travels as artifacts, not in the script. */
    public static final long MAX_SCRIPT_BYTES = 4L << 20;
    /** The dashboard monitoring profiles the platform knows. */
    public static final Set<String> MONITORING_PROFILES =
            Set.copyOf(MonitoringProfiles.BUNDLED);
    /** A job environment variable whose name says its value is a secret: masked wherever it could appear. */
    public static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH|COOKIE|SIGNATURE|SAS).*");

    public static Builder builder() {
        return new Builder();
    }

    /** Collects a request field by field; {@link #build()} checks that the required ones are there. */
    public static final class Builder {
        private Path scriptFile;
        private String script;
        private String scriptSha256;
        private GpuType gpuType;
        private int gpuCount;
        private long timeoutSeconds;
        private String region;
        private String tier;
        private Path termSheetFile;
        private Map<String, String> jobEnv = Map.of();
        private String originSkill = "day0";
        private String monitoringProfileId;
        private String notebookId;
        private String runName;
        private String runId;
        private Path stateFile;
        private Path artifactsDir;
        private Path ledgerDir;
        private boolean noWait;
        private boolean confirmResubmit;
        private double pollIntervalSeconds = 10;
        private double httpTimeoutSeconds = 30;
        private int maxRetries = 5;
        private long graceSeconds = 1800;

        private Builder() {
        }

        /** The script file only, for checks that do not need its text (the preflight). */
        public Builder scriptFile(Path file) {
            this.scriptFile = file;
            return this;
        }

        /**
         * Reads the job script: UTF-8 text, not empty, at most {@link #MAX_SCRIPT_BYTES}; its text and sha256 go
         * into the request. A script that cannot be used is a usage refusal naming the file.
         */
        public Builder readScript(Path file) {
            byte[] bytes;
            try {
                if (Files.isDirectory(file)) {
                    throw RockieException.usage(file + ": is a directory, expected the job script");
                }
                if (Files.size(file) > MAX_SCRIPT_BYTES) {
                    throw RockieException.usage(file + ": larger than 4 MiB; ship data as artifacts, not in "
                            + "the script");
                }
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw RockieException.usage(file + ": file not found");
            } catch (IOException e) {
                throw RockieException.usage(file + ": cannot be read: " + e.getMessage());
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw RockieException.usage(file + ": not UTF-8 text");
            }
            if (text.isBlank()) {
                throw RockieException.usage(file + ": the script is empty");
            }
            this.scriptFile = file;
            this.script = text;
            this.scriptSha256 = FileDigest.sha256(bytes);
            return this;
        }

        public Builder shape(GpuType type, int count, long timeout, String region, String tier) {
            this.gpuType = type;
            this.gpuCount = count;
            this.timeoutSeconds = timeout;
            this.region = region;
            this.tier = tier;
            return this;
        }

        public Builder termSheet(Path file) {
            this.termSheetFile = file;
            return this;
        }

        public Builder jobEnv(Map<String, String> environment) {
            this.jobEnv = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
            return this;
        }

        public Builder originSkill(String skill) {
            this.originSkill = skill;
            return this;
        }

        /** The dashboard block: a notebook, its monitoring profile and the run's name (each may be null). */
        public Builder dashboard(String notebook, String profile, String name) {
            this.notebookId = notebook;
            this.monitoringProfileId = profile;
            this.runName = name;
            return this;
        }

        public Builder runId(String id) {
            this.runId = id;
            return this;
        }

        public Builder stateFile(Path file) {
            this.stateFile = file;
            return this;
        }

        public Builder artifactsDir(Path dir) {
            this.artifactsDir = dir;
            return this;
        }

        public Builder ledgerDir(Path dir) {
            this.ledgerDir = dir;
            return this;
        }

        public Builder noWait(boolean value) {
            this.noWait = value;
            return this;
        }

        public Builder confirmResubmit(boolean value) {
            this.confirmResubmit = value;
            return this;
        }

        public Builder pollIntervalSeconds(double seconds) {
            this.pollIntervalSeconds = seconds;
            return this;
        }

        public Builder httpTimeoutSeconds(double seconds) {
            this.httpTimeoutSeconds = seconds;
            return this;
        }

        public Builder maxRetries(int retries) {
            this.maxRetries = retries;
            return this;
        }

        public Builder graceSeconds(long seconds) {
            this.graceSeconds = seconds;
            return this;
        }

        public SubmitRequest build() {
            Objects.requireNonNull(scriptFile, "scriptFile");
            Objects.requireNonNull(gpuType, "gpuType");
            Objects.requireNonNull(termSheetFile, "termSheetFile");
            Objects.requireNonNull(stateFile, "stateFile");
            return new SubmitRequest(scriptFile, script, scriptSha256, gpuType, gpuCount, timeoutSeconds, region,
                    tier, termSheetFile, jobEnv, originSkill, monitoringProfileId, notebookId, runName, runId,
                    stateFile, artifactsDir, ledgerDir, noWait, confirmResubmit, pollIntervalSeconds,
                    httpTimeoutSeconds, maxRetries, graceSeconds);
        }
    }
}
