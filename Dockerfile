# Build stage: the jar, as the README's run command builds it (tests are not run here; CI runs them).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY config config
COPY routes routes
# (-Dexec.skip: the class-data archive is made in the run stage, for its JVM)
RUN mvn -B -q package -DskipTests -Dexec.skip=true

# Run stage: a Java 17 JRE, the jar, and the operator-editable routes/ and config/.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 999 mailroute && useradd --system --uid 999 --gid mailroute --home-dir /app mailroute
WORKDIR /app
COPY --from=build /src/target/mailroute.jar /app/mailroute.jar
COPY config /app/config
COPY routes /app/routes
# The class-data archive is made here, not copied: it is valid only for this JVM and this jar path.
# A training run of the gateway (a few messages into a scratch pickup folder) loads the classes.
RUN java @config/jvm.options -XX:ArchiveClassesAtExit=/app/mailroute.jsa -Xlog:cds=off -Xlog:cds+dynamic=error \
        -cp /app/mailroute.jar dev.mailroute.ClassDataTraining /tmp/cds-training > /tmp/cds-training.log 2>&1 \
    || { tail -40 /tmp/cds-training.log; exit 1; } \
    && rm -rf /tmp/cds-training /tmp/cds-training.log
RUN mkdir -p /app/data && chown -R mailroute:mailroute /app/data
USER mailroute
# Inside a container the API must listen beyond loopback to be reachable through a published port;
# mailroute then refuses to start without MAILROUTE_API_KEYS (closed by default). The broker's JMS
# port always asks for credentials; it is not published unless you publish it (-p ...:61616).
# A UTF-8 locale: inbox file names that are not ASCII must be readable as text.
ENV MAILROUTE_HTTP_HOST=0.0.0.0 MAILROUTE_BROKER_HOST=0.0.0.0 LANG=C.UTF-8
VOLUME ["/app/data"]
# 8080: HTTP API and health. 61616 (the embedded broker's JMS port) only when published.
# 2525: the SMTP listener, on the container's loopback until MAILROUTE_SMTPD_HOST says otherwise
EXPOSE 8080 2525
# config/jvm.options sizes the heap (mount your own config/ to change it, see docs/operations.md)
ENTRYPOINT ["java", "@/app/config/jvm.options", "-XX:SharedArchiveFile=/app/mailroute.jsa", "-jar", "/app/mailroute.jar"]
