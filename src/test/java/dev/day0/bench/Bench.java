package dev.day0.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.Day0;
import dev.day0.evidence.checkpoint.Checkpoint;
import dev.day0.evidence.checkpoint.CheckpointInspector;
import dev.day0.evidence.checkpoint.SyntheticCheckpoint;
import dev.day0.io.Json;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Benchmarks for the speed and memory targets of the inspect commands. Not tests: they print figures.
 *
 * <pre>
 * mvn -B -o -q package -DskipTests &amp;&amp; mvn -B -o -q test-compile
 * java -cp target/test-classes:target/day0.jar dev.day0.bench.Bench checkpoint [--shards 30] [--shard-gb 5] [--dir /tmp]
 * java -Xmx256m -cp target/test-classes:target/day0.jar dev.day0.bench.Bench samples [--lines 10000000] [--dir /tmp]
 * java -cp target/test-classes:target/day0.jar dev.day0.bench.Bench fixtures --dir DIR [--shards 300] [--experts 28] [--lines 3000000]
 * java -cp target/test-classes:target/day0.jar dev.day0.bench.Bench fuzz [--cases 100000] [--seed 20261201]
 * java -cp target/test-classes:target/day0.jar dev.day0.bench.Bench redact [--rounds 30]
 * </pre>
 *
 * Files are created under {@code --dir} and deleted afterwards (keep them with {@code --keep}).
 */
