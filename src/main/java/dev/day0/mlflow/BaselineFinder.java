package dev.day0.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import dev.day0.mlflow.MlflowClient.Experiment;
import dev.day0.mlflow.MlflowClient.Run;
import dev.day0.mlflow.MlflowClient.RunsPage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a baseline evaluation in MLflow that can stand in for running the baseline again: a FINISHED eval run
 * whose model, task set and sampling parameters (and config hash, when the key has one) equal the key's, and which
 * has a finite score for every task of the set.
 *
 * <p>The server filters on the tags; every run it returns is checked again here, so a server that ignores part of a
 * filter cannot produce a wrong match. All pages are read ({@code page_token}) and the newest usable run wins.
 */
public final class BaselineFinder {
    static final int PAGE_SIZE = 1000;
    static final int MAX_PAGES = 100;
    static final List<String> ORDER_BY = List.of("attributes.start_time DESC");
    private static final int MAX_REJECTED_LISTED = 20;

    private final MlflowClient client;

    public BaselineFinder(MlflowClient client) {
        this.client = client;
    }

    /** A run the filter returned that cannot be used, and why. */
    public record Rejected(String runId, String reason) {
    }

    /**
     * The outcome of a search.
     *
     * @param run the matching run, or null when there is none
     * @param scores {@code {task: score}} of the matching run, or null
     * @param runsSeen how many runs the server returned for the filter
     * @param detail one line: what was found, or why there is no match
     */
    public record Result(String experimentId, Run run, ObjectNode scores, int runsSeen, List<Rejected> rejected,
                         String detail) {
        public boolean found() {
            return run != null;
        }
    }

    /** The runs/search filter for a key, as sent to the server. */
    public static String filter(BaselineKey key) {
        StringBuilder filter = new StringBuilder("attributes.status = 'FINISHED'");
        filter.append(" AND tags.`").append(RunTags.KIND).append("` = '").append(RunTags.KIND_EVAL).append('\'');
        for (Map.Entry<String, String> tag : key.tags().entrySet()) {
            filter.append(" AND tags.`").append(tag.getKey()).append("` = '").append(tag.getValue()).append('\'');
        }
        return filter.toString();
    }

    public Result find(String experimentName, BaselineKey key) {
        Optional<Experiment> experiment = client.experimentByName(experimentName);
        if (experiment.isEmpty()) {
            return new Result(null, null, null, 0, List.of(), "no matching baseline: experiment \""
                    + experimentName + "\" does not exist on " + client.trackingUri());
        }
        if (experiment.get().deleted()) {
            return new Result(experiment.get().id(), null, null, 0, List.of(), "no matching baseline: experiment \""
                    + experimentName + "\" is deleted");
        }
        String experimentId = experiment.get().id();
        String filter = filter(key);
        List<Rejected> rejected = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Run best = null;
        ObjectNode bestScores = null;
        String token = null;
        int pages = 0;
        do {
            if (++pages > MAX_PAGES) {
                throw new MlflowException(MlflowException.Kind.BAD_RESPONSE, 200, null, "MLflow runs/search "
                        + "returned more than " + MAX_PAGES + " pages of " + PAGE_SIZE + " runs for one key; "
                        + "a page token that never ends, or an experiment that needs cleaning up");
            }
            RunsPage page = client.searchRuns(experimentId, filter, PAGE_SIZE, ORDER_BY, token);
            for (Run run : page.runs()) {
                if (!seen.add(run.runId())) {
                    continue;
                }
                String problem = problem(run, key);
                if (problem != null) {
                    rejected.add(new Rejected(run.runId(), problem));
                    continue;
                }
                if (best == null || newer(run, best)) {
                    best = run;
                    bestScores = scores(run, key);
                }
            }
            token = page.nextPageToken();
        } while (token != null);

        List<Rejected> listed = rejected.size() > MAX_REJECTED_LISTED
                ? List.copyOf(rejected.subList(0, MAX_REJECTED_LISTED)) : List.copyOf(rejected);
        if (best == null) {
            String detail;
            if (seen.isEmpty()) {
                detail = "no matching baseline: no finished eval run in experiment \"" + experimentName
                        + "\" has model \"" + key.model() + "\", task set " + key.taskSetHash()
                        + ", sampling parameters " + key.samplingParamsHash()
                        + (key.configHash() == null ? "" : " and config hash " + key.configHash());
            } else {
                detail = "no matching baseline: " + seen.size() + " run(s) matched the filter but none is usable: "
                        + rejected.get(0).runId() + ": " + rejected.get(0).reason()
                        + (rejected.size() > 1 ? " (and " + (rejected.size() - 1) + " more)" : "");
            }
            return new Result(experimentId, null, null, seen.size(), listed, detail);
        }
        String detail = "baseline found: run " + best.runId() + " in experiment \"" + experimentName + "\" with "
                + bestScores.size() + " task score(s)" + (seen.size() > 1 ? ", the newest of " + (seen.size()
                - rejected.size()) + " usable run(s)" : "");
        return new Result(experimentId, best, bestScores, seen.size(), listed, detail);
    }

    private static boolean newer(Run run, Run than) {
        if (run.startTime() != than.startTime()) {
            return run.startTime() > than.startTime();
        }
        return run.runId().compareTo(than.runId()) > 0;
    }

    /** Why a run the server returned is not a usable baseline, or null when it is. */
    static String problem(Run run, BaselineKey key) {
        if (!"FINISHED".equals(run.status())) {
            return "status is " + run.status() + ", not FINISHED";
        }
        if (!RunTags.KIND_EVAL.equals(run.tags().get(RunTags.KIND))) {
            return "tag " + RunTags.KIND + " is not \"" + RunTags.KIND_EVAL + "\"";
        }
        String mismatch = key.mismatch(run.tags());
        if (mismatch != null) {
            return mismatch;
        }
        for (String task : key.tasks()) {
            JsonNode value = run.metrics().get(RunTags.SCORE_PREFIX + task);
            if (value == null) {
                return "no metric " + RunTags.SCORE_PREFIX + task;
            }
            if (Fields.finiteNumber(value) == null) {
                return "metric " + RunTags.SCORE_PREFIX + task + " is not a finite number: " + Fields.describe(value);
            }
        }
        return null;
    }

    private static ObjectNode scores(Run run, BaselineKey key) {
        ObjectNode scores = Json.object();
        for (String task : key.tasks()) {
            scores.set(task, run.metrics().get(RunTags.SCORE_PREFIX + task));
        }
        return scores;
    }
}
