package dev.day0.release;

/**
 * One kind of work in a release run: setup checks, a local process, a Rockie job, reuse, a gate, the comparison,
 * closeout. The conductor picks the runner for each stage, runs it, records what it returns in state.json and
 * triages a failure; a runner never touches the stage's status itself.
 *
 * <p>A runner reads and writes files through its {@link StageContext}, which records each file it read
 * ({@link StageContext#input}) and wrote ({@link StageContext#output}) by sha256 when the stage ends.
 */
public interface StageRunner {
    StepResult run(StageContext ctx);
}
