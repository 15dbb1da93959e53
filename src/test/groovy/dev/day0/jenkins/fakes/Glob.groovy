package dev.day0.jenkins.fakes

import java.nio.file.FileSystems
import java.nio.file.Path
import java.nio.file.PathMatcher

/** Ant-style file patterns as archiveArtifacts and stash read them: comma-separated, '**' for any depth. */
class Glob {
    static List<String> match(File base, String patterns) {
        List<PathMatcher> matchers = patterns.split(',').collect { String pattern ->
            String p = pattern.trim()
            if (p.endsWith('/**')) {
                p = p + '/*'
                p = p.replace('/**/*', '{/**,}/*')
            }
            FileSystems.default.getPathMatcher("glob:${p}")
        }
        List<String> found = []
        if (!base.exists()) {
            return found
        }
        base.eachFileRecurse { File file ->
            if (file.isFile()) {
                Path relative = base.toPath().relativize(file.toPath())
                if (matchers.any { it.matches(relative) }) {
                    found.add(relative.toString())
                }
            }
        }
        return found.sort()
    }
}
