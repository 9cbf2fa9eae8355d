package dev.mailroute.ingress.smtp;

import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer of an {@code smtpd:} route while {@code mailroute.smtpd.enabled=false}: it starts
 * with its route and listens on nothing. Whether the SMTP listener runs is decided by that setting
 * alone, where the start-up checks that guard the listener are decided too — a route file that
 * starts its route anyway opens no port.
 */
final class ListenerOff extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerOff.class);

    ListenerOff(SmtpdEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        LOG.info("SMTP listener off (mailroute.smtpd.enabled=false): route {} listens on no port", getRouteId());
    }
}
