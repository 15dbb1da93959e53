package dev.day0.rockie;

import java.nio.file.Path;
import java.util.Map;

/** The submit command's options after parsing, as the submission flow needs them. */
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
}
