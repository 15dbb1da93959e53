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
}
