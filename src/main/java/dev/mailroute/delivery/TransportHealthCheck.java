package dev.mailroute.delivery;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import dev.mailroute.delivery.smtp.RelayCircuit;
import dev.mailroute.delivery.smtp.SmtpSettings;
import dev.mailroute.files.FolderCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The delivery transport: the pickup folder is writable, or the SMTP relay's circuit is closed and
 * it accepts a TCP connection. Reported in {@code /observe/health} and the metrics — alerting
 * material — but neither readiness nor liveness: a relay that is down is a reason to queue (and to
 * keep accepting, which is what the queue is for), not to be taken out of a load balancer or
 * restarted.
 */
public final class TransportHealthCheck extends AbstractHealthCheck {

    private static final int MAX_CONNECT_MILLIS = 3000;

    private final Transport transport;
    private final Path pickupDir;
    private final SmtpSettings smtp;
    private final RelayCircuit circuit;

    /** The check of one relay: {@code transport} for the relay named default, {@code transport-<name>} for another. */
    public TransportHealthCheck(RelaySettings relay, RelayCircuit circuit) {
        super("mailroute", relay.isDefault() ? "transport" : "transport-" + relay.name());
        this.transport = relay.transport();
        this.pickupDir = relay.pickupDir();
        this.smtp = relay.smtp();
        this.circuit = circuit;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("transport", transport.id());
        if (transport == Transport.PICKUP) {
            Optional<String> problem = FolderCheck.problem("pickup", "mailroute.pickup.dir", pickupDir);
            builder.detail("pickup.dir", pickupDir.toString());
            problem.ifPresentOrElse(p -> builder.message(p).down(), builder::up);
            return;
        }
        String relay = smtp.host() + ":" + smtp.port();
        builder.detail("relay", relay);
        builder.detail("circuit", circuit.state().name());
        if (circuit.state() != RelayCircuit.State.CLOSED) {
            builder.message((circuit.configurationProblem() ? "the relay refuses mailroute, delivery stopped: "
                    : "the relay circuit is " + circuit.state() + ": ") + circuit.reason()).down();
            return;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(smtp.host(), smtp.port()),
                    (int) Math.min(MAX_CONNECT_MILLIS, smtp.timeoutMillis()));
            builder.up();
        } catch (IOException e) {
            builder.message("cannot connect to the SMTP relay " + relay + ": " + e.getMessage()).down();
        }
    }
}
