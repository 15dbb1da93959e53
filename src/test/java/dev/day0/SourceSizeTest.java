package dev.day0;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * The size limits docs/architecture.md sets: the conductor stays a stage loop (under 400 lines), and no main source
 * file grows past 600, so a new stage or format becomes a new class instead of a longer one.
 */
public class SourceSizeTest {
    private static final Path MAIN = Path.of("src", "main", "java");

    @Test
    public void shouldKeepEveryMainSourceFileAtOrUnderSixHundredLines() throws IOException {
        Map<String, Long> tooLong = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            files.filter(file -> file.toString().endsWith(".java")).forEach(file -> {
                long lines = lines(file);
                if (lines > 600) {
                    tooLong.put(MAIN.relativize(file).toString(), lines);
                }
            });
        }

        assertThat(tooLong).as("main source files over 600 lines").isEmpty();
    }

    @Test
    public void shouldKeepTheConductorUnderFourHundredLines() {
        assertThat(lines(MAIN.resolve("dev/day0/release/Conductor.java"))).isLessThan(400);
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
