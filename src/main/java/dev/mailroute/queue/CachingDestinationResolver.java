package dev.mailroute.queue;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import org.springframework.jms.support.destination.DestinationResolver;
import org.springframework.jms.support.destination.DynamicDestinationResolver;

/**
 * Resolves each queue name once and keeps the Destination. Spring's default resolver asks the
 * session again for every message, and Artemis' client then checks with the broker that the
 * queue exists — two blocking round trips per send, which were most of the time an HTTP batch
 * took to queue. A cached Artemis destination remembers that it was checked.
 */
public final class CachingDestinationResolver implements DestinationResolver {

    private final DestinationResolver resolver = new DynamicDestinationResolver();
    private final Map<String, Destination> queues = new ConcurrentHashMap<>();
    private final Map<String, Destination> topics = new ConcurrentHashMap<>();

    @Override
    public Destination resolveDestinationName(Session session, String name, boolean pubSubDomain)
            throws JMSException {
        Map<String, Destination> cache = pubSubDomain ? topics : queues;
        Destination known = cache.get(name);
        if (known != null) {
            return known;
        }
        Destination resolved = resolver.resolveDestinationName(session, name, pubSubDomain);
        cache.putIfAbsent(name, resolved);
        return resolved;
    }
}
