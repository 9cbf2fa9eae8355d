package dev.mailroute.ingress.file;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import dev.mailroute.message.InFlightBytes;
import dev.mailroute.queue.FileDuplicateId;
import org.apache.activemq.artemis.api.core.ActiveMQDuplicateIdException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * The files of one inbox poll are queued in one JMS transaction: one journal sync for the poll
 * instead of one per file. Each file is still deleted only after the commit that holds its message:
 * its exchange is held at the end of the route ({@code process: inboxTransaction}) and let go when the
 * poll ends ({@code pollStrategy: "#inboxTransaction"}) and its transaction has committed; Camel's file
 * consumer then deletes it ({@link InboxCommit}). A commit that fails, or a file that fails on its
 * way (not a rejection: the broker, an interrupt), lets the files of its transaction go as failed:
 * they stay in the inbox and are read again — one per transaction, after a pause
 * ({@link #PAUSE_MILLIS}), so that one failing file neither takes the others down again nor makes
 * the greedy poll spin. A rejected file is in the rejected folder already and goes either way.
 *
 * <p><b>A crash between the commit and the deletes</b> leaves files whose mail is queued. Each file's
 * message carries the file's identity as the broker's duplicate id ({@link FileIdentity},
 * {@link FileDuplicateId}), recorded in the same commit; after the restart the poll that reads such a
 * file again has its commit refused as a duplicate (the broker refuses a whole transaction for one
 * duplicate), and the inbox then takes files one per transaction until a poll has gone through: the
 * file whose own commit is refused as a duplicate is deleted without its mail being queued a second
 * time, the others are queued. Nothing lost, nothing twice.
 *
 * <p>Merge requests ({@code *.merge.json}) keep their own transaction (all their messages or none,
 * routes/accept-merge.yaml): the poll's transaction is committed before one and a new one begun after.
 * A held file keeps its room in memory ({@link InFlightBytes}) until its transaction is over; a file
 * that would not fit beside the held ones commits them first.
 */
public final class InboxTransaction implements AsyncProcessor, PollingConsumerPollStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(InboxTransaction.class);
    private static final Pattern MERGE = Pattern.compile("(?is).*\\.merge\\.json");
    /** On an exchange queued on its own, outside any poll transaction (a merge request). */
    private static final String ALONE = "mailrouteInboxAlone";
    /** The file's name as the poll found it (the route replaces the message and its headers). */
    private static final String FILE = "mailrouteInboxFile";
    /** Set on an exchange being let go: its completion, failed or not, is not a failure of the poll. */
    private static final String LET_GO = "mailrouteInboxLetGo";
    /** The file's room in memory ({@link InFlightBytes.Room}), which {@link InboxFiles#open} took. */
    static final String ROOM = "mailrouteInboxRoom";
    /** After a poll in which a file failed or the queue refused the transaction: no poll for this long. */
    private static final long PAUSE_MILLIS = 1000;

    private final PlatformTransactionManager transactions;
    private final InFlightBytes inFlight;
    /** The poll in progress on each inbox consumer's thread (a route is synchronous up to the hold). */
    private final ThreadLocal<Poll> polls = ThreadLocal.withInitial(Poll::new);
    /** After a refused commit or a failed file: one file per transaction, until a poll has gone through that way. */
    private volatile boolean oneByOne;
    /** No poll begins before this time (epoch ms): a failing file is read again, not spun on. */
    private volatile long pauseUntil;

    public InboxTransaction(PlatformTransactionManager transactions, InFlightBytes inFlight) {
        this.transactions = transactions;
        this.inFlight = inFlight;
    }

    /** The route's step before the file is opened: joins the poll's transaction, or stays out of it. */
    public void join(Exchange exchange) {
        Poll poll = polls.get();
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        Long length = exchange.getMessage().getHeader(Exchange.FILE_LENGTH, Long.class);
        if (name != null && MERGE.matcher(name).matches()) {
            letGo(poll, null);
            exchange.setProperty(ALONE, true);
            return;
        }
        if (poll.failed) {
            letGo(poll, null); // a file before this one failed: its transaction is rolled back, the
                               // files held in it stay for the next poll, this one starts a new one
        } else if (!poll.held.isEmpty() && !inFlight.wouldFit(length == null ? 0 : length)) {
            letGo(poll, null); // the held files' room in memory, given back
        }
        if (poll.transaction == null) {
            poll.transaction = transactions.getTransaction(new DefaultTransactionDefinition());
        }
        exchange.setProperty(FILE, name);
        String identity = FileIdentity.of(Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)));
        if (identity != null) {
            exchange.setProperty(FileDuplicateId.PROPERTY, identity);
        }
        // a file that fails on its way (not a rejection: the broker, an interrupt) may have sent part
        // of what it sends into the transaction; the poll's transaction is rolled back, not committed
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onFailure(Exchange failed) {
                if (!failed.getProperty(LET_GO, false, Boolean.class)) {
                    poll.failed = true;
                }
            }
        });
    }

    /** The route's last step: holds the file until the poll's transaction is done. */
    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        if (exchange.getProperty(ALONE, false, Boolean.class)) {
            callback.done(true);
            return true;
        }
        Poll poll = polls.get();
        Held held = new Held(exchange, callback);
        poll.held.add(held);
        if (oneByOne) {
            letGo(poll, held);
            return true;
        }
        return false;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        throw new UnsupportedOperationException("the inbox's hold is asynchronous");
    }

    @Override
    public CompletableFuture<Exchange> processAsync(Exchange exchange) {
        throw new UnsupportedOperationException("the inbox's hold is called by the route");
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        if (System.currentTimeMillis() < pauseUntil) {
            return false; // after a troubled poll: Camel polls again after its delay, greedy or not
        }
        polls.get().oneByOne = oneByOne;
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        Poll poll = polls.get();
        letGo(poll, null);
        if (poll.troubled) {
            pauseUntil = System.currentTimeMillis() + PAUSE_MILLIS;
        } else if (poll.oneByOne) {
            oneByOne = false;
        }
        poll.troubled = false;
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        // the poll itself failed (the folder could not be listed): what it held so far is committed
        commit(consumer, endpoint, 0);
        return false;
    }

    /**
     * Ends the poll's transaction and lets its held files go: committed, they are deleted; otherwise
     * they stay for the next poll. {@code inline} is the exchange whose own step is running (its
     * callback says so).
     */
    private void letGo(Poll poll, Held inline) {
        List<Held> held = new ArrayList<>(poll.held);
        poll.held.clear();
        TransactionStatus transaction = poll.transaction;
        poll.transaction = null;
        boolean failed = poll.failed;
        poll.failed = false;
        RuntimeException refused = null;
        if (transaction != null) {
            try {
                if (failed) {
                    transactions.rollback(transaction);
                } else {
                    transactions.commit(transaction);
                }
            } catch (RuntimeException e) {
                refused = e;
            }
        }
        boolean alreadyQueued = refused != null && held.size() == 1 && oneByOne && duplicate(refused);
        if (alreadyQueued) {
            LOG.warn("inbox: {} was queued before a restart and is deleted now, not queued again (the queue"
                     + " refused it as a duplicate of the file of the same name, size and times)",
                    FileNames.escaped(held.get(0).exchange.getProperty(FILE, "", String.class)));
        } else if (refused != null || failed) {
            poll.troubled = true;
            if (!oneByOne) {
                oneByOne = true;
                LOG.warn("inbox: the queue transaction of {} files was {}; they stay in the inbox and are read"
                         + " again, one per transaction", held.size(),
                        refused != null ? "refused (" + refused.getMessage() + ")" : "rolled back: a file of it failed");
            }
            for (Held h : held) {
                // a rejected file is in rejected/ with its reason already and has nothing queued: it goes
                if (h.exchange.getProperty(Exchange.EXCEPTION_CAUGHT) == null) {
                    h.exchange.setException(new InboxNotQueuedException(refused != null
                            ? "its poll's queue transaction was refused: " + refused.getMessage()
                            : "another file of its poll failed; its transaction was rolled back"));
                }
            }
        }
        for (Held h : held) {
            h.exchange.setProperty(LET_GO, true);
            // the transaction is over: the file's room in memory is free for the next file now, not
            // only when its exchange completes, which is after this thread has gone on to that file
            InFlightBytes.Room room = h.exchange.getProperty(ROOM, InFlightBytes.Room.class);
            if (room != null) {
                room.giveBack();
            }
            h.callback.done(h == inline);
        }
    }

    /** Whether the broker refused the commit because a message in it was a duplicate. */
    private static boolean duplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ActiveMQDuplicateIdException
                || (t.getMessage() != null && t.getMessage().contains("Duplicate message detected"))) {
                return true;
            }
        }
        return false;
    }

    private record Held(Exchange exchange, AsyncCallback callback) {
    }

    /** One consumer thread's poll: its transaction and the files it holds. */
    private static final class Poll {
        TransactionStatus transaction;
        final List<Held> held = new ArrayList<>();
        /** A file of the current transaction failed on its way: it is rolled back. */
        boolean failed;
        /** A transaction of this poll was refused or rolled back. */
        boolean troubled;
        boolean oneByOne;
    }
}
