package dev.mailroute;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.RoutesLoader;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every file in routes/ parses as Camel YAML DSL and defines one route with an id. One route per
 * file is not only tidy: Camel 4.18's live reload loads a file once per route it holds, so a file
 * with two routes fails to reload with "duplicate route id".
 */
class RoutesLoadTest {

    static Stream<Path> routeFiles() throws IOException {
        List<Path> files;
        try (Stream<Path> all = Files.list(Path.of("routes"))) {
            files = all.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).as("routes/*.yaml").isNotEmpty();
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void loads(Path file) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            RoutesLoader loader = PluginHelper.getRoutesLoader(context);
            Resource resource = ResourceHelper.resolveMandatoryResource(context, "file:" + file);
            for (RoutesBuilder builder : loader.findRoutesBuilders(resource)) {
                context.addRoutes(builder);
            }
            var routes = ((ModelCamelContext) context).getRouteDefinitions();
            assertThat(routes).as("routes defined in %s", file).hasSize(1);
            assertThat(routes).allSatisfy(route -> assertThat(route.getRouteId()).isNotBlank());
        }
    }
}
