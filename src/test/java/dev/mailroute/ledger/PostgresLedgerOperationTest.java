package dev.mailroute.ledger;

import java.nio.file.Path;

import dev.mailroute.settings.Secret;
import dev.mailroute.support.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link LedgerOperationTest} on PostgreSQL (a real server): the operations' SQL runs on both databases. */
class PostgresLedgerOperationTest extends LedgerOperationTest {

    private static PostgresServer postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    LedgerSettings settings(Path folder) {
        return new LedgerSettings(true, postgres.jdbcUrl(), null, postgres.user(), Secret.of(postgres.password()), true,
                86_400_000L, 10_000);
    }
}
