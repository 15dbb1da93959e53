package dev.day0.evidence.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** A results file of either format (lm-evaluation-harness or NeMo Evaluator), seen through what inspection needs. */
interface EvalResultsFile {
    Path file();

    /** The directories the results speak for (where per-sample files are looked up). */
    List<String> roots();

    /** The task and group names the file holds. */
    Set<String> names();

    /** The evidence for one task of the task map. */
    TaskEvidence evaluate(TaskMap.TaskSpec spec, String expectedOrigin);

    /** Whether this file holds the task a map entry asks for (a name, or subtasks to aggregate). */
    default boolean holds(TaskMap.TaskSpec spec) {
        return names().contains(spec.source());
    }

    /** What the file (or a configuration file beside it) records about how the run was made. */
    RunConfig config();

    /** Per-sample files the run wrote for some tasks but not for these (the run summary says so). */
    default java.util.List<String> samplesNotFound() {
        return java.util.List.of();
    }
}
