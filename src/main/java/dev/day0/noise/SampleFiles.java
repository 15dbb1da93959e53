package dev.day0.noise;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The per-sample files of one run, found by task name in a directory and its immediate subdirectories (lm-eval
 * writes {@code <output_path>/<model>/samples_<task>_<timestamp>.jsonl}).
 *
 * <p>A file belongs to task T when its name is {@code samples_T_<timestamp>.jsonl} (the timestamp as lm-eval
 * writes it, {@code 2026-07-08T16-04-34} with optional fractional seconds) or exactly {@code T.jsonl}, or when it
 * is NeMo Evaluator's {@code results.jsonl} beside the evaluation bundle of benchmark T. Two files
 * for one task (two runs in one directory) are an input error: which one was meant is not ours to guess.
 */
public final class SampleFiles {
    private static final Pattern LM_EVAL = Pattern.compile(
            "samples_(.+)_(\\d{4}-\\d{2}-\\d{2}T\\d{2}[-:]\\d{2}[-:]\\d{2}(?:\\.\\d+)?)\\.jsonl");

    private final Path dir;
    private final String option;
    private final Map<String, List<Path>> byTask = new TreeMap<>();

    private SampleFiles(Path dir, String option) {
        this.dir = dir;
        this.option = option;
    }

    /** Lists the directory once; {@code option} names the flag for error messages. */
    public static SampleFiles scan(Path dir, String option) {
        if (!Files.isDirectory(dir)) {
            throw new InputException(option, "", dir + " is not a directory");
        }
        SampleFiles files = new SampleFiles(dir, option);
        try (Stream<Path> paths = Files.walk(dir, 2)) {
            paths.filter(Files::isRegularFile).sorted().forEach(files::add);
        } catch (IOException | RuntimeException e) {
            throw new InputException(option, "", dir + " cannot be listed: " + e.getMessage(), e);
        }
        return files;
    }

    private void add(Path file) {
        String name = file.getFileName().toString();
        Matcher lmEval = LM_EVAL.matcher(name);
        if (lmEval.matches()) {
            byTask.computeIfAbsent(lmEval.group(1), k -> new ArrayList<>()).add(file);
        } else if (name.equals(NEL_RECORDS)) {
            byTask.computeIfAbsent(nelBenchmark(file), k -> new ArrayList<>()).add(file);
        } else if (name.endsWith(".jsonl") && !name.startsWith("samples_")) {
            byTask.computeIfAbsent(name.substring(0, name.length() - ".jsonl".length()), k -> new ArrayList<>())
                    .add(file);
        }
    }

    /** NeMo Evaluator's per-problem records, named for the benchmark by the {@code eval-*.json} bundle beside them. */
    private static final String NEL_RECORDS = "results.jsonl";

    /**
     * The benchmark whose records {@code results.jsonl} holds: {@code benchmark.name} of the one
     * {@code eval-*.json} beside it, else the directory's name (the nested layout has one directory per benchmark).
     */
    private String nelBenchmark(Path records) {
        Path parent = records.getParent();
        try (Stream<Path> siblings = Files.list(parent)) {
            List<Path> bundles = siblings.filter(path -> {
                String sibling = path.getFileName().toString();
                return sibling.startsWith("eval-") && sibling.endsWith(".json");
            }).sorted().toList();
            if (bundles.size() == 1) {
                JsonNode name = Json.read(bundles.get(0)).path("benchmark").path("name");
                if (name.isTextual()) {
                    return name.textValue();
                }
            }
        } catch (IOException e) {
            throw new InputException(option, "", parent + " cannot be listed: " + e.getMessage(), e);
        }
        return parent.getFileName() == null ? "results" : parent.getFileName().toString();
    }

    /** The file of this task, or null when there is none. */
    public Path forTask(String task) {
        List<Path> files = byTask.get(task);
        if (files == null || files.isEmpty()) {
            return null;
        }
        if (files.size() > 1) {
            throw new InputException(option, "", "several per-sample files for task " + task + " in " + dir + ": "
                    + files.get(0) + " and " + files.get(1) + (files.size() > 2 ? " and more" : "")
                    + "; keep one run per directory");
        }
        return files.get(0);
    }

    public Path dir() {
        return dir;
    }
}
