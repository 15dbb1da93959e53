package dev.day0.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.Test;
import org.w3c.dom.Element;

public class MarkupTest {
    @Test
    public void shouldEscapeTheFiveMarkupCharacters() {
        assertThat(Markup.escape("a & b < c > d \"e\" 'f'"))
                .isEqualTo("a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;");
    }

    @Test
    public void shouldDropCharactersXmlCannotHoldAndKeepLineBreaksAndTabs() {
        assertThat(Markup.escape("a\u0000b\u0007c\u001bd\te\nf\rg\uFFFEh\uFFFFi")).isEqualTo("abcd\te\nf\rghi");
    }

    @Test
    public void shouldKeepSurrogatePairsAndDropUnpairedHalves() {
        assertThat(Markup.escape("x\uD83D\uDE00y")).isEqualTo("x\uD83D\uDE00y");
        assertThat(Markup.escape("x\uD83Dy\uDE00z")).isEqualTo("xyz");
    }

    @Test
    public void shouldTurnNullIntoTheEmptyString() {
        assertThat(Markup.escape(null)).isEmpty();
    }

    @Test
    public void shouldGiveAWellFormedXmlAttributeAndTextForHostileInput() throws Exception {
        String hostile = "</failure><x a='1'>\"&amp;\u0001\uD800";
        String xml = "<r a=\"" + Markup.escape(hostile) + "\">" + Markup.escape(hostile) + "</r>";

        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();

        assertThat(root.getAttribute("a")).isEqualTo("</failure><x a='1'>\"&amp;");
        assertThat(root.getTextContent()).isEqualTo("</failure><x a='1'>\"&amp;");
    }
}
