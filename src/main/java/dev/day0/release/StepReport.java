package dev.day0.release;

import dev.day0.core.Stage;
import java.nio.file.Path;

/**
 * What one {@link Conductor#step()} did and what the next one does: the stage it ran and how that ended (null when it
 * ran nothing), the stage the next step runs, the quote a person must approve before that stage spends GPU
 * money (null when none is needed), and the outcome once closeout ran (then the run is done).
 */
public record StepReport(Stage ran, StepResult result, Stage next, Path termSheet, String termSheetText,
                         Conductor.Outcome outcome) {
    public boolean done() {
        return outcome != null;
    }
}
