package dev.day0.jenkins

import com.lesfurets.jenkins.unit.PipelineTestHelper

/**
 * The day0 library compiled once per JVM and mode (plain Groovy with the sandbox, or CPS), for {@link FakeJenkins}.
 *
 * JenkinsPipelineUnit compiles the library's vars into the class loader of the helper that first loads it. That
 * loader is kept here and becomes the parent of every later helper's loader of the same mode, so a later load finds
 * the compiled classes instead of compiling them again. The compiled classes are shared but never their state: each
 * run gets new instances of the global variables, and {@link #adopt} points the classes' method interception (set
 * once, at compile time, to the compiling helper) at the helper of the run about to start.
 */
final class CompiledLibrary {
    private static final Map<Boolean, ClassLoader> LOADERS = [:]

    private CompiledLibrary() {
    }

    /** The loader holding the compiled library of this mode, or null before the first run of the mode loads it. */
    static synchronized ClassLoader loader(boolean cps) {
        return LOADERS[cps]
    }

    /**
     * Called after the run's script was loaded (which loads the library) and before it runs: keeps the first loader
     * of the mode, and makes the library's classes intercept calls for this helper, with its steps and call stack.
     */
    static synchronized void adopt(PipelineTestHelper helper, boolean cps) {
        List<Object> globals = helper.libLoader.libRecords.values().collectMany { it.definedGlobalVars.values() as List }
        if (globals.isEmpty()) {
            return
        }
        if (!LOADERS.containsKey(cps)) {
            // The first load of the mode compiled the library into this helper's loader.
            LOADERS[cps] = helper.libLoader.groovyClassLoader
        }
        globals.each { Object global ->
            def meta = global.getClass().metaClass
            meta.invokeMethod = helper.methodInterceptor
            meta.static.invokeMethod = helper.methodInterceptor
            meta.methodMissing = helper.methodMissingInterceptor
        }
    }
}
