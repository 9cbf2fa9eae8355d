package dev.mailroute.ingress.smtp;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** The SMTP listener's endpoint: consumer only (mail comes in here; it leaves through camel-mail). */
public final class SmtpdEndpoint extends DefaultEndpoint {

    SmtpdEndpoint(String uri, SmtpdComponent component) {
        super(uri, component);
    }

    @Override
    public SmtpdComponent getComponent() {
        return (SmtpdComponent) super.getComponent();
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!getComponent().settings().enabled()) {
            // the setting decides, not the route's autoStartup: its checks were skipped, nothing may listen
            ListenerOff off = new ListenerOff(this, processor);
            configureConsumer(off);
            return off;
        }
        SmtpdConsumer consumer = new SmtpdConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("smtpd: receives mail; send with camel-mail's smtp:");
    }
}
