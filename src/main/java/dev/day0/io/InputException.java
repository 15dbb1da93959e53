package dev.day0.io;

/**
 * An input that cannot be used: a missing or unreadable file, invalid JSON or YAML, a field of the wrong type,
 * or a bad option value. Always names where the problem is, so the one-line message is enough to fix it.
 * The command line maps it to exit code 2 and a {@code USER_CONFIG_ERROR} document.
 */
public class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String field;
    private final String problem;

    public InputException(String source, String field, String problem) {
        super(format(source, field, problem));
        this.source = source;
        this.field = field;
        this.problem = problem;
    }

    public InputException(String source, String field, String problem, Throwable cause) {
        this(source, field, problem);
        initCause(cause);
    }

    private static String format(String source, String field, String problem) {
        StringBuilder text = new StringBuilder();
        if (source != null && !source.isEmpty()) {
            text.append(source).append(": ");
        }
        if (field != null && !field.isEmpty()) {
            text.append(field).append(": ");
        }
        return text.append(problem).toString();
    }

    /** The file or option the problem is in, e.g. {@code baseline.json} or {@code --threshold}. */
    public String source() {
        return source;
    }

    /** The field path inside the source, e.g. {@code tasks.mmlu.errors[0]}; empty for the whole source. */
    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
