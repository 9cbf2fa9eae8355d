package dev.mailroute;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.mailroute.config.MailrouteSettings;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The allowed dependencies between the packages under {@code dev.mailroute} (docs/architecture.md,
 * "Layers"), checked on the compiled main classes. A stage that starts to import a stage it must
 * not know, or two packages that start to need each other, fail the build here, naming the class,
 * the member and the line.
 */
@AnalyzeClasses(packages = "dev.mailroute", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /**
     * Each layer names the layers it may use; anything else is a violation. A layer may always use
     * its own sub-packages. Every main class must belong to a layer, so that a new top-level
     * package is placed here on purpose rather than escaping the rules.
     */
    @ArchTest
    static final ArchRule layers = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .ensureAllClassesAreContainedInArchitecture()

            .layer("Entry").definedBy("dev.mailroute")
            .layer("Config").definedBy("dev.mailroute.config..")
            .layer("Diagnostics").definedBy("dev.mailroute.diagnostics..")
            .layer("Ingress").definedBy("dev.mailroute.ingress..")
            .layer("Accept").definedBy("dev.mailroute.accept..")
            .layer("Delivery").definedBy("dev.mailroute.delivery..")
            .layer("Routing").definedBy("dev.mailroute.routing..")
            .layer("Notify").definedBy("dev.mailroute.notify..")
            .layer("Queue").definedBy("dev.mailroute.queue..")
            .layer("Ledger").definedBy("dev.mailroute.ledger..")
            .layer("Observability").definedBy("dev.mailroute.observability..")
            .layer("Message").definedBy("dev.mailroute.message..")
            .layer("Files").definedBy("dev.mailroute.files..")
            .layer("Settings").definedBy("dev.mailroute.settings..")

            // main(), the gateway's life cycle and the command-line tools: may use anything, used by none
            .whereLayer("Entry").mayNotBeAccessedByAnyLayer()
            // the wiring builds every stage and binds it into Camel; only the entry point starts it
            .whereLayer("Config").mayOnlyAccessLayers(
                    "Ingress", "Accept", "Delivery", "Routing", "Notify", "Queue", "Ledger", "Observability", "Message", "Files", "Settings")
            // doctor reads each stage's settings and probes what the stages would use; it reads them
            // through config's MailrouteSettings, the one reader start-up uses, so that doctor checks
            // what the gateway would run with (see diagnosticsReadOnlyTheSettingsFromConfig)
            .whereLayer("Diagnostics").mayOnlyAccessLayers("Config",
                    "Ingress", "Accept", "Delivery", "Routing", "Notify", "Queue", "Ledger", "Observability", "Message", "Files", "Settings")
            .whereLayer("Diagnostics").mayOnlyBeAccessedByLayers("Entry")
            // the first stage: takes mail from a client and hands it to accept
            .whereLayer("Ingress").mayOnlyAccessLayers(
                    "Accept", "Queue", "Ledger", "Observability", "Message", "Files", "Settings")
            // validates and builds the message; knows no ingress
            .whereLayer("Accept").mayOnlyAccessLayers("Queue", "Observability", "Message", "Files", "Settings")
            // takes queued messages to the relay or the pickup folder; knows neither ingress nor accept
            .whereLayer("Delivery").mayOnlyAccessLayers("Queue", "Ledger", "Observability", "Message", "Files", "Settings")
            // chooses each recipient's relay by the routing table: knows the relays' names, no transport
            .whereLayer("Routing").mayOnlyAccessLayers("Observability", "Message", "Settings")
            // tells the sender what delivery could not do: reads an attempt's outcome, knows no ingress
            .whereLayer("Notify").mayOnlyAccessLayers("Delivery", "Ledger", "Observability", "Message", "Settings")
            // the durable queue between accept and delivery; knows no stage
            .whereLayer("Queue").mayOnlyAccessLayers("Observability", "Message", "Files", "Settings")
            // each message's story, written by the stages and read by the status API: knows no stage
            .whereLayer("Ledger").mayOnlyAccessLayers("Observability", "Message", "Files", "Settings")
            // the mail log and metrics are about messages (queue id, envelope, hand-over), so they
            // may read the message model; no stage
            .whereLayer("Observability").mayOnlyAccessLayers("Message", "Files", "Settings")
            // the shared core every stage speaks (envelope, headers, DSN): no stage, no observability
            .whereLayer("Message").mayOnlyAccessLayers("Files", "Settings")
            // shared libraries at the bottom
            .whereLayer("Files").mayOnlyAccessLayers("Settings")
            .whereLayer("Settings").mayNotAccessAnyLayer();

    /** Of config, doctor uses only the settings reader: never the wiring, never a started gateway. */
    @ArchTest
    static final ArchRule diagnosticsReadOnlyTheSettingsFromConfig = noClasses()
            .that().resideInAPackage("dev.mailroute.diagnostics..")
            .should().dependOnClassesThat(
                    resideInAPackage("dev.mailroute.config..").and(not(equivalentTo(MailrouteSettings.class))))
            .because("doctor checks a configuration without starting the gateway");

    /** No two top-level packages need each other (the layers above say which way an arrow may go). */
    @ArchTest
    static final ArchRule topLevelPackagesAreFreeOfCycles = slices()
            .matching("dev.mailroute.(*)..").should().beFreeOfCycles();

    /**
     * No two packages at any depth need each other, so that a transport and the plug-ins below it
     * (delivery.smtp and delivery.smtp.oauth2) stay one-way: the plug-in implements what the
     * transport declares, and config chooses the plug-in.
     */
    @ArchTest
    static final ArchRule allPackagesAreFreeOfCycles = slices()
            .matching("dev.mailroute.(**)").should().beFreeOfCycles();
}
