package dev.day0.release;

import dev.day0.core.Stage;
import dev.day0.redact.Redactor;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress for people, on stderr: the current stage and its elapsed time, the output of local commands, each
 * gate's verdict as it lands. On a terminal a spinner line redraws in place while the run waits; elsewhere (CI
 * logs, files) only plain lines are written, with a "still waiting" line every minute of silence.
 */
final class Progress implements AutoCloseable {
    private static final String[] FRAMES = {"|", "/", "-", "\\"};
    private static final long PLAIN_REMINDER_MILLIS = 60_000;

    private final PrintWriter err;
    private final Redactor redactor;
    private final boolean live;
    private final long runStart = System.nanoTime();
    private final Object lock = new Object();
    private String waitingLabel;
    private long waitingSince;
    private long lastPrinted = System.nanoTime();
    private int frame;
    private boolean spinnerShown;
    private Thread ticker;

    Progress(PrintWriter err, Redactor redactor, boolean live) {
        this.err = err;
        this.redactor = redactor;
        this.live = live;
    }

    Redactor redactor() {
        return redactor;
    }

    /** One line for people; redacted, and never mixed into a spinner line. */
    void line(String text) {
        synchronized (lock) {
            clearSpinner();
            err.println(redactor.redact(text));
            err.flush();
            lastPrinted = System.nanoTime();
        }
    }

    void stage(Stage stage, String what) {
        line(String.format(Locale.ROOT, "[%d/%d] %s: %s", stage.position(), Stage.chain().size(), stage, what));
    }

    /** How a stage ended: a verdict, a gate's pass or fail, or whether the work was done, with the time it took. */
    void verdict(Stage stage, StepResult result, double elapsed) {
        String took = String.format(Locale.ROOT, " (%.1f s, total %s)", elapsed, elapsedTotal());
        if (stage.kind() == Stage.Kind.VERDICT) {
            line("  verdict: " + result.result().path("decision").asText("ANOMALOUS") + ": " + result.detail()
                    + took);
        } else if (stage.kind() == Stage.Kind.GATE) {
            line("  verdict: " + (result.pass() ? "PASS" : "FAIL " + result.failureClass()) + ": " + result.detail()
                    + took);
        } else {
            line("  " + (result.pass() ? "done" : "failed " + result.failureClass()) + ": " + result.detail() + took);
        }
    }

    /** A line of a stage's own output, prefixed with the stage name. */
    void output(String stage, String text) {
        line("  " + stage + " | " + text);
    }

    /** Starts showing that the run waits on something; {@link #doneWaiting()} ends it. */
    void waiting(String label) {
        synchronized (lock) {
            waitingLabel = label;
            waitingSince = System.nanoTime();
            lastPrinted = waitingSince;
        }
        if (ticker == null) {
            ticker = new Thread(this::tick, "day0-progress");
            ticker.setDaemon(true);
            ticker.start();
        }
    }

    void doneWaiting() {
        synchronized (lock) {
            clearSpinner();
            waitingLabel = null;
        }
    }

    String elapsedTotal() {
        return seconds(System.nanoTime() - runStart);
    }

    static String seconds(long nanos) {
        double s = nanos / 1e9;
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        long whole = Math.round(s);
        return String.format(Locale.ROOT, "%dm%02ds", whole / 60, whole % 60);
    }

    private void tick() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(live ? 200 : 1000);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (lock) {
                if (waitingLabel == null) {
                    continue;
                }
                long now = System.nanoTime();
                String text = waitingLabel + " (" + seconds(now - waitingSince) + ")";
                if (live) {
                    frame = (frame + 1) % FRAMES.length;
                    err.print("\r\033[2K" + FRAMES[frame] + " " + redactor.redact(text));
                    err.flush();
                    spinnerShown = true;
                } else if ((now - lastPrinted) / 1_000_000 >= PLAIN_REMINDER_MILLIS) {
                    err.println(redactor.redact("  ... " + text));
                    err.flush();
                    lastPrinted = now;
                }
            }
        }
    }

    private void clearSpinner() {
        if (spinnerShown) {
            err.print("\r\033[2K");
            spinnerShown = false;
        }
    }

    @Override
    public void close() {
        doneWaiting();
        if (ticker != null) {
            ticker.interrupt();
        }
    }
}
