package dev.day0.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built engine jar as a separate process, exactly as {@code bin/day0} and the Jenkins steps do. Used by
 * the {@code *IT} tests, which Maven's failsafe plugin runs after {@code package}.
 */
public final class Day0Process {
    private final int exitCode;
    private final String out;
    private final String err;

    private Day0Process(int exitCode, String out, String err) {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /** The jar under test: the {@code day0.jar} system property (set by failsafe), else target/day0.jar. */
    public static Path jar() {
        String configured = System.getProperty("day0.jar");
        Path jar = configured != null ? Path.of(configured) : Path.of("target", "day0.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no engine jar at " + jar.toAbsolutePath() + ": run 'mvn package' first");
        }
        return jar;
    }

    /**
     * The JVM flags of every engine process a test starts: C1 only and the serial collector, as bin/day0 runs its
     * short commands. An engine call in a test lives a second or two, too short for C2 to pay for its compilations.
     */
    public static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** {@code java <JVM_OPTIONS> -jar <the jar under test> args...}, for a test that starts the process itself. */
    public static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-jar");
        command.add(jar().toAbsolutePath().toString());
        command.addAll(List.of(args));
        return command;
    }

    public static Day0Process run(Path workDir, Map<String, String> env, String... args) {
        return exec("day0 " + String.join(" ", args), command(args), workDir, env);
    }

    /**
     * Runs {@code command} (the engine by another way in, such as bin/day0) in {@code workDir} with the test JVM's
     * environment less Rockie, MLflow and launcher settings, plus {@code env}; stdin is closed.
     */
    public static Day0Process exec(List<String> command, Path workDir, Map<String, String> env) {
        return exec(String.join(" ", command), command, workDir, env);
    }

    private static Day0Process exec(String name, List<String> command, Path workDir, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("ROCKIELAB_") || key.startsWith("MLFLOW_")
                || key.equals("DAY0_JAVA_OPTS"));
        builder.environment().putAll(env);
        try {
            File stdout = File.createTempFile("day0-out", ".txt");
            File stderr = File.createTempFile("day0-err", ".txt");
            try {
                builder.redirectOutput(stdout).redirectError(stderr).redirectInput(ProcessBuilder.Redirect.PIPE);
                Process process = builder.start();
                process.getOutputStream().close();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(name + " did not finish in 120 s");
                }
                return new Day0Process(process.exitValue(),
                        Files.readString(stdout.toPath(), StandardCharsets.UTF_8),
                        Files.readString(stderr.toPath(), StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(stdout.toPath());
                Files.deleteIfExists(stderr.toPath());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the engine: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public int exitCode() {
        return exitCode;
    }

    public String out() {
        return out;
    }

    public String err() {
        return err;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
