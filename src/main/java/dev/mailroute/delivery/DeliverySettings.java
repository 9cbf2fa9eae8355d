package dev.mailroute.delivery;

import java.nio.file.Path;

import dev.mailroute.settings.SettingsReader;

/**
 * The deliver stage: which transport, how many consumers on {@code mail.outbound}
 * ({@code mailroute.deliver.consumers}), the throttle ({@code mailroute.throttle.*}), the retry
 * schedule ({@code mailroute.retry.*}) and where parked messages go ({@code mailroute.failed.dir}).
 */
public record DeliverySettings(Transport transport, int consumers, int throttleRate, long throttlePeriodMillis,
                               RetryPolicy retry, Path failedDir) {

    public static DeliverySettings from(SettingsReader r) {
        return new DeliverySettings(Transport.parse("mailroute.transport", r.required("mailroute.transport")),
                r.atLeast("mailroute.deliver.consumers", 1), r.atLeast("mailroute.throttle.rate", 1),
                r.millis("mailroute.throttle.period"), RetryPolicy.from(r), r.path("mailroute.failed.dir"));
    }
}
