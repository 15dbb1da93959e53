package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.Test;

public class ArxivIdTest {
    @Test
    public void shouldParseANewStyleIdWithFiveDigitsAndAVersion() {
        ArxivId id = ArxivId.parse("2401.01234v2").orElseThrow();

        assertThat(id.id()).isEqualTo("2401.01234");
        assertThat(id.version()).isEqualTo(2);
        assertThat(id.versioned()).isEqualTo("2401.01234v2");
        assertThat(id.absUrl()).isEqualTo("https://arxiv.org/abs/2401.01234v2");
    }

    @Test
    public void shouldParseAFourDigitIdFromBefore2015WithoutVersion() {
        ArxivId id = ArxivId.parse("1412.6980").orElseThrow();

        assertThat(id.id()).isEqualTo("1412.6980");
        assertThat(id.version()).isNull();
    }

    @Test
    public void shouldParseOldStyleIdsWithAndWithoutSubjectClass() {
        assertThat(ArxivId.parse("hep-th/9901001")).get().extracting(ArxivId::id).isEqualTo("hep-th/9901001");
        assertThat(ArxivId.parse("math.AG/0601001v3")).get().satisfies(id -> {
            assertThat(id.id()).isEqualTo("math.AG/0601001");
            assertThat(id.version()).isEqualTo(3);
        });
        assertThat(ArxivId.parse("cs/0703001")).isPresent();
    }

    @Test
    public void shouldRejectIdsArxivNeverAssigned() {
        assertThat(ArxivId.parse("2413.01234")).as("month 13").isEmpty();
        assertThat(ArxivId.parse("2401.0123")).as("four digits after 2014").isEmpty();
        assertThat(ArxivId.parse("1001.01234")).as("five digits before 2015").isEmpty();
        assertThat(ArxivId.parse("0612.1234")).as("new style before April 2007").isEmpty();
        assertThat(ArxivId.parse("2401.01234v0")).as("version 0").isEmpty();
        assertThat(ArxivId.parse("foo-bar/9901001")).as("unknown archive").isEmpty();
        assertThat(ArxivId.parse("hep-th/0704001")).as("old style after March 2007").isEmpty();
        assertThat(ArxivId.parse("hep-th/0813001")).as("old style month 13").isEmpty();
        assertThat(ArxivId.parse(" 2401.01234")).as("surrounding text").isEmpty();
        assertThat(ArxivId.parse(null)).isEmpty();
    }
}
