package dev.mailroute.ingress.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.RejectException;

/**
 * A limit on guessing passwords. SubEthaSMTP answers a wrong password with {@code 535} as often as
 * a client asks: 40 wrong ones and then the right one got {@code 235}. Here the
 * {@code mailroute.smtpd.auth.maxFailures}th failure of a session is answered
 * {@code 421 4.7.0 ... closing connection} and the session ends ({@link ListenerCommands} closes
 * it); and each failure from a client address that failed recently waits longer before it is
 * answered — {@link #STEP_MILLIS} more for each failure of that address in the last
 * {@link #FORGET_AFTER_MILLIS}, at most {@link #MAX_DELAY_MILLIS} — so that opening new sessions
 * does not buy a guesser speed. The addresses are remembered in a map of at most
 * {@link #MAX_ADDRESSES}, the least recently failed dropped first.
 */
final class AuthFailures implements AuthenticationHandlerFactory {

    static final long STEP_MILLIS = 500;
    static final long MAX_DELAY_MILLIS = 5_000;
    static final long FORGET_AFTER_MILLIS = 15 * 60 * 1000;
    static final int MAX_ADDRESSES = 10_000;

    private final AuthenticationHandlerFactory wrapped;
    private final int maxFailures;
    private final SmtpdConsumer consumer;
    /** Failures of each session so far; a session that ended is dropped with it. */
    private final Map<MessageContext, Integer> bySession = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<InetAddress, Recent> byAddress = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Recent> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    private record Recent(int failures, long lastMillis) {
    }

    AuthFailures(AuthenticationHandlerFactory wrapped, int maxFailures, SmtpdConsumer consumer) {
        this.wrapped = wrapped;
        this.maxFailures = maxFailures;
        this.consumer = consumer;
    }

    @Override
    public List<String> getAuthenticationMechanisms() {
        return wrapped.getAuthenticationMechanisms();
    }

    @Override
    public AuthenticationHandler create() {
        AuthenticationHandler handler = wrapped.create();
        return new AuthenticationHandler() {
            @Override
            public Optional<String> auth(String clientInput, MessageContext context) throws RejectException {
                try {
                    return handler.auth(clientInput, context);
                } catch (RejectException e) {
                    if (e.getCode() != 535) {
                        throw e;
                    }
                    throw failed(context);
                }
            }

            @Override
            public Object getIdentity() {
                return handler.getIdentity();
            }
        };
    }

    /** True once the session failed as often as it may: it is to be closed. */
    boolean exhausted(MessageContext session) {
        return bySession.getOrDefault(session, 0) >= maxFailures;
    }

    /** Counts the failure, waits as long as its address has earned, and makes the reply. */
    private RejectException failed(MessageContext context) {
        int failures = bySession.merge(context, 1, Integer::sum);
        if (context.getRemoteAddress() instanceof InetSocketAddress client) {
            pause(delayMillis(client.getAddress()));
        }
        if (failures >= maxFailures) {
            return consumer.refuse(context, "auth-failures-limit", 421, "4.7.0 " + failures + " failed AUTH attempts"
                    + " (mailroute.smtpd.auth.maxFailures=" + maxFailures + "); closing connection");
        }
        return new RejectException(535, "5.7.8 Authentication credentials invalid");
    }

    /** This failure counted for its address; how long to wait before answering it. */
    long delayMillis(InetAddress address) {
        long now = System.currentTimeMillis();
        int recent;
        synchronized (byAddress) {
            Recent before = byAddress.get(address);
            recent = before == null || now - before.lastMillis() > FORGET_AFTER_MILLIS ? 1 : before.failures() + 1;
            byAddress.put(address, new Recent(recent, now));
        }
        return Math.min(MAX_DELAY_MILLIS, STEP_MILLIS * (recent - 1));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping: answer now
        }
    }
}
