package dev.day0.jenkins

import dev.day0.jenkins.fakes.ErrorFake
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder

import static org.assertj.core.api.Assertions.assertThat

/** The step tests' harness: the library is compiled once per mode, and nothing of one run reaches the next. */
class FakeJenkinsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder()

    private FakeJenkins.Run runWithError(FakeJenkins jenkins, ErrorFake error, String code) {
        jenkins.with(error)
        return jenkins.run(code)
    }

    @Test
    void shouldReuseTheCompiledLibraryButGiveEachRunItsOwnGlobalVariables() {
        FakeJenkins.Run first = FakeJenkins.plain(tmp.newFolder()).run('return day0Engine')
        FakeJenkins.Run second = FakeJenkins.plain(tmp.newFolder()).run('return day0Engine')

        assertThat(first.failure).isNull()
        assertThat(second.value).isNotSameAs(first.value)
        assertThat(second.value.getClass()).isSameAs(first.value.getClass())
        assertThat(CompiledLibrary.loader(false)).isNotNull()
    }

    @Test
    void shouldCompileTheLibraryApartForCpsMode() {
        FakeJenkins.Run plain = FakeJenkins.plain(tmp.newFolder()).run('return day0Engine.getClass().name')
        FakeJenkins.Run cps = FakeJenkins.cps(tmp.newFolder()).run('return day0Engine.getClass().name')

        assertThat(cps.failure).isNull()
        assertThat(cps.value).isEqualTo(plain.value)
        assertThat(CompiledLibrary.loader(true)).isNotNull().isNotSameAs(CompiledLibrary.loader(false))
    }

    @Test
    void shouldSendTheLibrarysStepCallsToTheStepsOfTheRunThatIsGoingOn() {
        String unknownArgument = "day0Engine.checkArgs('day0Gate', [stge: 'ptq'], [stage: null])"
        ErrorFake firstErrors = new ErrorFake()
        ErrorFake secondErrors = new ErrorFake()

        FakeJenkins.Run first = runWithError(FakeJenkins.plain(tmp.newFolder()), firstErrors, unknownArgument)
        FakeJenkins.Run second = runWithError(FakeJenkins.plain(tmp.newFolder()), secondErrors, unknownArgument)

        assertThat(first.message()).isEqualTo('day0Gate: unknown argument(s) stge (known: stage)')
        assertThat(second.message()).isEqualTo(first.message())
        assertThat(firstErrors.messages).hasSize(1)
        assertThat(secondErrors.messages).hasSize(1)
    }

    @Test
    void shouldLeaveAStepOutOfARunThatDidNotInstallIt() {
        runWithError(FakeJenkins.plain(tmp.newFolder()), new ErrorFake(), "day0Engine.checkArgs('s', [x: 1], [:])")

        FakeJenkins.Run withoutError = FakeJenkins.plain(tmp.newFolder()).run("day0Engine.checkArgs('s', [x: 1], [:])")

        assertThat(withoutError.result).isEqualTo('FAILURE')
        assertThat(withoutError.failure).isInstanceOf(MissingMethodException)
        assertThat(withoutError.message()).contains('error')
    }
}
