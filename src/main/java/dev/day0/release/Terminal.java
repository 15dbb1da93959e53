package dev.day0.release;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the run knows about the person in front of it: whether stderr is a terminal (live progress) and whether
 * someone can answer a question (interactive approval). Tests substitute their own.
 */
public interface Terminal {
    /** stderr is a terminal: a spinner may redraw a line there. */
    boolean liveProgress();

    /** A person can read a question on this terminal and answer it. */
    boolean interactive();

    /** Shows text and reads one line of answer; null when there is no answer (end of input). */
    String ask(String text);

    /** No terminal: plain progress lines, no questions. */
    Terminal NONE = new Terminal() {
        @Override
        public boolean liveProgress() {
            return false;
        }

        @Override
        public boolean interactive() {
            return false;
        }

        @Override
        public String ask(String text) {
            return null;
        }
    };

    /**
     * The process's own terminal. Interactive when stdin and stdout are a terminal ({@code System.console()}),
     * live progress when stderr is one as well; {@code DAY0_PROGRESS=plain} or {@code TERM=dumb} keep progress
     * plain, and {@code CI} set to anything means nobody is there to answer.
     */
    static Terminal detect(Map<String, String> env, PrintWriter err) {
        java.io.Console console = System.console();
        boolean ci = env.get("CI") != null && !env.get("CI").isBlank() && !"false".equalsIgnoreCase(env.get("CI"));
        boolean interactive = console != null && !ci;
        boolean live = stderrIsTerminal() && !"plain".equals(env.get("DAY0_PROGRESS"))
                && !"dumb".equals(env.get("TERM"));
        return new Terminal() {
            @Override
            public boolean liveProgress() {
                return live;
            }

            @Override
            public boolean interactive() {
                return interactive;
            }

            @Override
            public String ask(String text) {
                if (!interactive) {
                    return null;
                }
                err.print(text);
                err.flush();
                try {
                    return console.readLine();
                } catch (java.io.IOError e) {
                    return null;
                }
            }
        };
    }

    private static boolean stderrIsTerminal() {
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/self/fd/2"));
            String name = target.toString();
            return name.startsWith("/dev/pts/") || name.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
