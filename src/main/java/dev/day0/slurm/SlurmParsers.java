package dev.day0.slurm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for what the Slurm commands print, in the formats {@link SlurmClient} asks for. Recorded outputs of
 * Slurm 22.05 in src/test/resources/slurm/ are their specification.
 */
public final class SlurmParsers {
    /** A {@code Key=value} field of scontrol or the completion file; a value runs up to the next " Key=". */
    private static final Pattern FIELD = Pattern.compile(
            "(?:^|\\s)([A-Za-z][A-Za-z0-9_/:]*)=(.*?)(?=\\s+[A-Za-z][A-Za-z0-9_/:]*=|\\s*$)");
    private static final Pattern PARSABLE_ID = Pattern.compile("^(\\d+)(?:;\\S+)?$");
    private static final Pattern EXIT_CODE = Pattern.compile("^(\\d{1,9}):(\\d{1,9})$");
    private static final Pattern CANCELLED_BY = Pattern.compile("(?i)^CANCELLED\\s+by\\s+(\\S+)");

    private SlurmParsers() {
    }

    /** The job id from {@code sbatch --parsable} ({@code 42} or {@code 42;cluster}), empty when there is none. */
    public static Optional<String> sbatchJobId(String stdout) {
        String[] lines = stdout == null ? new String[0] : stdout.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            Matcher matcher = PARSABLE_ID.matcher(lines[i].strip());
            if (matcher.matches()) {
                return Optional.of(matcher.group(1));
            }
        }
        return Optional.empty();
    }

    /** The fields of one record of {@code scontrol show} or of the completion file, in order. */
    public static Map<String, String> fields(String record) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher matcher = FIELD.matcher(record.replace('\n', ' '));
        while (matcher.find()) {
            fields.putIfAbsent(matcher.group(1), matcher.group(2).strip());
        }
        return fields;
    }

    /**
     * The jobs in {@code scontrol -o show job [id]}: one line per job. Without {@code -o} (a record over several
     * lines, separated by blank lines) works too.
     */
    public static List<JobInfo> scontrolJobs(String stdout) {
        List<JobInfo> jobs = new ArrayList<>();
        for (String record : records(stdout)) {
            Map<String, String> fields = fields(record);
            if (!fields.containsKey("JobId")) {
                continue;
            }
            int[] exit = exitCode(fields.get("ExitCode"));
            jobs.add(new JobInfo(fields.get("JobId"), fields.get("JobName"), fields.get("JobState"),
                    exit == null ? null : exit[0], exit == null ? null : exit[1], reason(fields.get("Reason")),
                    null, blankToNull(fields.get("StdOut")), JobInfo.Source.SCONTROL));
        }
        return jobs;
    }

    /** The jobs in {@code squeue -h -o '%i|%j|%T|%r'} output. squeue does not report exit codes. */
    public static List<JobInfo> squeueJobs(String stdout) {
        List<JobInfo> jobs = new ArrayList<>();
        for (String line : lines(stdout)) {
            String[] parts = line.split("\\|", -1);
            if (parts.length < 4) {
                continue;
            }
            String reasonText = String.join("|", java.util.Arrays.copyOfRange(parts, 3, parts.length));
            jobs.add(new JobInfo(parts[0].strip(), parts[1].strip(), parts[2].strip(), null, null,
                    reason(reasonText), null, null, JobInfo.Source.SQUEUE));
        }
        return jobs;
    }

    /**
     * The jobs in {@code sacct -n -P -X -o JobID,JobName,State,ExitCode,Reason} output; {@code CANCELLED by 1000}
     * gives who cancelled.
     */
    public static List<JobInfo> sacctJobs(String stdout) {
        List<JobInfo> jobs = new ArrayList<>();
        for (String line : lines(stdout)) {
            String[] parts = line.split("\\|", -1);
            if (parts.length < 4 || !parts[0].strip().matches("\\d+(?:_\\d+)?")) {
                continue;
            }
            String state = parts[2].strip();
            Matcher by = CANCELLED_BY.matcher(state);
            int[] exit = exitCode(parts[3].strip());
            jobs.add(new JobInfo(parts[0].strip(), parts[1].strip(), state, exit == null ? null : exit[0],
                    exit == null ? null : exit[1], parts.length > 4 ? reason(parts[4]) : null,
                    by.find() ? by.group(1) : null, null, JobInfo.Source.SACCT));
        }
        return jobs;
    }

    /** The jobs in lines of the {@code jobcomp/filetxt} completion file. */
    public static List<JobInfo> jobcompJobs(String text) {
        List<JobInfo> jobs = new ArrayList<>();
        for (String line : lines(text)) {
            Map<String, String> fields = fields(line);
            if (!fields.containsKey("JobId")) {
                continue;
            }
            int[] exit = exitCode(fields.get("ExitCode"));
            jobs.add(new JobInfo(fields.get("JobId"), fields.get("Name"), fields.get("JobState"),
                    exit == null ? null : exit[0], exit == null ? null : exit[1], null, null, null,
                    JobInfo.Source.JOBCOMP));
        }
        return jobs;
    }

    /** One value of {@code scontrol show config} ({@code JobCompLoc = /var/log/...}), empty when absent. */
    public static Optional<String> configValue(String stdout, String key) {
        for (String line : lines(stdout)) {
            int equals = line.indexOf('=');
            if (equals > 0 && line.substring(0, equals).strip().equals(key)) {
                String value = line.substring(equals + 1).strip();
                return value.isEmpty() || value.equals("(null)") ? Optional.empty() : Optional.of(value);
            }
        }
        return Optional.empty();
    }

    private static List<String> records(String stdout) {
        List<String> records = new ArrayList<>();
        if (stdout == null) {
            return records;
        }
        StringBuilder current = new StringBuilder();
        for (String line : stdout.split("\n")) {
            boolean startsRecord = line.startsWith("JobId=");
            if ((line.isBlank() || startsRecord) && current.length() > 0) {
                records.add(current.toString());
                current.setLength(0);
            }
            if (!line.isBlank()) {
                current.append(line).append(' ');
            }
        }
        if (current.length() > 0) {
            records.add(current.toString());
        }
        return records;
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        if (text == null) {
            return lines;
        }
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        return lines;
    }

    private static int[] exitCode(String text) {
        if (text == null) {
            return null;
        }
        Matcher matcher = EXIT_CODE.matcher(text.strip());
        if (!matcher.matches()) {
            return null;
        }
        return new int[] {Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2))};
    }

    private static String reason(String text) {
        if (text == null) {
            return null;
        }
        String value = text.strip();
        return value.isEmpty() || value.equals("None") || value.equals("(null)") ? null : value;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() || text.equals("(null)") ? null : text;
    }
}
