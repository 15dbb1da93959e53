package dev.day0.cli;

import dev.day0.core.ExitCode;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The exit codes a command can end with: an {@link ExitCode} enum, and optionally the subset of its codes this
 * command uses. {@link ExitCodeHelp} prints them in {@code --help}; a subcommand without its own annotation uses
 * its parent's.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
public @interface ExitCodeFamily {
    Class<? extends ExitCode> value();

    /** The codes of {@link #value} this command can return; empty means all of them. */
    int[] codes() default {};
}
