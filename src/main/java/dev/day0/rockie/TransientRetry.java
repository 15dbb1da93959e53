package dev.day0.rockie;

import java.io.IOException;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * Idempotent platform reads (quotes, job state, artifact lists and downloads) retried on transient failures: no
 * connection, a timeout, HTTP 408, 429 or 5xx. The delay doubles per failure up to a ceiling, and each retry is
 * announced. A submission never goes through {@link #run}: a POST that may have landed must not land twice, so
 * {@link SubmitFlow} retries it only when the connection was never made, with {@link #pause} between attempts.
 */
public final class TransientRetry {
    static final double MAX_DELAY_SECONDS = 60;

    /** One request. */
    public interface Call {
        RockieClient.Response call() throws IOException, InterruptedException;
    }

    private final Events events;
    private final int maxRetries;
    private final double baseSeconds;
    private final DoubleUnaryOperator jitter;
    private String lastProblem;
    private RockieClient.Response lastResponse;

    /**
     * @param maxRetries retries after the first attempt
     * @param baseSeconds the first delay; it doubles per failure up to {@link #MAX_DELAY_SECONDS}
     * @param jitter turns the delay into the one waited (identity for none)
     */
    public TransientRetry(Events events, int maxRetries, double baseSeconds, DoubleUnaryOperator jitter) {
        this.events = events;
        this.maxRetries = maxRetries;
        this.baseSeconds = baseSeconds;
        this.jitter = jitter;
    }

    static boolean isTransient(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    int maxRetries() {
        return maxRetries;
    }

    /** What the last transient failure was, for the message when retries ran out. */
    public String lastProblem() {
        return lastProblem;
    }

    /** The last transient answer, or null when none came (connection failures only). */
    public RockieClient.Response lastResponse() {
        return lastResponse;
    }

    /** The first answer that is not transient, or null when failures persisted past the limit. */
    public RockieClient.Response run(String what, Call call) throws InterruptedException {
        int failures = 0;
        while (true) {
            try {
                RockieClient.Response response = call.call();
                if (!isTransient(response.status())) {
                    return response;
                }
                lastProblem = "HTTP " + response.status();
                lastResponse = response;
            } catch (IOException e) {
                lastProblem = SubmitFlow.describe(e);
            }
            failures++;
            if (failures > maxRetries) {
                return null;
            }
            pause(what + ": " + lastProblem, failures);
        }
    }

    /** Announces and waits out the backoff after failure number {@code attempt} (1-based). */
    void pause(String what, int attempt) throws InterruptedException {
        double delay = jitter.applyAsDouble(Math.min(baseSeconds * Math.pow(2, attempt - 1), MAX_DELAY_SECONDS));
        events.say(String.format(Locale.ROOT, "rockie: %s; retry %d of %d in %.1f s", what, attempt, maxRetries,
                delay));
        Thread.sleep(Math.max(1L, Math.round(delay * 1000)));
    }
}
