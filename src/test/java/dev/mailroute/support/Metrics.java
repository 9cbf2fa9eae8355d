package dev.mailroute.support;

import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads one sample off a gateway's Prometheus page, /observe/metrics. */
public final class Metrics {

    private Metrics() {
    }

    /**
     * The value of the first sample whose name and labels match (a regex), or -1 when there is none.
     *
     * @param apiKey the bearer key when the gateway has API keys (metrics need one then), or null
     */
    public static double value(URI metrics, String sample, String apiKey) {
        Http.Answer answer = apiKey == null ? Http.get(metrics) : Http.get(metrics, "Authorization", "Bearer " + apiKey);
        assertThat(answer.status()).isEqualTo(200);
        Matcher m = Pattern.compile("^" + sample + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(answer.body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** {@code mailroute_queue_depth{queue="mail.outbound"}}: messages waiting, being delivered or scheduled. */
    public static final String OUTBOUND_DEPTH = "mailroute_queue_depth\\{queue=\"mail.outbound\"}";

    public static String delivered(String transport) {
        return "mailroute_messages_delivered_total\\{transport=\"" + transport + "\"}";
    }
}
