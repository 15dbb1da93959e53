package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assume.assumeTrue;

import dev.day0.testing.Day0Process;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * report.html as a browser shows it: headless Chromium (Debian's {@code chromium} package) renders the page of a
 * real run to a PNG, and the test reads the pixels: the decision banner in its colour, the chart's bars. Skipped,
 * saying so, only when no Chromium is installed.
 */
public class ReportHtmlScreenshotIT {
    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();
    private static String chromium;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @BeforeClass
    public static void findChromium() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                chromium = candidate;
                return;
            }
        }
    }

    private BufferedImage screenshot(String example) throws Exception {
        assumeTrue("report.html is not checked in a browser: no chromium in /usr/bin (apt-get install chromium)",
                chromium != null);
        Path workdir = temp.getRoot().toPath().resolve(example);
        Day0Process run = Day0Process.run(temp.getRoot().toPath(), Map.of(), "release", "run", "--plan",
                EXAMPLES.resolve(example).resolve("release.yaml").toString(), "--workdir", workdir.toString());
        assertThat(run.exitCode()).as(run.toString()).isIn(0, 1);
        Path html = workdir.resolve("report/report.html");
        Path png = temp.getRoot().toPath().resolve(example + ".png");
        Path profile = temp.newFolder(example + "-profile").toPath();
        Process browser = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1000,1200", "--screenshot=" + png,
                html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(temp.getRoot().toPath().resolve(example + ".log").toFile())
                .start();
        assertThat(browser.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(png).as("chromium wrote the screenshot; its log: "
                + Files.readString(temp.getRoot().toPath().resolve(example + ".log"))).isRegularFile();
        return ImageIO.read(new File(png.toString()));
    }

    private static boolean near(int rgb, int expected) {
        int dr = Math.abs(((rgb >> 16) & 0xff) - ((expected >> 16) & 0xff));
        int dg = Math.abs(((rgb >> 8) & 0xff) - ((expected >> 8) & 0xff));
        int db = Math.abs((rgb & 0xff) - (expected & 0xff));
        return dr + dg + db < 40;
    }

    private static int count(BufferedImage image, int color) {
        int found = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                if (near(image.getRGB(x, y), color)) {
                    found++;
                }
            }
        }
        return found;
    }

    @Test
    public void shouldShowAnAcceptedReleaseUnderAGreenBannerWithGreenBars() throws Exception {
        BufferedImage image = screenshot("quickstart");

        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(near(image.getRGB(5, 5), 0x2f9e55)).as("green decision banner").isTrue();
        assertThat(count(image, 0xc92a2a)).as("no red bar: only the dashed limit line is red").isLessThan(100);
        assertThat(count(image, 0xe6f4ea)).as("the threshold band is drawn").isGreaterThan(1000);
    }

    @Test
    public void shouldShowARegressionUnderARedBannerWithRedBars() throws Exception {
        BufferedImage image = screenshot("regression");

        assertThat(near(image.getRGB(5, 5), 0xc92a2a)).as("red decision banner").isTrue();
        assertThat(count(image.getSubimage(0, 200, 1000, 1000), 0xc92a2a)).as("red bars below the banner")
                .isGreaterThan(500);
    }
}
