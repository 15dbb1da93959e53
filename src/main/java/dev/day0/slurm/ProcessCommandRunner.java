package dev.day0.slurm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs commands as local subprocesses; stdout and stderr are read on their own threads so neither pipe fills. */
public final class ProcessCommandRunner implements CommandRunner {

    @Override
    public Result run(List<String> argv, String stdin, Map<String, String> environment, Duration timeout)
            throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().putAll(environment);
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Result(-1, "", "", "cannot start " + argv.get(0) + ": " + e.getMessage());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outPump = pump(process.getInputStream(), out);
        Thread errPump = pump(process.getErrorStream(), err);
        try {
            if (stdin != null) {
                try (OutputStream input = process.getOutputStream()) {
                    input.write(stdin.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // The command exited without reading its input; its exit code and stderr say why.
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                end(process);
                return new Result(-1, text(out), text(err),
                        argv.get(0) + " did not answer within " + (timeout.toMillis() < 1000
                                ? timeout.toMillis() + " ms" : timeout.toSeconds() + " s"));
            }
            outPump.join(2_000);
            errPump.join(2_000);
            return new Result(process.exitValue(), text(out), text(err), null);
        } catch (InterruptedException e) {
            end(process);
            throw e;
        }
    }

    private static void end(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static Thread pump(InputStream stream, ByteArrayOutputStream sink) {
        Thread thread = new Thread(() -> {
            try (stream) {
                stream.transferTo(sink);
            } catch (IOException e) {
                // The process was ended; what it printed so far is kept.
            }
        }, "day0-slurm-pipe");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static String text(ByteArrayOutputStream bytes) {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
