package dev.mailroute.queue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;

/**
 * What an external Artemis broker says about mailroute's queues, asked over its management address
 * ({@code activemq.management}, JMS): how many messages wait, how many of them for a retry, and
 * whether its address settings are what the embedded broker sets and mailroute relies on. Needs
 * the {@code manage} permission for mailroute's account (docs/scale-out.md's broker.xml gives it).
 */
public final class BrokerManagement implements AutoCloseable {

    /** Attempts at taking one message off mail.submit before the broker moves it to mail.rejected. */
    public static final int SUBMIT_ATTEMPTS = 10;

    /** How long a question about the broker waits for its answer, unless the caller says otherwise. */
    private static final long ANSWER_MILLIS = 5000;

    private final Connection connection;
    private final Session session;
    private final MessageProducer producer;
    private final TemporaryQueue replies;
    private final MessageConsumer answers;
    private final ObjectMapper mapper = new ObjectMapper();
    private final long answerMillis;

    private BrokerManagement(Connection connection, long answerMillis) throws JMSException {
        this.connection = connection;
        this.answerMillis = answerMillis;
        this.session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        this.producer = session.createProducer(session.createQueue("activemq.management"));
        this.replies = session.createTemporaryQueue();
        this.answers = session.createConsumer(replies);
        connection.start();
    }

    public static BrokerManagement open(ConnectionFactory factory) throws JMSException {
        return open(factory, ANSWER_MILLIS);
    }

