package dev.day0.release;

import dev.day0.io.InputException;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A path written in a plan. It may name the run's directories with {@code {workdir}}, {@code {stage_dir}} and
 * {@code {plan_dir}}; a path that is still relative after substitution is relative to the plan's directory, so a
 * plan means the same thing whichever directory it is run from.
 *
 * @param text the path as written
 * @param field the plan field it came from, for messages
 */
public record PathTemplate(String text, String field) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    static final Set<String> NAMES = Set.of("workdir", "stage_dir", "plan_dir");

    /** Parses and checks a path: not empty, no placeholder other than the three known ones. */
    static PathTemplate of(String text, String source, String field) {
        if (text.isBlank()) {
            throw new InputException(source, field, "must not be empty");
        }
        Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            if (!NAMES.contains(matcher.group(1))) {
                throw new InputException(source, field, "unknown placeholder {" + matcher.group(1)
                        + "} (known: {workdir}, {stage_dir}, {plan_dir})");
            }
        }
        return new PathTemplate(text, field);
    }

    /** The path for one stage of one run. */
    public Path resolve(Path planDir, Path workdir, Path stageDir) {
        String expanded = text.replace("{workdir}", workdir.toString())
                .replace("{stage_dir}", stageDir.toString())
                .replace("{plan_dir}", planDir.toString());
        Path path = Path.of(expanded);
        return (path.isAbsolute() ? path : planDir.resolve(path)).normalize();
    }

    @Override
    public String toString() {
        return text;
    }
}
