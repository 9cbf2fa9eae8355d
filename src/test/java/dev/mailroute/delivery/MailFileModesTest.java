package dev.mailroute.delivery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.List;

import dev.mailroute.config.StartupChecks;
import dev.mailroute.support.GatewayProcess;
import dev.mailroute.support.LogCapture;
import dev.mailroute.support.MailRequests;
import dev.mailroute.support.ScriptedSmtpServer;
import dev.mailroute.support.ScriptedSmtpServer.Stage;
import dev.mailroute.support.TestGateway;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every folder and file mailroute writes mail into gives no access to others: the pickup folder
 * rwxr-x--- and its files rw-r----- (in mailroute.pickup.group when set, for a pickup service of
 * that group), rejected/ and failed/ rwx------ with rw------- files — whatever the umask, and also
 * when the folder is made again while mailroute runs.
 */
class MailFileModesTest {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path data;

    @Test
    void thePickupFolderAndItsFilesGiveNoAccessToOthers() throws Exception {
        try (TestGateway gateway = TestGateway.on(data).start()) {
            gateway.submit(MailRequests.minimal());
            Path file = gateway.awaitFiles("pickup", 1).get(0);
            assertThat(mode(gateway.folder("pickup"))).isEqualTo("rwxr-x---");
            assertThat(mode(file)).isEqualTo("rw-r-----");
        }
    }

    /** An existing folder is the operator's: its mode stays, but a start says when others may list it. */
    @Test
    void anExistingPickupFolderOpenToOthersIsLeftAsItIsAndWarnedAbout() throws Exception {
        Path pickup = Files.createDirectory(data.resolve("pickup"));
        Files.setPosixFilePermissions(pickup, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (LogCapture log = LogCapture.of(StartupChecks.class);
             TestGateway gateway = TestGateway.on(data).start()) {
            assertThat(log.lines()).contains("WARN pickup folder " + pickup + " has mode rwxr-xr-x: others on this"
                                             + " machine can list it. Fix: chmod o-rwx " + pickup);
            gateway.submit(MailRequests.minimal());
            Path file = gateway.awaitFiles("pickup", 1).get(0);
            assertThat(mode(pickup)).isEqualTo("rwxr-xr-x");
            assertThat(mode(file)).isEqualTo("rw-r-----");
        }
    }

    @Test
    void theConfiguredGroupGetsThePickupFolderAndItsFiles() throws Exception {
        GroupPrincipal group = otherGroup();
        try (TestGateway gateway = TestGateway.on(data).with("mailroute.pickup.group", group.getName()).start()) {
            gateway.submit(MailRequests.minimal());
            Path file = gateway.awaitFiles("pickup", 1).get(0);
            assertThat(attributes(gateway.folder("pickup")).group()).isEqualTo(group);
            assertThat(attributes(file).group()).isEqualTo(group);
            assertThat(mode(file)).isEqualTo("rw-r-----");
        }
    }

    /** Removed while mailroute runs, rejected/ and failed/ used to come back with the umask's mode (or not at all). */
    @Test
    void rejectedAndFailedRecordsAreMailroutesOnlyEvenInFoldersMadeAgain() throws Exception {
        try (ScriptedSmtpServer relay = ScriptedSmtpServer.start().reply(Stage.MAIL, "550 5.7.1 relaying denied");
             TestGateway gateway = TestGateway.on(data).smtp(relay.port()).start()) {
            Files.delete(gateway.folder("failed"));
            Files.delete(gateway.folder("rejected"));

            String id = gateway.submit(MailRequests.minimal());
            Path failed = gateway.folder("failed").resolve(id + ".eml");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(failed)
                                                                && Files.exists(failed.resolveSibling(id + ".json")));
            gateway.drop("bad.json", "{\"from\": \"nobody\"}");
            Path reason = gateway.folder("rejected").resolve("bad.json.error.txt");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(reason));

            for (String folder : List.of("failed", "rejected")) {
                assertThat(mode(gateway.folder(folder))).as(folder).isEqualTo("rwx------");
                for (Path file : gateway.files(folder)) {
                    assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
                }
            }
            assertThat(gateway.files("failed")).hasSize(2);
            assertThat(gateway.files("rejected")).hasSize(2);
        }
    }

    @Test
    void aGroupThatDoesNotExistStopsTheStart() throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(TestGateway.on(data)
                .with("mailroute.pickup.group", "no-such-group-mailroute"))) {
            assertThat(gateway.awaitExit()).as(gateway.output()).isEqualTo(2);
            assertThat(gateway.output()).contains("mailroute: cannot start: mailroute.pickup.group=no-such-group-mailroute:"
                                                  + " there is no such group on this machine")
                    .doesNotContain("\tat ");
        }
    }

    /**
     * A group that is not the process's own, so that giving it is seen: as root any group
     * (mail, or nogroup); otherwise one of the user's supplementary groups.
     */
    private GroupPrincipal otherGroup() throws Exception {
        var lookup = data.getFileSystem().getUserPrincipalLookupService();
        GroupPrincipal own = Files.readAttributes(data, PosixFileAttributes.class).group();
        List<String> candidates = ROOT ? List.of("mail", "nogroup", "daemon")
                : List.of(new String(new ProcessBuilder("id", "-Gn").start().getInputStream().readAllBytes()).trim()
                        .split("\\s+"));
        for (String name : candidates) {
            try {
                GroupPrincipal group = lookup.lookupPrincipalByGroupName(name);
                if (!group.equals(own)) {
                    return group;
                }
            } catch (UserPrincipalNotFoundException e) {
                // try the next
            }
        }
        Assumptions.abort("no group other than the process's own that this user may give files to");
        return null;
    }

    private static PosixFileAttributes attributes(Path path) throws IOException {
        return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(attributes(path).permissions());
    }
}
