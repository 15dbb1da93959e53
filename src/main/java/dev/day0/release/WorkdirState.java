package dev.day0.release;

import dev.day0.core.Stage;
import dev.day0.io.FileDigest;
import dev.day0.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rules for the state a work directory holds: which run a command may start or continue there, and whether the
 * evidence the completed stages recorded is still the evidence they judged.
 */
final class WorkdirState {
    /** State note on a judgement that a resume reset to be made again: its recorded evidence stays binding. */
    static final String JUDGE_AGAIN = "judge_again";
    private static final List<String> OWN_DIRECTORIES = List.of("logs", "stages", "evidence", "gates", "report",
            "rockie", "slurm");

    private WorkdirState() {
    }

    /**
     * The run to continue (resume: it must exist and be of this plan) or a new one (refused over an unfinished
     * run; a finished one is replaced and the directories it wrote emptied).
     */
    static ReleaseState open(Path workdir, ReleasePlan plan, Progress progress, String toolVersion, boolean resume) {
        ReleaseState state = openState(workdir, plan, progress, toolVersion, resume);
        String leftover = CanaryLeftover.end(workdir);
        if (leftover != null) {
            progress.line("day0 release: " + leftover);
            state.note(Stage.CANARY, CanaryLeftover.NOTE, leftover);
        }
        return state;
    }

    private static ReleaseState openState(Path workdir, ReleasePlan plan, Progress progress, String toolVersion,
                                          boolean resume) {
        Path stateFile = ReleaseState.fileIn(workdir);
        boolean exists = Files.exists(stateFile);
        if (resume) {
            if (!exists) {
                throw new InputException(stateFile.toString(), "", "no run to resume here (run without --resume "
                        + "to start one)");
            }
            ReleaseState loaded = ReleaseState.load(workdir);
            if (!loaded.planSha256().equals(plan.sha256())) {
                throw new InputException(plan.file().toString(), "", "changed since the run in " + workdir
                        + " started (plan sha256 " + loaded.planSha256().substring(0, 12) + "... then, "
                        + plan.sha256().substring(0, 12) + "... now): resuming would mix two plans; restore the "
                        + "plan, or start a new run with another --workdir");
            }
            progress.line("day0 release: resuming " + plan.name() + " in " + workdir + " (last completed stage: "
                    + (loaded.lastCompleted() == null ? "none" : loaded.lastCompleted()) + ")");
            return loaded;
        }
        if (exists) {
            ReleaseState existing = ReleaseState.load(workdir);
            if (existing.status() != ReleaseState.Status.FINISHED) {
                throw new InputException(stateFile.toString(), "", "an unfinished run is here ("
                        + existing.status().name().toLowerCase(Locale.ROOT) + ", last completed stage: "
                        + (existing.lastCompleted() == null ? "none" : existing.lastCompleted())
                        + "): continue it with --resume, or choose another --workdir");
            }
            progress.line("day0 release: replacing the finished run in " + workdir);
        }
        clearOwnDirectories(workdir, exists);
        ReleaseState created = ReleaseState.create(workdir, plan, toolVersion);
        progress.line("day0 release: " + plan.name() + " (" + plan.model() + ", recipe " + plan.recipe() + ", "
                + plan.tasks().size() + " tasks, threshold " + plan.threshold() + ") in " + workdir);
        return created;
    }

    /**
     * A judgement made before: completed, or reset by an earlier resume to be made again and not made yet (that
     * process ended first). Either way its recorded evidence is what it must judge.
     */
    static boolean judgedBefore(ReleaseState state, Stage stage) {
        return stage.judges() && (state.stageStatus(stage) == ReleaseState.StageStatus.COMPLETED
                || state.note(stage, JUDGE_AGAIN) != null);
    }

    /** Refuses to continue when a file a completed stage recorded is missing or differs from its recorded sha256. */
    static void verifyEvidence(ReleaseState state, Path workdir) {
        for (Stage stage : Stage.chain()) {
            if (state.stageStatus(stage) != ReleaseState.StageStatus.COMPLETED && !judgedBefore(state, stage)) {
                continue;
            }
            if (stage.judges() && !state.hasEvidence(stage)) {
                throw ReleaseState.refuse(workdir, "stages." + stage + " completed but records no evidence "
                        + "digests, so its judgement cannot be made again: start a new run with another --workdir");
            }
            for (Map.Entry<Path, String> entry : state.evidence(stage).entrySet()) {
                Path file = entry.getKey();
                String problem = !Files.isRegularFile(file) ? "is missing"
                        : !FileDigest.sha256(file).equals(entry.getValue()) ? "has changed (sha256 "
                        + entry.getValue().substring(0, Math.min(12, entry.getValue().length())) + "... then)" : null;
                if (problem != null) {
                    throw new InputException(file.toString(), "", problem + " since stage " + stage + " recorded "
                            + "it as evidence: a resume judges only the evidence the run recorded; restore the "
                            + "file, or start a new run with another --workdir");
                }
            }
        }
    }

    /**
     * Empties the directories a previous run of this work directory wrote, so no stale evidence can be judged as
     * new. Without a state.json the directory is not known to be day0's: then nothing is deleted, and a
     * directory that already holds those names is refused.
     */
    private static void clearOwnDirectories(Path workdir, boolean ownedByDay0) {
        for (String dir : OWN_DIRECTORIES) {
            Path path = workdir.resolve(dir);
            if (ownedByDay0) {
                StageContext.deleteTree(path);
            } else if (Files.exists(path)) {
                throw new InputException(workdir.toString(), "", "holds " + dir + "/ but no state.json: not a "
                        + "day0 work directory; choose a new or empty --workdir");
            }
        }
    }
}
