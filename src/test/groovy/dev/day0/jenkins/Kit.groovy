package dev.day0.jenkins

import dev.day0.jenkins.fakes.ArchiveFake
import dev.day0.jenkins.fakes.BadgeFake
import dev.day0.jenkins.fakes.BuildResultFake
import dev.day0.jenkins.fakes.EchoFake
import dev.day0.jenkins.fakes.EngineFake
import dev.day0.jenkins.fakes.EnvFake
import dev.day0.jenkins.fakes.ErrorFake
import dev.day0.jenkins.fakes.FilesFake
import dev.day0.jenkins.fakes.JunitFake
import dev.day0.jenkins.fakes.NodeFake
import dev.day0.jenkins.fakes.ResidentEngine
import dev.day0.jenkins.fakes.ShFake
import dev.day0.jenkins.fakes.SleepFake
import dev.day0.jenkins.fakes.UtilityStepsFake

/**
 * The fakes most step tests compose, each kept so the test can look at what it recorded. Tests add the others
 * (input, timeout, credentials, stash, stage) where the step under test uses them.
 */
class Kit {
    final EngineFake engine = new EngineFake()
    ShFake sh = new ShFake().engine(engine)
    final ErrorFake error = new ErrorFake()
    final EchoFake echo = new EchoFake()
    final NodeFake node = new NodeFake()
    final EnvFake withEnv = new EnvFake()
    final FilesFake files = new FilesFake()
    final ArchiveFake archive = new ArchiveFake()
    final JunitFake junit = new JunitFake()
    final BuildResultFake results = new BuildResultFake()
    final SleepFake sleep = new SleepFake()
    final UtilityStepsFake utility = new UtilityStepsFake()
    BadgeFake badges = BadgeFake.installed()
    FakeJenkins jenkins
    private final ResidentEngine resident = new ResidentEngine()

    /** The run with these fakes (and the badge plugin unless withoutBadgePlugin() came first). */
    FakeJenkins plain(File root) {
        jenkins = FakeJenkins.plain(root)
        return install()
    }

    FakeJenkins cps(File root) {
        jenkins = FakeJenkins.cps(root)
        return install()
    }

    /** sh runs for real, the engine included (no scripted engine). */
    Kit withRealShell() {
        sh = new ShFake().realShell()
        return this
    }

    /**
     * sh runs for real, but the built engine's calls go to one resident engine JVM per directory instead of a JVM
     * per call (same arguments, environment, directory and stdout file; see ResidentEngine). close() ends it.
     */
    Kit withResidentEngine() {
        sh = new ShFake().residentEngine(resident).realShell()
        return this
    }

    /** Ends the resident engine, if one was started; for the test's @After. */
    void close() {
        resident.close()
    }

    Kit withoutBadgePlugin() {
        badges = BadgeFake.missing()
        return this
    }

    private FakeJenkins install() {
        return jenkins.with(error, echo, node, withEnv, files, sh, archive, junit, results, sleep, utility, badges)
    }
}
