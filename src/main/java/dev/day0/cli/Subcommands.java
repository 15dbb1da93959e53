package dev.day0.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The subcommands of a command group, in the order its {@code --help} lists them. In place of picocli's own
 * {@code @Command(subcommands = ...)}, which builds the model of every subcommand by reflection when the group is
 * built: {@link Day0} adds only the subcommand a command line names (all of them when it names none it knows, so
 * help and picocli's "did you mean" are unchanged), which saves a gate call tens of milliseconds.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Subcommands {
    Class<?>[] value();
}
