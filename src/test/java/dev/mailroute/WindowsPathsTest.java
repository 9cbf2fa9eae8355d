package dev.mailroute;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.mailroute.accept.Problem;
import dev.mailroute.delivery.FailedFolder;
import dev.mailroute.delivery.pickup.PickupFileWriter;
import dev.mailroute.delivery.pickup.PickupFormat;
import dev.mailroute.delivery.pickup.PickupSettings;
import dev.mailroute.files.FileModes;
import dev.mailroute.ingress.file.RejectedFolder;
import dev.mailroute.message.QueuedMessage;
import dev.mailroute.settings.SettingsReader;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Windows paths in the configuration — drive letters, UNC shares, paths longer than 260 characters —
 * from {@code application.properties} as mailroute reads it, to the files mailroute writes into those
 * folders: pickup files, failed/ records, rejected/ copies and their reasons, and the {@code .part}
 * files they are written as. The folders are on an in-memory Windows file system (Jimfs), with the
 * share {@code \\fileserver\mail} as a root, so this runs on any OS; NTFS and SMB themselves are not
 * involved.
 */
class WindowsPathsTest {

    private static final String SHARE = "\\\\fileserver\\mail\\";

    @TempDir
    Path config;

    private FileSystem windows;

    @BeforeEach
    void windowsFileSystem() {
        windows = Jimfs.newFileSystem(Configuration.windows().toBuilder().setRoots("C:\\", SHARE)
                .setWorkingDirectory("C:\\Program Files\\mailroute").build());
    }

    @AfterEach
    void close() throws Exception {
        windows.close();
    }

    /** The values as mailroute reads them: through Camel's properties component, from the file. */
    private SettingsReader settings(String properties) throws Exception {
        Path file = Files.writeString(config.resolve("application.properties"), properties, StandardCharsets.ISO_8859_1);
        DefaultCamelContext context = new DefaultCamelContext();
        PropertiesComponent component = context.getPropertiesComponent();
        component.setLocation("file:" + file);
        return new SettingsReader(component::resolveProperty);
    }

    @Test
    void uncAndDrivePathsAreReadFromThePropertiesFileWithDoubledBackslashesOrForwardSlashes() throws Exception {
        SettingsReader settings = settings("""
                mailroute.pickup.dir = \\\\\\\\fileserver\\\\mail\\\\Pickup
                mailroute.inbox.dir = //fileserver/mail/Inbox
                mailroute.failed.dir = D:\\\\mail\\\\failed
                mailroute.rejected.dir = D:/mail/rejected
                mailroute.spool.dir = data\\\\spool
                mailroute.broker.dir = C:\\mail\\broker
                """);
        Path pickup = settings.path("mailroute.pickup.dir", windows);
        assertThat(pickup.toString()).isEqualTo("\\\\fileserver\\mail\\Pickup");
        assertThat(pickup.getRoot().toString()).isEqualTo(SHARE);
        Path inbox = settings.path("mailroute.inbox.dir", windows);
        assertThat(inbox.toString()).isEqualTo("\\\\fileserver\\mail\\Inbox");
        assertThat(inbox.getRoot().toString()).isEqualTo(SHARE);
        assertThat(settings.path("mailroute.failed.dir", windows).toString()).isEqualTo("D:\\mail\\failed");
        assertThat(settings.path("mailroute.rejected.dir", windows).toString()).isEqualTo("D:\\mail\\rejected");
        // relative: to the working folder, the install folder of the service
        assertThat(settings.path("mailroute.spool.dir", windows).toString())
                .isEqualTo("C:\\Program Files\\mailroute\\data\\spool");
        // the trap docs/windows.md warns of: single backslashes are escapes in a properties file
        // (C:mailbroker: a path relative to drive C's current folder, which Windows would resolve somewhere else)
        assertThat(settings.required("mailroute.broker.dir")).isEqualTo("C:mailbroker");
    }

    @Test
    void mailroutesFilesLandInAUncFolderWhosePathIsLongerThan260Characters() throws Exception {
        StringBuilder deep = new StringBuilder(SHARE + "Pickup");
        while (deep.length() < 300) {
            deep.append("\\a-folder-name-of-some-length");
        }
        Path base = windows.getPath(deep.toString());
        assertThat(base.toString()).hasSizeGreaterThan(260).startsWith("\\\\fileserver\\mail\\Pickup\\");

        // pickup: <id>.eml, written as .<id>.eml.part beside it
        String id = UUID.randomUUID().toString();
        Path pickup = base.resolve("pickup");
        PickupFileWriter writer = new PickupFileWriter(new PickupSettings(pickup, PickupFormat.X_SENDER, true,
                FileModes.forGroup(null)));
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(QueuedMessage.fromQueue(("From: app@example.com\r\nTo: ops@example.com\r\n"
                + "Subject: over a share\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII), id, "app@example.com",
                "ops@example.com"));
        writer.write(exchange);
        assertThat(names(pickup)).containsExactly(id + ".eml");
        assertThat(Files.readString(pickup.resolve(id + ".eml"))).contains("Subject: over a share");
        assertThat(exchange.getMessage().getHeader(Exchange.FILE_NAME_PRODUCED, String.class))
                .isEqualTo(deep + "\\pickup\\" + id + ".eml");

        // failed/: <id>.eml and <id>.json
        Path failed = base.resolve("failed");
        Path parked = new FailedFolder(failed).parkForeign("Subject: foreign\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                "a test", 0);
        String parkedId = parked.getFileName().toString().replace(".eml", "");
        assertThat(names(failed)).containsExactlyInAnyOrder(parkedId + ".eml", parkedId + ".json");

        // rejected/: the copy and <name>.error.txt; a name Windows refuses (CON) is kept under another
        Path inbox = base.resolve("inbox");
        Files.createDirectories(inbox);
        Path original = Files.writeString(inbox.resolve("CON.json"), "{}");
        Path rejected = base.resolve("rejected");
        Path copy = new RejectedFolder(rejected).keep(original, List.of(new Problem("$.to", "is missing")), "file");
        assertThat(copy.getParent()).isEqualTo(rejected);
        assertThat(names(rejected)).containsExactlyInAnyOrder("_CON.json", "_CON.json.error.txt");
        assertThat(Files.readString(rejected.resolve("_CON.json.error.txt"))).contains("$.to").contains("is missing");
    }

    /** Every name in the folder, .part files included: none may be left behind. */
    private static List<String> names(Path folder) throws Exception {
        try (var files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }
}
