package dev.day0.core;

/** The engine version, from the jar manifest (set by the build), so reports and user agents name the exact engine. */
public final class EngineVersion {
    private EngineVersion() {
    }

    public static String current() {
        String version = EngineVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
