package dev.mailroute.delivery;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/**
 * The deliver stage: which transport, the retry schedule ({@code mailroute.retry.*}) and where
 * parked messages go ({@code mailroute.failed.dir}). The consumers on {@code mail.outbound} and the
 * throttle are routes/deliver.yaml's to use; the key table checks their values.
 */
public record DeliverySettings(Transport transport, RetryPolicy retry, Path failedDir) {

    public static DeliverySettings from(SettingsReader r) {
        return new DeliverySettings(Transport.parse("mailroute.transport", r.required("mailroute.transport")),
                RetryPolicy.from(r), r.path("mailroute.failed.dir"));
    }
}
