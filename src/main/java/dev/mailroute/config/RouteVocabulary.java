package dev.mailroute.config;

import java.util.Map;

import dev.mailroute.accept.RejectedMessageException;
import dev.mailroute.ingress.http.HttpProblemException;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.engine.DefaultClassResolver;

/**
 * The words route files use for kinds of failure, instead of Java class names: the files in
 * {@code routes/} are what operators edit, so a class moved or renamed inside mailroute must not
 * break them. A {@code doCatch} names a kind by its word; Camel looks it up here as it would look up
 * a class. The words are a public interface, listed in docs/architecture.md ("Editing routes").
 */
final class RouteVocabulary extends DefaultClassResolver {

    /** Each word of the route files, and the failure it stands for. */
    static final Map<String, Class<? extends Throwable>> FAILURES = Map.of(
            // accept refused the request: every problem is named (field and reason)
            "RejectedRequest", RejectedMessageException.class,
            // the HTTP API refused the request before accept (key, media type, size)
            "HttpRefusal", HttpProblemException.class,
            // anything that went wrong
            "AnyFailure", Exception.class);

    RouteVocabulary(CamelContext context) {
        super(context);
    }

    @Override
    protected Class<?> loadClass(String name, ClassLoader loader) {
        Class<? extends Throwable> failure = FAILURES.get(name);
        return failure != null ? failure : super.loadClass(name, loader);
    }
}
