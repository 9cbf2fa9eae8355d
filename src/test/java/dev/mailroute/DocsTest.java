package dev.mailroute;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project's documentation stands alone: every relative link in README.md and docs/ leads to a
 * file of this repository (and to a heading of it, when it names one), and docs/configuration.md
 * lists exactly the keys of config/application.properties.
 */
class DocsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*)$", Pattern.MULTILINE);
    private static final Pattern CONFIG_KEY = Pattern.compile("^\\|\\s*`(mailroute\\.[A-Za-z0-9.]+)`", Pattern.MULTILINE);
    private static final Pattern PROPERTY_KEY = Pattern.compile("^(mailroute\\.[A-Za-z0-9.]+)\\s*=", Pattern.MULTILINE);

    @Test
    void everyRelativeLinkResolvesInsideTheRepository() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path doc : documents()) {
            Matcher link = LINK.matcher(Files.readString(doc));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z][a-z0-9+.-]*:.*")) {
                    continue; // https:, mailto: — not ours to check
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                if (!resolved.startsWith(ROOT)) {
                    broken.add(ROOT.relativize(doc) + ": " + target + " leaves the repository");
                } else if (!Files.exists(resolved)) {
                    broken.add(ROOT.relativize(doc) + ": " + target + " does not exist");
                } else if (anchor != null && resolved.toString().endsWith(".md")
                           && !anchors(resolved).contains(anchor)) {
                    broken.add(ROOT.relativize(doc) + ": " + target + " names no heading of " + file);
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void theConfigurationPageListsExactlyTheKeysOfTheConfigurationFile() throws IOException {
        Set<String> documented = keys(CONFIG_KEY, Files.readString(ROOT.resolve("docs/configuration.md")));
        Set<String> configured = keys(PROPERTY_KEY, Files.readString(ROOT.resolve("config/application.properties")));
        assertThat(documented).as("keys in docs/configuration.md").isEqualTo(configured);
    }

    /** The broker.xml the scale-out page shows is the file the tests start their broker from. */
    @Test
    void theScaleOutPageShowsTheBrokerXmlTheTestsUse() throws IOException {
        assertThat(Files.readString(ROOT.resolve("docs/scale-out.md")))
                .contains(Files.readString(ROOT.resolve("examples/artemis/broker.xml")).strip());
    }

    @Test
    void theReadmeIsAFrontPage() throws IOException {
        assertThat(Files.size(ROOT.resolve("README.md"))).isLessThan(10 * 1024);
    }

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** GitHub's anchors: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> anchors(Path markdown) throws IOException {
        Set<String> anchors = new TreeSet<>();
        Matcher heading = HEADING.matcher(Files.readString(markdown));
        while (heading.find()) {
            anchors.add(heading.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-'));
        }
        return anchors;
    }

    private static Set<String> keys(Pattern pattern, String text) {
        Set<String> keys = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }
}
