package dev.mailroute.delivery;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/**
 * The deliver stage: which transport, the retry schedule ({@code mailroute.retry.*}) and where
 * parked messages go ({@code mailroute.failed.dir}). The consumers on {@code mail.outbound} and the
 * throttle are routes/deliver.yaml's to use; the key table checks their values.
 *
 * @param gatewayThrottle {@code mailroute.throttle.scope=gateway}: mail.outbound is an exclusive
 *     queue, so one consumer in the whole gateway delivers and the throttle holds for all instances
 */
public record DeliverySettings(Transport transport, RetryPolicy retry, Path failedDir, boolean gatewayThrottle) {

    public static DeliverySettings from(SettingsReader r) {
        return new DeliverySettings(Transport.parse("mailroute.transport", r.required("mailroute.transport")),
                RetryPolicy.from(r), r.path("mailroute.failed.dir"),
                "gateway".equals(r.oneOf("mailroute.throttle.scope", "instance", "gateway")));
    }
}
