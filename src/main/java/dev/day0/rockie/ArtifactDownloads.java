package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.Json;
import dev.day0.io.VerbatimFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The artifacts of a finished job: listed by the platform, downloaded from their signed URLs into the state's
 * artifacts directory, each checked against its declared size (a partial or oversized download is a problem, never
 * a result) and recorded with its digest. The bytes are copied as they are (VerbatimFiles): an artifact is never
 * read as text, printed or logged, and a signed URL appears nowhere but in the request.
 */
final class ArtifactDownloads {
    private final SubmitRequest request;
    private final RockieClient client;
    private final Events out;
    private final TransientRetry retry;

    ArtifactDownloads(SubmitRequest request, RockieClient client, Events out, TransientRetry retry) {
        this.request = request;
        this.client = client;
        this.out = out;
        this.retry = retry;
    }

    /**
     * Downloads every artifact of the state's job, checks its size, records it in the state (saved with
     * {@code save}) and returns the problems (empty when all is well).
     */
    List<String> fetch(SubmissionState state, Runnable save) throws InterruptedException {
        String jobId = state.jobId();
        List<String> problems = new ArrayList<>();
        RockieClient.Response response = retry.run("GET /api/jobs/" + jobId + "/artifacts",
                () -> client.getArtifacts(jobId));
        if (response == null) {
            problems.add("the artifact list could not be read: " + retry.lastProblem());
            return problems;
        }
        JsonNode answer = SubmitFlow.parseQuietly(response.body());
        JsonNode list = answer == null ? null : answer.isArray() ? answer : answer.get("artifacts");
        if (!response.ok() || list == null || !list.isArray()) {
            problems.add("the artifact list could not be read (HTTP " + response.status() + ")");
            return problems;
        }
        Path dir = state.artifactsDir().toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            problems.add("cannot create " + dir + ": " + e.getMessage());
            return problems;
        }
        ArrayNode recorded = state.artifacts();
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String name = SubmitFlow.text(item, "name", "path");
            String url = SubmitFlow.text(item, "url", "signed_url");
            JsonNode sizeNode = item.has("size_bytes") ? item.get("size_bytes") : item.get("size");
            Long size = dev.day0.io.Fields.wholeNumber(sizeNode);
            String label = name == null ? "artifact #" + i : name;
            if (name == null || url == null) {
                problems.add(label + ": no name or no URL");
                continue;
            }
            if (size == null || size < 0) {
                problems.add(label + ": the platform gave no size, so the download cannot be checked");
                continue;
            }
            Path target = dir.resolve(name).normalize();
            if (name.startsWith("/") || name.contains("\\") || !target.startsWith(dir) || target.equals(dir)) {
                problems.add(label + ": unsafe name (it would land outside " + dir + ")");
                continue;
            }
            URI uri;
            try {
                uri = client.config().apiUrl().resolve(new URI(url));
            } catch (URISyntaxException | IllegalArgumentException e) {
                problems.add(label + ": the URL is not valid");
                continue;
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                problems.add(label + ": the URL is not http(s)");
                continue;
            }
            String problem = download(label, uri, target, size);
            if (problem != null) {
                problems.add(problem);
                continue;
            }
            ObjectNode entry = recorded.addObject();
            entry.put("name", name);
            entry.put("size_bytes", size);
            entry.put("path", dir.relativize(target).toString());
            entry.put("sha256", FileDigest.sha256(target));
            ObjectNode event = Json.object();
            event.put("event", "artifact");
            event.put("name", name);
            event.put("size_bytes", size);
            event.put("path", target.toString());
            out.event(event);
        }
        save.run();
        if (!problems.isEmpty()) {
            out.say("rockie: artifact problems: " + String.join("; ", problems));
        } else {
            out.say("rockie: " + recorded.size() + " artifact(s) in " + dir + ", sizes checked");
        }
        return problems;
    }

    private String download(String label, URI uri, Path target, long size) throws InterruptedException {
        try {
            if (Files.isRegularFile(target) && Files.size(target) == size) {
                return null;
            }
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            return label + ": " + e.getMessage();
        }
        int attempt = 0;
        String lastProblem = null;
        while (true) {
            Path temp = null;
            try {
                temp = Files.createTempFile(target.getParent(), ".download", ".part");
                long[] result = client.download(uri, temp, size + 1);
                int status = (int) result[0];
                if (status >= 200 && status < 300) {
                    if (result[1] != size) {
                        return label + ": downloaded " + (result[1] > size ? "more than " + size : result[1])
                                + " bytes, the platform declared " + size;
                    }
                    VerbatimFiles.replace(temp, target);
                    return null;
                }
                if (!TransientRetry.isTransient(status)) {
                    return label + ": download answered HTTP " + status;
                }
                lastProblem = "HTTP " + status;
            } catch (IOException e) {
                lastProblem = SubmitFlow.describe(e);
            } finally {
                deleteQuietly(temp);
            }
            attempt++;
            if (attempt > request.maxRetries()) {
                return label + ": download failed after " + attempt + " attempts (" + lastProblem + ")";
            }
            retry.pause("download " + label + ": " + lastProblem, attempt);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover .part file is harmless: the next download writes a new temporary file.
            }
        }
    }
}
