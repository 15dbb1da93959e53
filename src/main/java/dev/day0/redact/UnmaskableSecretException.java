package dev.day0.redact;

/**
 * A configured secret too short to be masked reliably: masking a short value hides it inside ordinary words and
 * still misses it nowhere, so day0 refuses to run instead. The message names the variable, never the value.
 */
public final class UnmaskableSecretException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String name;

    public UnmaskableSecretException(String name) {
        super(name + " is set to a secret shorter than " + Redactor.MIN_SECRET_LENGTH + " characters, which "
                + "cannot be masked reliably in output: set the real value or unset it");
        this.name = name;
    }

    /** The variable (or option) that holds the short secret. */
    public String name() {
        return name;
    }
}
