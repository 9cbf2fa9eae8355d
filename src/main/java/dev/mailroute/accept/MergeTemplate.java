package dev.mailroute.accept;

import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.github.mustachejava.Code;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.DefaultMustacheVisitor;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheResolver;
import com.github.mustachejava.MustacheVisitor;
import com.github.mustachejava.TemplateContext;

/**
 * One field of a merge request (subject, text or html) as a Mustache template, through
 * mustache.java. {@code {{name}}} is HTML-escaped in html and written as it is in subject and text;
 * partials ({@code {{> file}}}) are refused, since they would read files. The names a template
 * uses are known before it is rendered, so that a recipient without one of them is a problem named
 * for that recipient, not an empty gap in a sent message.
 *
 * <p>Sections nest at most {@link #MAX_DEPTH} deep: mustache.java compiles, walks and renders a
 * section by recursion, so a template thousands of sections deep would run the thread's stack out.
 * The depth is counted as the parser goes, and compiling stops at the first section too deep.
 */
final class MergeTemplate {

    /** Far more than any real template nests; far less than what would exhaust a thread's stack. */
    static final int MAX_DEPTH = 32;

    /** Partials would read templates from files: there are none to read. */
    private static final MustacheResolver NO_PARTIALS = name -> null;

    private final Mustache mustache;
    private final int length;
    private final Set<String> names;

    private MergeTemplate(Mustache mustache, int length) {
        this.mustache = mustache;
        this.length = length;
        this.names = new TreeSet<>();
        collect(mustache.getCodes(), names);
    }

    /** The template, or null (and a problem) when it does not compile. */
    static MergeTemplate compile(String field, String template, boolean html, Problems problems) {
        if (template == null) {
            return null;
        }
        Factory factory = new Factory(html);
        try {
            return new MergeTemplate(factory.compile(new StringReader(template), field), template.length());
        } catch (TooDeep e) {
            problems.add(field, "nests sections ({{#name}} or {{^name}} ... {{/name}}) more than " + MAX_DEPTH
                                + " deep; at most " + MAX_DEPTH + " levels are rendered");
            return null;
        } catch (MustacheException e) {
            problems.add(field, "is not a Mustache template mailroute can use: " + e.getMessage()
                                + " (variables are {{name}}; partials {{> ...}} are not supported)");
            return null;
        }
    }

    /** The template's length in characters: rendering it walks that much, whatever it writes. */
    int length() {
        return length;
    }

    /** Every variable and section name the template uses. */
    Set<String> names() {
        return names;
    }

    /** Writes the template with these variables to out; what out refuses to take ends it (the exception says so). */
    void render(Map<String, String> variables, Writer out) {
        mustache.execute(out, variables);
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

    /**
     * Without partials; in subject and text a variable is written as it is, in html escaped. Counts
     * how deep sections nest as the parser goes: it starts a visitor for each section it enters and
     * hands the finished section to the enclosing one's visitor when it leaves it.
     */
    private static final class Factory extends DefaultMustacheFactory {

        private final boolean html;
        private int open;

        Factory(boolean html) {
            super(NO_PARTIALS);
            this.html = html;
        }

        @Override
        public void encode(String value, Writer writer) {
            if (html) {
                super.encode(value, writer);
                return;
            }
            try {
                writer.write(value);
            } catch (IOException e) {
                throw new MustacheException(e);
            }
        }

        @Override
        public MustacheVisitor createMustacheVisitor() {
            // the template itself is the first visitor: each one after it is a section within
            if (++open > MAX_DEPTH + 1) {
                throw new TooDeep();
            }
            return new DefaultMustacheVisitor(this) {
                @Override
                public void iterable(TemplateContext context, String variable, Mustache section) {
                    open--;
                    super.iterable(context, variable, section);
                }

                @Override
                public void notIterable(TemplateContext context, String variable, Mustache section) {
                    open--;
                    super.notIterable(context, variable, section);
                }

                @Override
                public void name(TemplateContext context, String variable, Mustache section) {
                    open--;
                    super.name(context, variable, section);
                }

                @Override
                public void checkName(TemplateContext context, String variable, Mustache section) {
                    open--;
                    super.checkName(context, variable, section);
                }

                @Override
                public void extend(TemplateContext context, String variable, Mustache section) {
                    open--;
                    super.extend(context, variable, section);
                }
            };
        }
    }

    /** Compiling stopped: a section deeper than {@link #MAX_DEPTH}. */
    private static final class TooDeep extends MustacheException {

        TooDeep() {
            super("sections nested more than " + MAX_DEPTH + " deep");
        }
    }
}
