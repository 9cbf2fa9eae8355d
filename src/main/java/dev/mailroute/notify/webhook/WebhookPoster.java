package dev.mailroute.notify.webhook;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import dev.mailroute.observability.LogText;
import dev.mailroute.settings.Secret;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends one event to one endpoint: a POST signed per the Standard Webhooks specification (the
 * {@code standardwebhooks} library signs: {@code webhook-id}, {@code webhook-timestamp} of this
 * try, {@code webhook-signature} with one {@code v1,} signature per secret) and says what the
 * answer means. Redirects are not followed, no proxy or cookie is used, every connection's
 * addresses pass {@link AddressRules} first, and the answer's body is never read: the connection
 * is closed at once after the status line and headers (of which only {@value #MAX_HEADERS}, each at
 * most {@value #MAX_LINE} bytes, are taken). A POST that has not been answered
 * {@link #DEADLINE_FACTOR} times the timeout after it began is cancelled, however slowly the
 * receiver trickles: the timeout alone only bounds each read.
 */
final class WebhookPoster implements Closeable {

    /** What an answer means for the event. */
    enum Verdict {
        /** 2xx: the receiver has it */
        SENT,
        /** unreachable, timed out, 5xx, 408, 429: try again later */
        RETRY,
        /** 410: the receiver wants no more events; the endpoint is disabled */
        GONE,
        /** any other answer: the receiver will not take this event; it is set aside */
        REFUSED
    }

    /** An answer: its verdict, the HTTP status (0 without one), and for people, what happened. */
    record Answer(Verdict verdict, int status, String reason) {
    }

    static final int MAX_HEADERS = 100;
    static final int MAX_LINE = 8192;
    static final int DEADLINE_FACTOR = 3;

    private final WebhookEndpoint endpoint;
    private final List<Webhook> signers;
    private final CloseableHttpClient client;
    private final long deadlineMillis;
    /** Cancels a POST past its deadline; one daemon thread, idle between POSTs. */
    private final ScheduledExecutorService deadlines;
    /** The POST in progress, for {@link #cancel}. */
    private volatile HttpPost current;

    WebhookPoster(WebhookEndpoint endpoint, long timeoutMillis) {
        this.endpoint = endpoint;
        this.signers = endpoint.secrets().stream().map(Secret::reveal).map(Webhook::new).toList();
        this.deadlineMillis = timeoutMillis * DEADLINE_FACTOR;
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "mailroute-webhook-deadline-" + endpoint.name());
            thread.setDaemon(true);
            return thread;
        });
        Timeout timeout = Timeout.ofMilliseconds(timeoutMillis);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        // a receiver cannot fill the heap with endless header lines (httpcore's default: no limit)
                        .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                                .http1Config(Http1Config.custom().setMaxHeaderCount(MAX_HEADERS)
                                        .setMaxLineLength(MAX_LINE).build())
                                .build())
                        .setDnsResolver(new AddressRules(endpoint))
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout)
                                .setSocketTimeout(timeout).build())
                        .setMaxConnTotal(1).setMaxConnPerRoute(1)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout)
                        .setConnectionRequestTimeout(timeout).setRedirectsEnabled(false).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("mailroute-webhooks")
                .build();
    }

    /** POSTs the event {@code body} with its stable {@code id}, signed now. */
    Answer post(String id, String body) {
        long now = System.currentTimeMillis() / 1000;
        HttpPost post = new HttpPost(endpoint.url());
        post.setHeader("webhook-id", id);
        post.setHeader("webhook-timestamp", Long.toString(now));
        post.setHeader("webhook-signature", signatures(id, now, body));
        post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
        current = post;
        ScheduledFuture<?> deadline = deadlines.schedule(post::cancel, deadlineMillis, TimeUnit.MILLISECONDS);
        CloseableHttpResponse response = null;
        try {
            response = (CloseableHttpResponse) client.executeOpen(null, post, null);
            int status = response.getCode();
            String reason = status + " " + LogText.oneLine(String.valueOf(response.getReasonPhrase()), 100);
            if (status >= 200 && status < 300) {
                return new Answer(Verdict.SENT, status, reason);
            }
            if (status == 410) {
                return new Answer(Verdict.GONE, status, reason);
            }
            if (status >= 500 || status == 408 || status == 429) {
                return new Answer(Verdict.RETRY, status, reason);
            }
            return new Answer(Verdict.REFUSED, status, reason);
        } catch (IOException e) {
            return new Answer(Verdict.RETRY, 0, post.isCancelled()
                    ? "no answer within " + deadlineMillis + " ms (" + DEADLINE_FACTOR + " x mailroute.webhooks.timeout)"
                    : LogText.oneLine(e.getClass().getSimpleName() + ": " + e.getMessage(), 300));
        } finally {
            deadline.cancel(false);
            current = null;
            if (response != null) {
                // the body is never read: closed at once, not drained, the connection not kept
                response.close(CloseMode.IMMEDIATE);
            }
        }
    }

    /** Cancels the POST in progress, if any: mailroute is stopping. */
    void cancel() {
        HttpPost post = current;
        if (post != null) {
            post.cancel();
        }
    }

    /** One signature per secret, space-separated, as the specification has it for a rotation. */
    private String signatures(String id, long timestamp, String body) {
        return signers.stream().map(signer -> {
            try {
                return signer.sign(id, timestamp, body);
            } catch (WebhookSigningException e) {
                throw new IllegalStateException("cannot sign a webhook of " + endpoint.name(), e);
            }
        }).collect(Collectors.joining(" "));
    }

    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        client.close(CloseMode.IMMEDIATE);
    }
}
