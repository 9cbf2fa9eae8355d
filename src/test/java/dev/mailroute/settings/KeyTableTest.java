package dev.mailroute.settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The key table is the one declaration of every setting: config/application.properties, the
 * configuration page and the route files must say the same, and nothing can be read that the table
 * does not declare.
 */
class KeyTableTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern PROPERTY = Pattern.compile("^(mailroute\\.[A-Za-z0-9.]+)[ \\t]*=[ \\t]*(.*)$", Pattern.MULTILINE);
    private static final Pattern DOC_ROW = Pattern.compile("^\\|\\s*`(mailroute\\.[A-Za-z0-9.<>]+)`\\s*\\|\\s*([^|]*?)\\s*\\|",
            Pattern.MULTILINE);

    @Test
    void theConfigurationFileHasExactlyTheTablesKeysWithTheTablesDefaults() throws Exception {
        Map<String, String> file = new LinkedHashMap<>();
        Matcher m = PROPERTY.matcher(Files.readString(ROOT.resolve("config/application.properties")));
        while (m.find()) {
            file.put(m.group(1), m.group(2).trim());
        }
        Map<String, String> table = new LinkedHashMap<>();
        KeyTable.ALL.stream().filter(s -> !s.named()).forEach(s -> table.put(s.key(), s.defaultValue()));
        assertThat(file).as("config/application.properties, in the table's order").containsExactlyEntriesOf(table);
    }

    /** A named thing's keys cannot be set for every name: the file shows each as a comment, with its default. */
    @Test
    void theConfigurationFileShowsEachNamedKeyAsAComment() throws Exception {
        String file = Files.readString(ROOT.resolve("config/application.properties"));
        for (Setting s : KeyTable.ALL.stream().filter(Setting::named).toList()) {
            String line = ("# " + s.key() + " = " + s.defaultValue()).strip();
            assertThat(file.lines().map(String::strip)).as("config/application.properties").contains(line);
        }
    }

    @Test
    void aNamedThingsKeysAreReadForEachNameAndItsSecretIsASecret() {
        SettingsReader r = new SettingsReader(key -> Optional.of("x"));
        assertThat(r.optional("mailroute.webhooks.crm.url")).isEqualTo("x");
        assertThat(r.secrets("mailroute.webhooks.crm.secret")).hasSize(1);
        assertThatThrownBy(() -> r.optional("mailroute.webhooks.crm.uri")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> r.secret("mailroute.webhooks.crm.url")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theConfigurationFileMarksExactlyTheTablesSecrets() throws Exception {
        List<String> marked = new ArrayList<>();
        boolean secretComment = false;
        for (String line : Files.readAllLines(ROOT.resolve("config/application.properties"))) {
            if (line.startsWith("# secret")) {
                secretComment = true;
            } else if (line.startsWith("mailroute.")) {
                if (secretComment) {
                    marked.add(line.substring(0, line.indexOf('=')).trim());
                }
                secretComment = false;
            } else if (!line.startsWith("#")) {
                secretComment = false;
            }
        }
        Set<String> unnamed = KeyTable.secretKeys().stream().filter(k -> !k.contains(Setting.NAME)).collect(Collectors.toSet());
        assertThat(new TreeSet<>(marked)).isEqualTo(new TreeSet<>(unnamed));
    }

    @Test
    void theConfigurationPageListsEveryKeyWithItsDefault() throws Exception {
        Map<String, String> page = new LinkedHashMap<>();
        Matcher m = DOC_ROW.matcher(Files.readString(ROOT.resolve("docs/configuration.md")));
        while (m.find()) {
            page.put(m.group(1), m.group(2));
        }
        Map<String, String> table = new LinkedHashMap<>();
        KeyTable.ALL.forEach(s -> table.put(s.key(), shown(s.defaultValue())));
        assertThat(new TreeSet<>(page.keySet())).isEqualTo(new TreeSet<>(table.keySet()));
        List<String> different = new ArrayList<>();
        table.forEach((key, shown) -> {
            if (!shown.equals(page.get(key))) {
                different.add(key + ": the page says " + page.get(key) + ", the table " + shown);
            }
        });
        assertThat(different).isEmpty();
    }

    @Test
    void everySettingARouteFileReadsIsDeclared() throws Exception {
        Pattern placeholder = Pattern.compile("\\{\\{(mailroute\\.[A-Za-z0-9.]+)}}");
        try (Stream<Path> files = Files.list(ROOT.resolve("routes"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = placeholder.matcher(Files.readString(file));
                while (m.find()) {
                    assertThat(KeyTable.declared(m.group(1))).as("%s reads %s", file.getFileName(), m.group(1)).isTrue();
                }
            }
        }
    }

    @Test
    void anUndeclaredKeyCannotBeReadAndOnlyADeclaredSecretIsReadAsOne() {
        SettingsReader r = new SettingsReader(key -> Optional.of("x"));
        assertThatThrownBy(() -> r.optional("mailroute.smtp.hots")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("mailroute.smtp.hots is not declared in the key table");
        assertThatThrownBy(() -> r.secret("mailroute.smtp.username")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not declared one");
        assertThat(r.secret("mailroute.smtp.password").reveal()).isEqualTo("x");
    }

    /** A key only a route file reads (the throttle) is checked like any other: the start stops with its key named. */
    @Test
    void aValueOnlyARouteReadsIsCheckedByTheTable() {
        Map<String, String> values = new HashMap<>();
        KeyTable.ALL.forEach(s -> values.put(s.key(), s.defaultValue().replace("{{mailroute.data.dir}}", "data")));
        values.put("mailroute.throttle.rate", "lots");
        SettingsReader r = new SettingsReader(key -> Optional.ofNullable(values.get(key)));
        assertThatThrownBy(() -> KeyTable.check(r)).hasMessage("mailroute.throttle.rate=lots is not a whole number");
        values.put("mailroute.throttle.rate", "30");
        values.put("mailroute.inbox.minAge", "soon");
        assertThatThrownBy(() -> KeyTable.check(r)).hasMessageStartingWith("mailroute.inbox.minAge=soon is not a duration");
        values.put("mailroute.inbox.minAge", "1s");
        KeyTable.check(r);
    }

    /** As the configuration page writes a default: empty, a folder under the data folder, or the value. */
    private static String shown(String value) {
        if (value.isEmpty()) {
            return "empty";
        }
        return "`" + value.replace("{{mailroute.data.dir}}", "<data>") + "`";
    }
}
