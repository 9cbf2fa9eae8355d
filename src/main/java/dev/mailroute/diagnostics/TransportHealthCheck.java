package dev.mailroute.diagnostics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Optional;

import dev.mailroute.config.MailrouteSettings;
import dev.mailroute.delivery.smtp.SmtpSettings;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of the delivery transport: the pickup folder is writable, or the SMTP relay accepts
 * a TCP connection. Readiness only (Camel's default): a relay that is down is a reason to queue,
 * not to restart mailroute.
 */
public final class TransportHealthCheck extends AbstractHealthCheck {

    private static final int MAX_CONNECT_MILLIS = 3000;

    private final MailrouteSettings settings;

    public TransportHealthCheck(MailrouteSettings settings) {
        super("mailroute", "transport");
        this.settings = settings;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("transport", settings.transport());
        if (settings.transport().equals("pickup")) {
            Optional<String> problem = FolderCheck.problem("pickup", "mailroute.pickup.dir", settings.pickupDir());
            builder.detail("pickup.dir", settings.pickupDir().toString());
            problem.ifPresentOrElse(p -> builder.message(p).down(), builder::up);
            return;
        }
        SmtpSettings smtp = settings.smtp();
        String relay = smtp.host() + ":" + smtp.port();
        builder.detail("relay", relay);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(smtp.host(), smtp.port()),
                    (int) Math.min(MAX_CONNECT_MILLIS, smtp.timeoutMillis()));
            builder.up();
        } catch (IOException e) {
            builder.message("cannot connect to the SMTP relay " + relay + ": " + e.getMessage()).down();
        }
    }
}
