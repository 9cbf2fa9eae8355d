package dev.mailroute.ingress.http;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import dev.mailroute.message.InFlightBytes;
import dev.mailroute.settings.StartupCheckException;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the API, health and metrics: the server Camel's {@code platform-http:} routes
 * and its management endpoints ({@code /observe/...}) run on, with what Camel 4.18's own
 * ({@code camel.server.*}) does not do:
 *
 * <ul>
 * <li>a port it cannot bind stops the start (Camel's logs a warning and runs without an API);</li>
 * <li>a request without a valid API key, or announcing a body over {@code mailroute.message.maxBytes},
 *     is answered before its body is read ({@link HttpRequestCheck#beforeBody}) — Camel's reads
 *     the whole body before any route step runs;</li>
 * <li>slow and greedy clients are cut off ({@link ClientGuard}, and an idle timeout): Camel's
 *     creates its Vert.x server with fixed default options, which never time out;</li>
 * <li>health ({@link HealthAnswers}) answers as soon as the port is bound, 503 while starting;</li>
 * <li>the operator console's files ({@link ConsoleFiles}) under {@code /console/}.</li>
 * </ul>
 * Everything else is Camel's: the router it binds is the one {@code platform-http:} consumers find
 * in the registry.
 */
public final class ApiHttpServer extends VertxPlatformHttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHttpServer.class);

    /** How long the start waits for the port to be bound. */
    private static final long BIND_TIMEOUT_SECONDS = 30;

    private final HttpSettings settings;
    private final long maxBodyBytes;
    private final HttpRequestCheck check;
    private final HttpAnswers answers;
    private final InFlightBytes inFlight;
    private Vertx vertx;
    private Router router;
    private HttpServer server;

    public ApiHttpServer(HttpSettings settings, long maxBodyBytes, InFlightBytes inFlight, HttpRequestCheck check,
                         HttpAnswers answers) {
        super(configuration(settings));
        this.settings = settings;
        this.maxBodyBytes = maxBodyBytes;
        this.inFlight = inFlight;
        this.check = check;
        this.answers = answers;
    }

    private static VertxPlatformHttpServerConfiguration configuration(HttpSettings settings) {
        VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
        configuration.setBindHost(settings.host());
        configuration.setBindPort(settings.port());
        return configuration;
    }

    @Override
    protected void initializeServer() {
        vertx = Vertx.vertx();
        router = Router.router(vertx);
        Router subRouter = Router.router(vertx);
        ClientGuard guard = new ClientGuard(vertx, settings.idleTimeoutMillis(), settings.requestTimeoutMillis(),
                settings.maxConnectionsPerClient());
        router.route().order(-1000).handler(guard::request);
        router.route().order(-999).handler(this::beforeBody);
        HealthAnswers health = new HealthAnswers(getCamelContext(), vertx);
        router.get("/observe/health").handler(context -> health.answer(context, HealthAnswers.Kind.ALL));
        router.get("/observe/health/live").handler(context -> health.answer(context, HealthAnswers.Kind.LIVENESS));
        router.get("/observe/health/ready").handler(context -> health.answer(context, HealthAnswers.Kind.READINESS));
        ConsoleFiles console = new ConsoleFiles();
        router.route("/console").handler(console::answer);
        router.route("/console/*").handler(console::answer);
        // a body over the limit sent without Content-Length: the body handler stops it, answered like the others
        router.errorHandler(413, this::tooLarge);
        // on both: a failure goes to the failure handlers of the router whose routes were running
        for (Router each : List.of(router, subRouter)) {
            each.route().order(-2000).failureHandler(this::clientFailures);
        }
        router.route("/api/*").handler(this::unlessStarting);
        router.route("/*").subRouter(subRouter);
        String name = VertxPlatformHttpRouter.getRouterNameFromPort(settings.port());
        // preallocated from Content-Length (at most the limit): a body grown by doubling took up to
        // twice its size, and its copies, while it arrived
        BodyHandler bodyHandler = BodyHandler.create(false).setBodyLimit(maxBodyBytes).setPreallocateBodyBuffer(true);
        getCamelContext().getRegistry().bind(name, new VertxPlatformHttpRouter(this, vertx, subRouter, name,
                VertxPlatformHttpRouter.SERVER_TYPE_SERVER) {
            @Override
            public Handler<RoutingContext> bodyHandler() {
                return context -> {
                    context.request().resume();
                    bodyHandler.handle(context);
                };
            }
        });
        // no Vert.x idle timeout: ClientGuard times the client only, not mailroute's work on a request
        server = vertx.createHttpServer(new HttpServerOptions()
                // HTTP/1.1 only: with h2c detection on, Vert.x makes the connection (and calls the
                // guard) only once a whole request head has arrived — too late to time a slow one
                .setHttp2ClearTextEnabled(false));
        server.connectionHandler(guard::connected);
        server.requestHandler(router);
    }

    @Override
    protected void startServer() throws Exception {
        try {
            server.listen(settings.port(), settings.host()).toCompletionStage().toCompletableFuture()
                    .get(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StartupCheckException("mailroute.http.port=" + settings.port() + ": cannot listen on "
                                               + settings.host() + ":" + settings.port() + " (" + cause.getMessage()
                                               + "). Fix: stop what uses that port, or set mailroute.http.port"
                                               + " (and mailroute.http.host) to an address that is free");
        }
        LOG.info("HTTP API listening on {}:{}", settings.host(), server.actualPort());
    }

    @Override
    protected void stopServer() {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().join();
            server = null;
        }
    }

    @Override
    protected void stopVertx() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            vertx = null;
        }
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    public Vertx getVertx() {
        return vertx;
    }

    @Override
    public int getPort() {
        return server != null && server.actualPort() > 0 ? server.actualPort() : settings.port();
    }

    private void beforeBody(RoutingContext context) {
        HttpProblemException refusal = check.beforeBody(context.request().method().name(), context.normalizedPath(),
                context.request().getHeader("Authorization"), context.request().getHeader("Content-Length"));
        if (refusal != null) {
            answer(context, refusal);
        } else if (context.request().method() == HttpMethod.POST && context.normalizedPath().startsWith("/api/")) {
            holdBody(context);
        } else {
            context.next();
        }
    }

    /**
     * A request body is read whole, then accepted: it takes its declared length (the limit, when it
     * declares none) of {@code mailroute.message.maxInFlight} until its answer is sent, or is told
     * to come back when that is taken.
     */
    private void holdBody(RoutingContext context) {
        String declared = context.request().getHeader("Content-Length");
        long bytes = declared == null ? maxBodyBytes : Math.max(0, Long.parseLong(declared.trim())); // a number: beforeBody checked it
        if (!inFlight.tryTake(bytes)) {
            context.response().putHeader("Retry-After", "5");
            answer(context, new HttpProblemException(503, HttpAnswers.TYPE_BUSY, "Busy",
                    "busy: requests of " + inFlight.held() + " bytes are being received or accepted, and this one of "
                    + bytes + " bytes would take them over " + inFlight.limit()
                    + " bytes (mailroute.message.maxInFlight); send it again in a few seconds"));
            return;
        }
        context.addEndHandler(ended -> inFlight.release(bytes));
        context.next();
    }

    private void tooLarge(RoutingContext context) {
        answer(context, new HttpProblemException(413, HttpAnswers.TYPE_TOO_LARGE, "Request too large",
                "too large: the request is over " + maxBodyBytes + " bytes (mailroute.message.maxBytes)"));
    }

    /**
     * Failures that are the client's, not mailroute's, answered without an ERROR line (Vert.x logs
     * each failure no handler takes as "Unhandled exception in router" at ERROR, so any client could
     * fill the log with them): a client gone while its body was read — cut off by
     * {@link ClientGuard}, which logged why, or hung up — gets nothing, there is no one to answer;
     * a request Vert.x could not read (a URL with a % not followed by two hex digits) gets a 400
     * problem document. Any other failure goes on to Vert.x's handling.
     */
    private void clientFailures(RoutingContext context) {
        if (context.failure() instanceof HttpClosedException || context.response().closed()) {
            LOG.debug("the client closed its connection before its request was answered");
            return;
        }
        if (context.failure() instanceof HttpException bad && bad.getStatusCode() == 400
            && !context.response().headWritten()) {
            answer(context, new HttpProblemException(400, HttpAnswers.TYPE_INVALID, "Bad request",
                    "the request line or a header could not be read (e.g. a % in the URL not followed by two"
                    + " hexadecimal digits)"));
            return;
        }
        context.next();
    }

    /**
     * The API's routes are there once Camel has started them; before that (and while stopping) a
     * request is told to come back — 503 with Retry-After, never a 404 for a path that exists.
     */
    private void unlessStarting(RoutingContext context) {
        if (getCamelContext().getStatus().isStarted()) {
            context.next();
            return;
        }
        context.response().putHeader("Retry-After", "1");
        answer(context, new HttpProblemException(503, HttpAnswers.TYPE_STARTING, "Not ready", "mailroute is "
                + getCamelContext().getStatus().name().toLowerCase(Locale.ROOT) + "; try again in a second"));
    }

    /** Answers and closes the connection: the rest of the body is not read. */
    private void answer(RoutingContext context, HttpProblemException refusal) {
        var response = context.response().setStatusCode(refusal.status())
                .putHeader("Content-Type", "application/problem+json").putHeader("Connection", "close");
        if (refusal.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"mailroute\"");
        }
        response.end(answers.problemBody(refusal));
    }
}
