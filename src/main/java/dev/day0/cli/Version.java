package dev.day0.cli;

import dev.day0.core.EngineVersion;
import picocli.CommandLine.IVersionProvider;

/** The tool version, from the jar manifest (set by the build), so reports name the exact engine. */
public final class Version implements IVersionProvider {
    public static String current() {
        return EngineVersion.current();
    }

    @Override
    public String[] getVersion() {
        return new String[] {"day0 " + current(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
}
