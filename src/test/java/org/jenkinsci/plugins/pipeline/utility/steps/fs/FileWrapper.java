package org.jenkinsci.plugins.pipeline.utility.steps.fs;

import java.io.Serializable;

/** Test stand-in for pipeline-utility-steps' findFiles result: the getters its @Whitelisted annotations allow. */
public final class FileWrapper implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final String path;
    private final boolean directory;
    private final long length;

    public FileWrapper(String name, String path, boolean directory, long length) {
        this.name = name;
        this.path = path;
        this.directory = directory;
        this.length = length;
    }

    public String getName() {
        return name;
    }

    public String getPath() {
        return path;
    }

    public boolean isDirectory() {
        return directory;
    }

    public long getLength() {
        return length;
    }
}
