package org.jenkinsci.plugins.workflow.libs;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Test stand-in for pipeline-groovy-lib's {@code @Library}, which Jenkins imports into every Jenkinsfile, so the
 * compile check can compile Jenkinsfile.example as Jenkins does.
 */
@Retention(RetentionPolicy.SOURCE)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.LOCAL_VARIABLE, ElementType.PACKAGE,
    ElementType.CONSTRUCTOR, ElementType.PARAMETER})
public @interface Library {
    String[] value();
}