public final class Bench {
    private static final long GB = 1_000_000_000L;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Bench checkpoint|samples|fuzz|redact [--dir DIR] [--keep] [--shards N] [--shard-gb G] "
                    + "[--lines N] [--cases N] [--seed S]");
            System.exit(2);
        }
        Map<String, String> options = options(args);
        Path base = Path.of(options.getOrDefault("--dir", System.getProperty("java.io.tmpdir")));
        boolean keep = options.containsKey("--keep");
        switch (args[0]) {
            case "checkpoint" -> checkpoint(base, Integer.parseInt(options.getOrDefault("--shards", "30")),
                    Double.parseDouble(options.getOrDefault("--shard-gb", "5")), keep);
            case "samples" -> samples(base, Long.parseLong(options.getOrDefault("--lines", "10000000")), keep);
            case "fixtures" -> fixtures(base, Integer.parseInt(options.getOrDefault("--shards", "300")),
                    Integer.parseInt(options.getOrDefault("--experts", "28")),
                    Long.parseLong(options.getOrDefault("--lines", "3000000")));
            case "fuzz" -> dev.day0.fuzz.GateFuzz.main(new String[] {options.getOrDefault("--cases", "100000"),
                options.getOrDefault("--seed", "20261201"), base.toString(), options.getOrDefault("--shards", "1")});
            case "redact" -> dev.day0.redact.RedactorBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            default -> {
                System.err.println("unknown benchmark " + args[0]);
                System.exit(2);
            }
        }
    }

    // ---------------------------------------------------------------- checkpoint

    /**
     * A Llama-70B-shaped model, with enough layers for {@code shards} source shards of {@code shardGb} GB each,
     * written as sparse files, and its NVFP4 output in as many shards. Then: inspect, timed.
     */
    static void checkpoint(Path base, int shards, double shardGb, boolean keep) throws Exception {
        Path dir = Files.createTempDirectory(base, "day0-bench-ckpt");
        try {
            long hidden = 8192;
            long kv = 1024;
            long intermediate = 28672;
            long vocab = 128256;
            long perLayer = 2 * (hidden * hidden * 2 + hidden * kv * 2 + hidden * intermediate * 3);
            long fixed = 2 * 2 * vocab * hidden;
            long target = (long) (shards * shardGb * GB);
            int layers = (int) Math.max(1, (target - fixed) / perLayer);
            SyntheticCheckpoint.Model model = new SyntheticCheckpoint.Model(layers, hidden, kv, intermediate, vocab,
                    0, false);
            SyntheticCheckpoint source = model.source();
            SyntheticCheckpoint output = model.build(module -> module.equals("lm_head")
                    ? SyntheticCheckpoint.Format.BF16 : SyntheticCheckpoint.Format.NVFP4);
            long started = System.nanoTime();
            long sourceBytes = writeSharded(source.tensors(), dir.resolve("source"), shards,
                    SyntheticCheckpoint.config("bfloat16", null), null);
            ObjectNode section = Json.object();
            section.put("quant_method", "modelopt");
            section.put("quant_algo", "NVFP4");
            section.putArray("ignore").add("lm_head");
            long outputBytes = writeSharded(output.tensors(), dir.resolve("output"), shards,
                    SyntheticCheckpoint.config("bfloat16", section),
                    SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));
            System.out.printf(Locale.ROOT, "checkpoint: %d layers, source %d shards %.1f GB, output %d shards %.1f "
                            + "GB (sparse; %.1f s to write), %d + %d tensors%n", layers, shards, sourceBytes / 1e9,
                    shards, outputBytes / 1e9, seconds(started), source.tensors().size(), output.tensors().size());
            System.out.println("checkpoint: disk actually used: " + du(dir));

            for (int run = 1; run <= 5; run++) {
                long rcharBefore = rchar();
                long t0 = System.nanoTime();
                CheckpointInspector.Inspection inspection = CheckpointInspector.inspect(dir.resolve("source"),
                        dir.resolve("output"), "nvfp4");
                double elapsed = seconds(t0);
                long rcharDelta = rchar() - rcharBefore;
                long total = sourceBytes + outputBytes;
                System.out.printf(Locale.ROOT, "checkpoint: in-process run %d: %.3f s, bytes read %d (%.6f%% of %d),"
                                + " kernel rchar delta %s, counts %s%n", run, elapsed, inspection.bytesRead(),
                        100.0 * inspection.bytesRead() / total, total,
                        rcharDelta < 0 ? "n/a" : String.valueOf(rcharDelta),
                        Json.writeLine(inspection.summary().get("layer_precision_counts")));
            }
            // bin/day0's JVM flags (serial GC, whole JIT), then C1 only for reference.
            for (String[] jvm : List.of(new String[] {"-XX:+UseSerialGC"},
                    new String[] {"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"})) {
                List<String> command = new ArrayList<>(List.of(javaBin()));
                command.addAll(List.of(jvm));
                command.addAll(List.of("-jar", jar().toString(), "inspect", "checkpoint", "--source",
                        dir.resolve("source").toString(), "--output", dir.resolve("output").toString(), "--recipe",
                        "nvfp4", "--out", dir.resolve("validation-summary.json").toString()));
                Timed timed = timed(command);
                System.out.printf(Locale.ROOT, "checkpoint: java %s -jar day0.jar inspect checkpoint (JVM start "
                        + "included): %s%n", String.join(" ", jvm), timed.describe());
            }
        } finally {
            if (!keep) {
                deleteTree(dir);
            }
        }
    }

    /**
     * The inputs of bench/vs-python.sh's inspect rows, kept in {@code dir}: a mixture-of-experts model of 80 layers
     * and its NVFP4 output in {@code shards} sparse shards each ({@code checkpoint/source}, {@code checkpoint/output}),
     * an lm-eval results file with {@code lines} sample lines ({@code eval/}), and the two per-sample files of
     * {@link PairingBench} (12,032 items x 64 repeats) with their score files ({@code pairing/}).
     */
    static void fixtures(Path dir, int shards, int experts, long lines) throws Exception {
        Files.createDirectories(dir);
        SyntheticCheckpoint.Model model = new SyntheticCheckpoint.Model(80, 4096, 1024, 14336, 32000, experts, false);
        SyntheticCheckpoint source = model.source();
        SyntheticCheckpoint output = model.build(module -> module.equals("lm_head") || module.endsWith("gate")
                ? SyntheticCheckpoint.Format.BF16 : SyntheticCheckpoint.Format.NVFP4);
        Path checkpoint = dir.resolve("checkpoint");
        writeSharded(source.tensors(), checkpoint.resolve("source"), shards, SyntheticCheckpoint.config("bfloat16",
                null), null);
        ObjectNode section = Json.object();
        section.put("quant_method", "modelopt");
        section.put("quant_algo", "NVFP4");
        section.putArray("ignore").add("lm_head").add("*.mlp.gate");
        writeSharded(output.tensors(), checkpoint.resolve("output"), shards, SyntheticCheckpoint.config("bfloat16",
                section), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head", "*.mlp.gate"));
        System.out.printf(Locale.ROOT, "fixtures: checkpoint %d + %d shards, %d + %d tensors%n", shards, shards,
                source.tensors().size(), output.tensors().size());
        Path eval = Files.createDirectories(dir.resolve("eval"));
        String date = "2026-01-01T00-00-00.000000";
        long correct = writeSamples(eval.resolve("samples_bench_task_" + date + ".jsonl"), lines);
        Files.writeString(eval.resolve("results_" + date + ".json"), resultsJson(lines, correct));
        System.out.printf(Locale.ROOT, "fixtures: eval %d sample lines, %.2f GB%n", lines,
                Files.size(eval.resolve("samples_bench_task_" + date + ".jsonl")) / 1e9);
        PairingBench.writeFiles(dir.resolve("pairing"));
        System.out.println("fixtures: pairing files written");
    }

    /** Writes tensors into {@code shards} files of about equal size, with an index and metadata files. */
    private static long writeSharded(List<SyntheticCheckpoint.Tensor> tensors, Path dir, int shards, String config,
                                     String hfQuantConfig) throws IOException {
        Files.createDirectories(dir);
        long total = 0;
        for (SyntheticCheckpoint.Tensor tensor : tensors) {
            total += bytes(tensor);
        }
        // Each tensor goes to the shard its midpoint falls in, so the shards come out about equal in size.
        List<List<SyntheticCheckpoint.Tensor>> parts = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            parts.add(new ArrayList<>());
        }
        long before = 0;
        for (SyntheticCheckpoint.Tensor tensor : tensors) {
            long middle = before + bytes(tensor) / 2;
            int shard = (int) Math.min(shards - 1, (long) ((double) middle / total * shards));
            parts.get(shard).add(tensor);
            before += bytes(tensor);
        }
        ObjectNode weightMap = Json.object();
        long written = 0;
        for (int index = 0; index < shards; index++) {
            List<SyntheticCheckpoint.Tensor> part = parts.get(index);
            if (part.isEmpty()) {
                throw new IllegalStateException("shard " + (index + 1) + " would be empty: use fewer shards");
            }
            String name = String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", index + 1, shards);
            written += SyntheticCheckpoint.writeShard(dir.resolve(name), part);
            part.forEach(t -> weightMap.put(t.name(), name));
        }
        ObjectNode indexJson = Json.object();
        indexJson.putObject("metadata").put("total_size", total);
        indexJson.set("weight_map", weightMap);
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), Json.write(indexJson));
        Files.writeString(dir.resolve("config.json"), config);
        if (hfQuantConfig != null) {
            Files.writeString(dir.resolve("hf_quant_config.json"), hfQuantConfig);
        }
        return written;
    }

    private static long bytes(SyntheticCheckpoint.Tensor tensor) {
        long count = 1;
        for (long dim : tensor.shape()) {
            count *= dim;
        }
        return switch (tensor.dtype()) {
            case "F32", "I32" -> count * 4;
            case "BF16", "F16" -> count * 2;
            case "I64" -> count * 8;
            default -> count;
        };
    }

    // ---------------------------------------------------------------- samples

    /**
     * An lm-eval results file and a samples file of {@code lines} lines (about 300 bytes each), then
     * {@code day0 inspect eval} on them (in this JVM, whose -Xmx is reported), then a plain Python
     * {@code json.loads} loop over the same file.
     */
    static void samples(Path base, long lines, boolean keep) throws Exception {
        Path dir = Files.createTempDirectory(base, "day0-bench-samples");
        try {
            String date = "2026-01-01T00-00-00.000000";
            Path samples = dir.resolve("samples_bench_task_" + date + ".jsonl");
            long t0 = System.nanoTime();
            long correct = writeSamples(samples, lines);
            long size = Files.size(samples);
            System.out.printf(Locale.ROOT, "samples: %d lines, %.2f GB (%.0f bytes/line) written in %.1f s to %s%n",
                    lines, size / 1e9, (double) size / lines, seconds(t0), samples);
            Path results = dir.resolve("results_" + date + ".json");
            Files.writeString(results, resultsJson(lines, correct));

            System.out.printf(Locale.ROOT, "samples: this JVM: max heap %d MB, %s%n",
                    Runtime.getRuntime().maxMemory() / (1024 * 1024), System.getProperty("java.vm.name"));
            long t1 = System.nanoTime();
            long cpu1 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Day0.execute(new String[] {"inspect", "eval", "--results", results.toString(),
                "--run-summary", dir.resolve("run-summary.json").toString(), "--scores",
                dir.resolve("scores.json").toString()}, new PrintWriter(out), new PrintWriter(err), Map.of());
            double inProcess = seconds(t1);
            double inProcessCpu = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()
                    - cpu1) / 1e9;
            System.out.printf(Locale.ROOT, "samples: day0 inspect eval in-process: exit %d, %.1f s wall (%.0f MB/s), "
                    + "%.1f s cpu of this thread, run summary %s%n", code, inProcess, size / 1e6 / inProcess,
                    inProcessCpu,
                    Json.writeLine(Json.read(dir.resolve("run-summary.json"))));
            if (code != 0) {
                System.out.println(err);
            }

            Timed launcher = timeProcess(List.of("-Xmx256m", "-XX:+UseSerialGC"), results, dir);
            Timed c1 = timeProcess(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), results, dir);
            Timed python = timed(List.of("python3", "-c", "import json,sys\nn=0\nwith open(sys.argv[1]) as f:\n"
                    + "    for line in f:\n        json.loads(line)\n        n+=1\nprint(n)", samples.toString()));
            System.out.printf(Locale.ROOT, "samples: python3 json.loads loop: %s (%.0f MB/s wall)%n",
                    python.describe(), size / 1e6 / python.wall());
            System.out.printf(Locale.ROOT, "samples: python / day0 ratio, wall: %.2f (bin/day0 JVM flags), %.2f "
                    + "(C1 only), %.2f (in-process); cpu: %.2f (bin/day0 JVM flags), %.2f (C1 only)%n",
                    python.wall() / launcher.wall(), python.wall() / c1.wall(), python.wall() / inProcess,
                    python.cpu() / launcher.cpu(), python.cpu() / c1.cpu());
        } finally {
            if (!keep) {
                deleteTree(dir);
            }
        }
    }

    private static Timed timeProcess(List<String> jvm, Path results, Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaBin()));
        command.addAll(jvm);
        command.addAll(List.of("-jar", jar().toString(), "inspect", "eval", "--results", results.toString(),
                "--run-summary", dir.resolve("run-summary-p.json").toString(), "--scores",
                dir.resolve("scores-p.json").toString()));
        Timed timed = timed(command);
        System.out.printf(Locale.ROOT, "samples: java %s -jar day0.jar inspect eval: %s%n", String.join(" ", jvm),
                timed.describe());
        return timed;
    }

    /** Writes lm-eval-shaped sample lines; returns how many have acc = 1. */
    private static long writeSamples(Path file, long lines) throws IOException {
        long correct = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder(400);
            for (long i = 0; i < lines; i++) {
                boolean right = (i * 2654435761L) % 7 < 4;
                correct += right ? 1 : 0;
                line.setLength(0);
                line.append("{\"doc_id\": ").append(i)
                        .append(", \"doc\": {\"question\": \"").append(i).append(" + 7 = ?\"}, \"target\": \"")
                        .append(i + 7).append("\", \"resps\": [[\"").append(right ? i + 7 : i)
                        .append("\"]], \"filtered_resps\": [\"").append(right ? i + 7 : i)
                        .append("\"], \"filter\": \"none\", \"metrics\": [\"acc\"], \"doc_hash\": \"");
                hex(line, i * 0x9E3779B97F4A7C15L);
                line.append("\", \"prompt_hash\": \"");
                hex(line, i * 0xC2B2AE3D27D4EB4FL + 1);
                line.append("\", \"acc\": ").append(right ? "1.0" : "0.0").append("}\n");
                out.append(line);
            }
        }
        return correct;
    }

    private static void hex(StringBuilder into, long seed) {
        long value = seed;
        for (int i = 0; i < 4; i++) {
            value = value * 6364136223846793005L + 1442695040888963407L;
            String part = Long.toHexString(value);
            into.append("0".repeat(16 - part.length())).append(part);
        }
    }

    private static String resultsJson(long lines, long correct) {
        ObjectNode root = Json.object();
        root.putObject("results").putObject("bench_task").put("alias", "bench_task")
                .put("acc,none", (double) correct / lines).put("acc_stderr,none", "N/A");
        root.putObject("group_subtasks").putArray("bench_task");
        ObjectNode metric = root.putObject("configs").putObject("bench_task").putArray("metric_list").addObject();
        metric.put("metric", "acc");
        metric.put("aggregation", "mean");
        metric.put("higher_is_better", true);
        root.putObject("versions").put("bench_task", 1.0);
        root.putObject("higher_is_better").putObject("bench_task").put("acc", true);
        root.putObject("n-samples").putObject("bench_task").put("original", lines).put("effective", lines);
        root.putObject("config").putNull("limit");
        return Json.write(root);
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--keep")) {
                options.put("--keep", "true");
            } else if (i + 1 < args.length) {
                options.put(args[i], args[++i]);
            }
        }
        return options;
    }

    /** A finished process: exit code, wall seconds, and user+system CPU seconds (NaN when unmeasured). */
    private record Timed(int code, double wall, double cpu) {
        String describe() {
            return String.format(Locale.ROOT, "exit %d, %.1f s wall, %s", code, wall,
                    Double.isNaN(cpu) ? "cpu n/a" : String.format(Locale.ROOT, "%.1f s cpu", cpu));
        }
    }

    private static int run(List<String> command) throws Exception {
        return timed(command).code();
    }

    /** Runs a command, under /usr/bin/time when the machine has it, so CPU time is known besides wall time. */
    private static Timed timed(List<String> command) throws Exception {
        Path timeBin = Path.of("/usr/bin/time");
        Path cpuFile = Files.createTempFile("day0-bench-cpu", ".txt");
        try {
            List<String> full = new ArrayList<>();
            if (Files.isExecutable(timeBin)) {
                full.addAll(List.of(timeBin.toString(), "-o", cpuFile.toString(), "-f", "%U %S"));
            }
            full.addAll(command);
            long t0 = System.nanoTime();
            Process process = new ProcessBuilder(full).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!process.waitFor(30, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            double wall = seconds(t0);
            double cpu = Double.NaN;
            String text = Files.readString(cpuFile).trim();
            if (!text.isEmpty()) {
                String[] lines = text.split("\n");
                String[] parts = lines[lines.length - 1].trim().split("\\s+");
                try {
                    cpu = Double.parseDouble(parts[0]) + Double.parseDouble(parts[1]);
                } catch (RuntimeException e) {
                    cpu = Double.NaN;
                }
            }
            return new Timed(process.exitValue(), wall, cpu);
        } finally {
            Files.deleteIfExists(cpuFile);
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path jar() {
        Path jar = Path.of("target", "day0.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("build the jar first: mvn -B -o -q package -DskipTests");
        }
        return jar.toAbsolutePath();
    }

    /** Bytes this process has read through read() calls so far, from the kernel; -1 where /proc is missing. */
    private static long rchar() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("rchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static String du(Path dir) {
        try {
            Process process = new ProcessBuilder("du", "-sh", "--apparent-size", dir.toString()).start();
            String apparent = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process = new ProcessBuilder("du", "-sh", dir.toString()).start();
            String real = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return real.split("\\s+")[0] + " (apparent " + apparent.split("\\s+")[0] + ")";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        File leftover = dir.toFile();
        if (leftover.exists()) {
            throw new IOException("could not delete " + dir);
        }
    }
}
