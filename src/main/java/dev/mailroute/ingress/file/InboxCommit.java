package dev.mailroute.ingress.file;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.mailroute.files.Platform;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.GenericFileOperations;
import org.apache.camel.component.file.GenericFileProcessStrategy;
import org.apache.camel.component.file.strategy.FileProcessStrategyFactory;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The inbox's {@code processStrategy}: deletes a file once its exchange is done — its message on the
 * durable queue, or the file kept in {@code rejected/} — through {@link Platform}, so that a delete
 * that meets a lock (an antivirus or indexing service on Windows) is tried again with the same waits,
 * log line and counter ({@code mailroute_files_lock_retries_total}) as a rename. A file that still
 * cannot be deleted is remembered ({@link UndeletedFiles}) and never taken again: Camel's own delete
 * would give up, and the next poll would send the file's mail a second time.
 *
 * <p>The route's {@code readLock*} options keep their meaning: Camel builds a read lock only for its
 * own strategies, so this one has Camel's factory build its no-op strategy from the same options and
 * lets that one take and release the read lock.
 */
public final class InboxCommit extends ServiceSupport implements GenericFileProcessStrategy<File>, CamelContextAware {

    private final UndeletedFiles undeleted;
    private CamelContext context;
    /**
     * For each inbox endpoint (by URI: a second inbox route shares this bean), Camel's strategy for its
     * read lock options, without a delete; made at the endpoint's first poll.
     */
    private final Map<String, GenericFileProcessStrategy<File>> readLocks = new ConcurrentHashMap<>();

    public InboxCommit(UndeletedFiles undeleted) {
        this.undeleted = undeleted;
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    @Override
    public void prepareOnStartup(GenericFileOperations<File> operations, GenericFileEndpoint<File> endpoint)
            throws Exception {
        GenericFileProcessStrategy<File> strategy = new FileProcessStrategyFactory()
                .createGenericFileProcessStrategy(context, readLockOptions(endpoint));
        if (strategy instanceof CamelContextAware aware) {
            aware.setCamelContext(context);
        }
        ServiceHelper.startService(strategy);
        strategy.prepareOnStartup(operations, endpoint);
        // a route reloaded: its consumer is new, its endpoint's URI the same
        ServiceHelper.stopService(readLocks.put(endpoint.getEndpointUri(), strategy));
    }

    /** What {@code GenericFileEndpoint} hands Camel's factory about its read lock, and {@code noop}: no delete, no move. */
    private static Map<String, Object> readLockOptions(GenericFileEndpoint<File> endpoint) {
        Map<String, Object> options = new HashMap<>();
        options.put("noop", true);
        if (endpoint.getExclusiveReadLockStrategy() != null) {
            options.put("exclusiveReadLockStrategy", endpoint.getExclusiveReadLockStrategy());
        }
        if (endpoint.getReadLock() != null) {
            options.put("readLock", endpoint.getReadLock());
            if (endpoint.getReadLock().startsWith("idempotent")) {
                options.put("readLockIdempotentRepository", endpoint.getIdempotentRepository());
            }
        }
        if (endpoint.getReadLockCheckInterval() > 0) {
            options.put("readLockCheckInterval", endpoint.getReadLockCheckInterval());
        }
        if (endpoint.getReadLockTimeout() > 0) {
            options.put("readLockTimeout", endpoint.getReadLockTimeout());
        }
        options.put("readLockMarkerFile", endpoint.isReadLockMarkerFile());
        options.put("readLockDeleteOrphanLockFiles", endpoint.isReadLockDeleteOrphanLockFiles());
        options.put("readLockMinLength", endpoint.getReadLockMinLength());
        options.put("readLockLoggingLevel", endpoint.getReadLockLoggingLevel());
        options.put("readLockMinAge", endpoint.getReadLockMinAge());
        options.put("readLockRemoveOnRollback", endpoint.isReadLockRemoveOnRollback());
        options.put("readLockRemoveOnCommit", endpoint.isReadLockRemoveOnCommit());
        return options;
    }

    @Override
    public boolean begin(GenericFileOperations<File> operations, GenericFileEndpoint<File> endpoint, Exchange exchange,
                         GenericFile<File> file) throws Exception {
        return readLock(endpoint).begin(operations, endpoint, exchange, file);
    }

    @Override
    public void abort(GenericFileOperations<File> operations, GenericFileEndpoint<File> endpoint, Exchange exchange,
                      GenericFile<File> file) throws Exception {
        readLock(endpoint).abort(operations, endpoint, exchange, file);
    }

    @Override
    public void rollback(GenericFileOperations<File> operations, GenericFileEndpoint<File> endpoint,
                         Exchange exchange, GenericFile<File> file) throws Exception {
        readLock(endpoint).rollback(operations, endpoint, exchange, file);
    }

    /** The exchange is done: the read lock is let go first (a lock mailroute holds itself would refuse the delete on Windows). */
    @Override
    public void commit(GenericFileOperations<File> operations, GenericFileEndpoint<File> endpoint, Exchange exchange,
                       GenericFile<File> file) throws Exception {
        try {
            operations.releaseRetrievedFileResources(exchange);
        } finally {
            readLock(endpoint).commit(operations, endpoint, exchange, file);
        }
        Path path = file.getFile().toPath();
        String shownAs = FileNames.escaped(file.getFileNameOnly());
        try {
            Platform.current().delete(path, "inbox file " + shownAs);
        } catch (IOException e) {
            undeleted.remember(path, shownAs, e);
        }
    }

    private GenericFileProcessStrategy<File> readLock(GenericFileEndpoint<File> endpoint) {
        return readLocks.get(endpoint.getEndpointUri());
    }
}
