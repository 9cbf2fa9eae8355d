package dev.mailroute.accept;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.github.mustachejava.Code;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheResolver;

/**
 * One field of a merge request (subject, text or html) as a Mustache template, through
 * mustache.java. {@code {{name}}} is HTML-escaped in html and written as it is in subject and text;
 * partials ({@code {{> file}}}) are refused, since they would read files. The names a template
 * uses are known before it is rendered, so that a recipient without one of them is a problem named
 * for that recipient, not an empty gap in a sent message.
 */
final class MergeTemplate {

    /** Partials would read templates from files: there are none to read. */
    private static final MustacheResolver NO_PARTIALS = name -> null;

    private final Mustache mustache;
    private final Set<String> names;

    private MergeTemplate(Mustache mustache) {
        this.mustache = mustache;
        this.names = new TreeSet<>();
        collect(mustache.getCodes(), names);
    }

    /** The template, or null (and a problem) when it does not compile. */
    static MergeTemplate compile(String field, String template, boolean html, Problems problems) {
        if (template == null) {
            return null;
        }
        DefaultMustacheFactory factory = html ? new DefaultMustacheFactory(NO_PARTIALS) : new Unescaped();
        try {
            return new MergeTemplate(factory.compile(new StringReader(template), field));
        } catch (MustacheException e) {
            problems.add(field, "is not a Mustache template mailroute can use: " + e.getMessage()
                                + " (variables are {{name}}; partials {{> ...}} are not supported)");
            return null;
        }
    }

    /** Every variable and section name the template uses. */
    Set<String> names() {
        return names;
    }

    String render(Map<String, String> variables) {
        StringWriter out = new StringWriter();
        mustache.execute(out, variables);
        return out.toString();
    }

    private static void collect(Code[] codes, Set<String> names) {
        if (codes == null) {
            return;
        }
        for (Code code : codes) {
            if (code.getName() != null && !code.getClass().getSimpleName().equals("WriteCode")) {
                names.add(code.getName());
            }
            collect(code.getCodes(), names);
        }
    }

    /** For subject and text: a variable is written as it is. */
    private static final class Unescaped extends DefaultMustacheFactory {

        Unescaped() {
            super(NO_PARTIALS);
        }

        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(value);
            } catch (IOException e) {
                throw new MustacheException(e);
            }
        }
    }
}