    /**
     * @param answerMillis how long each answer may take: an operation on many messages takes as long
     *        as the broker needs to go through the queue (and the factory's call timeout must allow it)
     */
    public static BrokerManagement open(ConnectionFactory factory, long answerMillis) throws JMSException {
        Connection connection = factory.createConnection();
        try {
            return new BrokerManagement(connection, answerMillis);
        } catch (JMSException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Messages on the queue, those waiting for their delivery time (retries) included. */
    public long messageCount(String queue) throws JMSException {
        return ((Number) attribute(ResourceNames.QUEUE + queue, "messageCount")).longValue();
    }

    /** Messages on the queue that wait for their delivery time. */
    public long scheduledCount(String queue) throws JMSException {
        return ((Number) attribute(ResourceNames.QUEUE + queue, "scheduledCount")).longValue();
    }

    /** Messages matching the selector that are not scheduled: Artemis does not count those waiting for a retry. */
    public long countMessages(String queue, String selector) throws JMSException {
        return number(invoke(ResourceNames.QUEUE + queue, "countMessages", selector));
    }

    /**
     * Moves the messages matching the selector (scheduled ones too, which stay scheduled) to another
     * queue; a message being delivered at that moment is not moved.
     */
    public long moveMessages(String queue, String selector, String target) throws JMSException {
        // rejectDuplicates false: a keyed message whose duplicate id the target's address has seen
        // (it came from there) is moved all the same, never dropped
        return number(invoke(ResourceNames.QUEUE + queue, "moveMessages", selector, target, false));
    }

    /** Removes the messages matching the selector, scheduled ones too; one being delivered is not removed. */
    public long removeMessages(String queue, String selector) throws JMSException {
        return number(invoke(ResourceNames.QUEUE + queue, "removeMessages", selector));
    }

    /** Offers the scheduled messages matching the selector now, instead of at their delivery time. */
    public void deliverScheduledMessages(String queue, String selector) throws JMSException {
        invoke(ResourceNames.QUEUE + queue, "deliverScheduledMessages", selector);
    }

    /**
     * The scheduled (deferred) messages of a queue, as the broker's management lists them: their
     * properties, each value cut at the address's management attribute size limit, no body. Artemis
     * has no filtered list of scheduled messages, and neither a browser nor {@code listMessages}
     * sees them.
     */
    public Object[] scheduledMessages(String queue) throws JMSException {
        Object answer = invoke(ResourceNames.QUEUE + queue, "listScheduledMessages");
        return answer instanceof Object[] array ? array : new Object[0];
    }

    private static long number(Object answer) throws JMSException {
        if (answer instanceof Number number) {
            return number.longValue();
        }
        throw new JMSException("the broker answered '" + answer + "' where it should have said a number");
    }

    /**
     * Each way the broker differs from what mailroute needs, as a sentence naming the queue, the
     * setting (as broker.xml spells it), what the broker has and what it should have. Empty when
     * nothing differs.
     */
    /** The names of the broker's queues. */
    public List<String> queueNames() throws JMSException {
        Object names = invoke(ResourceNames.BROKER, "getQueueNames");
        return names instanceof Object[] array ? Arrays.stream(array).map(String::valueOf).toList() : List.of();
    }

    public List<String> differences(int keyCache, boolean exclusiveOutbound, boolean webhooks) throws JMSException {
        return differences(keyCache, exclusiveOutbound, webhooks, false);
    }

    /** @param relays whether named relays deliver from queues of their own, mail.relay.&lt;name&gt; (docs/routing.md) */
    public List<String> differences(int keyCache, boolean exclusiveOutbound, boolean webhooks, boolean relays)
            throws JMSException {
        List<String> differences = new ArrayList<>();
        List<String> queues = queueNames();
        for (String queue : EmbeddedBroker.QUEUES) {
            if (!queues.contains(queue)) {
                differences.add(queue + ": the queue does not exist; declare it (anycast, durable) so that nothing"
                                + " sent before a consumer appears is lost");
            }
        }
        JsonNode outbound = addressSettings("mail.outbound");
        expect(differences, "mail.outbound", "max-delivery-attempts", outbound.path("maxDeliveryAttempts").asInt(), -1,
                "-1: mailroute decides when a message has failed; the broker must never drop or dead-letter one");
        positive(differences, "mail.outbound", outbound);
        if (exclusiveOutbound && queues.contains("mail.outbound")
            && !Boolean.TRUE.equals(attribute(ResourceNames.QUEUE + "mail.outbound", "exclusive"))) {
            differences.add("mail.outbound: the queue is not exclusive, should be (<exclusive>true</exclusive> on the"
                            + " queue): with mailroute.throttle.scope=gateway one instance at a time delivers, so"
                            + " that the throttle holds for the whole gateway");
        }
        JsonNode keys = addressSettings(EmbeddedBroker.KEYS_CACHE);
        int idCache = keys.path("idCacheSize").asInt(-1);
        if (idCache >= 0 && idCache < keyCache) {
            differences.add(EmbeddedBroker.KEYS_CACHE + ": id-cache-size is " + idCache + ", should be at least "
                            + keyCache + " (mailroute.broker.keyCache): client keys are forgotten after that many"
                            + " keyed messages");
        }
        JsonNode submit = addressSettings("mail.submit");
        expect(differences, "mail.submit", "max-delivery-attempts", submit.path("maxDeliveryAttempts").asInt(),
                SUBMIT_ATTEMPTS, SUBMIT_ATTEMPTS + ": a submission that keeps failing must end in mail.rejected, not loop");
        String deadLetters = text(submit, "DLA", "deadLetterAddress");
        if (!"mail.rejected".equals(deadLetters)) {
            differences.add("mail.submit: dead-letter-address is " + (deadLetters.isEmpty() ? "not set" : deadLetters)
                            + ", should be mail.rejected (where invalid submissions are kept, with their reason)");
        }
        positive(differences, "mail.submit", submit);
        if (webhooks) {
            // any endpoint's outbox: the settings of mail.webhook.# (routes/notify-webhooks.yaml)
            JsonNode outbox = addressSettings("mail.webhook.any");
            if (!outbox.path("defaultExclusiveQueue").asBoolean(false)) {
                differences.add("mail.webhook.#: default-exclusive-queue is false, should be true: one instance at a"
                                + " time sends an endpoint's events, so that they arrive in order");
            }
            if (!outbox.path("autoCreateQueues").asBoolean(false) || !outbox.path("autoCreateAddresses").asBoolean(false)) {
                differences.add("mail.webhook.#: auto-create-queues and auto-create-addresses should be true: each"
                                + " endpoint's queue mail.webhook.<name> is made when its sender first starts");
            }
            if (!queues.contains(EmbeddedBroker.WEBHOOKS_FAILED)) {
                differences.add(EmbeddedBroker.WEBHOOKS_FAILED + ": the queue does not exist; declare it (anycast, durable): webhook"
                                + " events set aside wait there");
            }
            long delay = outbox.path("redeliveryDelay").asLong(0);
            if (delay != 0) {
                differences.add("mail.webhook.#: redelivery-delay is " + delay + ", should be 0: an event given back"
                                + " must go first again, not after the ones behind it");
            }
        }
        if (relays) {
            relayQueues(differences, exclusiveOutbound);
        }
        return differences;
    }

    /** The settings of mail.relay.#, where each named relay's deliveries wait (routes/deliver.yaml). */
    private void relayQueues(List<String> differences, boolean exclusive) throws JMSException {
        JsonNode relay = addressSettings("mail.relay.any");
        expect(differences, "mail.relay.#", "max-delivery-attempts", relay.path("maxDeliveryAttempts").asInt(), -1,
                "-1: mailroute decides when a message has failed; the broker must never drop or dead-letter one");
        if (!relay.path("autoCreateQueues").asBoolean(false) || !relay.path("autoCreateAddresses").asBoolean(false)) {
            differences.add("mail.relay.#: auto-create-queues and auto-create-addresses should be true: each named"
                            + " relay's queue mail.relay.<name> is made when its deliver route first starts");
        }
        if (exclusive && !relay.path("defaultExclusiveQueue").asBoolean(false)) {
            differences.add("mail.relay.#: default-exclusive-queue is false, should be true: with"
                            + " mailroute.throttle.scope=gateway one instance at a time delivers through each relay,"
                            + " so that its throttle holds for the whole gateway");
        }
    }

    private JsonNode addressSettings(String address) throws JMSException {
        Object json = invoke(ResourceNames.BROKER, "getAddressSettingsAsJSON", address);
        try {
            return mapper.readTree(String.valueOf(json));
        } catch (java.io.IOException e) {
            throw new JMSException("the broker's address settings for " + address + " are not JSON: " + e.getMessage());
        }
    }

    private static void expect(List<String> differences, String queue, String setting, int found, int required,
                               String why) {
        if (found != required) {
            differences.add(queue + ": " + setting + " is " + found + ", should be " + why);
        }
    }

    /** Rolled-back deliveries (a relay that refuses mailroute, a queue commit that failed) wait before the next. */
    private static void positive(List<String> differences, String queue, JsonNode settings) {
        long delay = settings.path("redeliveryDelay").asLong(0);
        if (delay <= 0) {
            differences.add(queue + ": redelivery-delay is " + delay + ", should be more than 0 (mailroute uses"
                            + " mailroute.retry.initialDelay): a rolled-back message otherwise comes straight back");
        }
    }

    private static String text(JsonNode node, String... names) {
        for (String name : names) {
            if (node.hasNonNull(name)) {
                return node.get(name).asText();
            }
        }
        return "";
    }

    private Object attribute(String resource, String name) throws JMSException {
        Message request = session.createMessage();
        JMSManagementHelper.putAttribute(request, resource, name);
        return answer(request, resource + "." + name);
    }

    private Object invoke(String resource, String operation, Object... arguments) throws JMSException {
        Message request = session.createMessage();
        JMSManagementHelper.putOperationInvocation(request, resource, operation, arguments);
        return answer(request, operation);
    }

    private Object answer(Message request, String what) throws JMSException {
        request.setJMSReplyTo(replies);
        producer.send(request);
        Message reply = answers.receive(answerMillis);
        if (reply == null) {
            throw new JMSException("the broker's management did not answer " + what + " within " + answerMillis
                                   + " ms");
        }
        try {
            if (!JMSManagementHelper.hasOperationSucceeded(reply)) {
                throw new JMSException("the broker refused " + what + ": " + JMSManagementHelper.getResult(reply)
                                       + " (mailroute's broker account needs the manage permission)");
            }
            return JMSManagementHelper.getResult(reply);
        } catch (JMSException e) {
            throw e;
        } catch (Exception e) {
            throw new JMSException("cannot read the broker's answer to " + what + ": " + e.getMessage());
        }
    }

    @Override
    public void close() throws JMSException {
        connection.close();
    }
}
