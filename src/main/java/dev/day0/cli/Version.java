package dev.day0.cli;

import picocli.CommandLine.IVersionProvider;

/** The tool version, from the jar manifest (set by the build), so reports name the exact engine. */
public final class Version implements IVersionProvider {
    public static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"day0 " + current(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
}
