package dev.mailroute.config;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes mailroute makes from the route files' templates, one per thing of the configuration
 * (a webhook endpoint's sender, a named relay's deliver route), made again after Camel's live
 * reload of the route files: the reload removes every route and adds back only those the files
 * declare, so without this an edit of any route file stopped every named relay's delivery and every
 * webhook's sender until the next start (RoutingTest, measured). Each is made again from the template
 * as the edited files have it.
 */
final class TemplatedRoutes extends SimpleEventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(TemplatedRoutes.class);

    private final CamelContext context;
    /** Each route's id, and its template and parameters. */
    private final Map<String, Made> routes = new LinkedHashMap<>();

    private record Made(String template, Map<String, String> parameters) {
    }

    private TemplatedRoutes(CamelContext context) {
        this.context = context;
    }

    /** The context's, made and registered the first time it is asked for. */
    static synchronized TemplatedRoutes of(CamelContext context) throws Exception {
        TemplatedRoutes routes = context.getRegistry().lookupByNameAndType("templatedRoutes", TemplatedRoutes.class);
        if (routes == null) {
            routes = new TemplatedRoutes(context);
            context.getRegistry().bind("templatedRoutes", routes);
            context.getManagementStrategy().addEventNotifier(routes);
        }
        return routes;
    }

    /** Makes the route {@code routeId} from {@code template} now, and again after every live reload. */
    synchronized void make(String template, String routeId, Map<String, String> parameters) throws Exception {
        if (context.getRoute(routeId) != null) {
            // a name of the configuration that makes the id of a route of the route files
            throw new IllegalStateException("route " + routeId + " of the route files has the id mailroute would give"
                                            + " the route made from " + template + "; rename one of them");
        }
        routes.put(routeId, new Made(template, Map.copyOf(parameters)));
        add(routeId, routes.get(routeId));
    }

    private void add(String routeId, Made made) throws Exception {
        TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(context, made.template()).routeId(routeId);
        made.parameters().forEach(builder::parameter);
        builder.add();
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.RouteReloadedEvent;
    }

    /** The last route of a reload is up: the routes made from templates that it removed are made again. */
    @Override
    public synchronized void notify(CamelEvent event) {
        CamelEvent.RouteReloadedEvent reloaded = (CamelEvent.RouteReloadedEvent) event;
        if (reloaded.getIndex() < reloaded.getTotal()) {
            return;
        }
        for (Map.Entry<String, Made> route : routes.entrySet()) {
            if (context.getRoute(route.getKey()) != null) {
                continue;
            }
            try {
                add(route.getKey(), route.getValue());
                LOG.info("route {} made again from the template {} after the route files were reloaded",
                        route.getKey(), route.getValue().template());
            } catch (Exception e) {
                LOG.error("route {} could not be made again from the template {} after the route files were"
                          + " reloaded: {}. Fix the route file, or restart mailroute", route.getKey(),
                        route.getValue().template(), e.getMessage(), e);
            }
        }
    }
}
