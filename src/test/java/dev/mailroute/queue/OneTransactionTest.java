package dev.mailroute.queue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.ScriptedSmtpServer.Stage;
import dev.mailroute.support.TestGateway;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.postoffice.RoutingStatus;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.ServerConsumer;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.impl.AckReason;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Taking a message off a queue and putting its successor on one happen in one broker transaction,
 * so that a crash can never leave neither (message lost) or both. Watched from inside the
 * embedded broker: the transaction of the acknowledgement and that of the send must be the same.
 */
class OneTransactionTest {

    @TempDir
    Path data;

    @Test
    void aDeferredMessageIsRemovedAndRescheduledInOneTransaction() {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start().reply(Stage.RCPT, "451 4.3.0 try again later");
             TestGateway gateway = TestGateway.on(data).smtp(relay.port())
                     .with("mailroute.retry.initialDelay", "60s").start()) {
            Transactions seen = Transactions.watch(gateway.broker());

            gateway.submit(MailRequests.minimal());
            await().until(() -> gateway.broker().scheduledCount("mail.outbound") == 1);

            // the acceptance, then the retry copy
            assertThat(seen.sends("mail.outbound")).hasSize(2);
            long retry = seen.sends("mail.outbound").get(1);
            assertThat(seen.acks("mail.outbound")).containsExactly(retry);
        }
    }

    @Test
    void aSubmissionMovesFromMailSubmitToMailOutboundInOneTransaction() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).start();
             Connection connection = gateway.submitter().createConnection()) {
            Transactions seen = Transactions.watch(gateway.broker());
            try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                session.createProducer(session.createQueue("mail.submit"))
                        .send(session.createTextMessage(MailRequests.json(MailRequests.minimal())));
            }
            gateway.awaitFiles("pickup", 1);

            assertThat(seen.sends("mail.outbound")).hasSize(1);
            assertThat(seen.acks("mail.submit")).containsExactlyElementsOf(seen.sends("mail.outbound"));
        }
    }

    /** Records the broker transaction (its id, -1 for none) of every send and acknowledgement, by queue. */
    private static final class Transactions implements ActiveMQServerMessagePlugin {

        private record Event(String kind, String queue, long tx) {
        }

        private final List<Event> events = new CopyOnWriteArrayList<>();

        static Transactions watch(EmbeddedBroker broker) {
            Transactions transactions = new Transactions();
            broker.server().registerBrokerPlugin(transactions);
            return transactions;
        }

        @Override
        public void afterSend(ServerSession session, Transaction tx, Message message, boolean direct,
                              boolean noAutoCreateQueue, RoutingStatus result) {
            events.add(new Event("send", message.getAddress(), id(tx)));
        }

        @Override
        public void messageAcknowledged(Transaction tx, MessageReference ref, AckReason reason,
                                        ServerConsumer consumer) {
            events.add(new Event("ack", ref.getQueue().getName().toString(), id(tx)));
        }

        List<Long> sends(String queue) {
            return of("send", queue);
        }

        List<Long> acks(String queue) {
            return of("ack", queue);
        }

        private List<Long> of(String kind, String queue) {
            return events.stream().filter(e -> e.kind().equals(kind) && e.queue().equals(queue)).map(Event::tx)
                    .toList();
        }

        private static long id(Transaction tx) {
            return tx == null ? -1 : tx.getID();
        }
    }
}
