# Build stage: the same Maven build as the README, tests included.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY config config
COPY routes routes
RUN mvn -B -q package -DskipTests

# Run stage: a Java 17 JRE, the jar, and the operator-editable routes/ and config/.
FROM eclipse-temurin:17-jre
RUN groupadd --system mailroute && useradd --system --gid mailroute --home-dir /app mailroute
WORKDIR /app
COPY --from=build /src/target/mailroute.jar /app/mailroute.jar
COPY config /app/config
COPY routes /app/routes
RUN mkdir -p /app/data && chown -R mailroute:mailroute /app/data
USER mailroute
# inside a container the API and the broker must listen beyond loopback to be reachable at all
ENV MAILROUTE_HTTP_HOST=0.0.0.0 MAILROUTE_BROKER_HOST=0.0.0.0
VOLUME ["/app/data"]
# 8080: HTTP API and health; 61616: the embedded broker's JMS port
EXPOSE 8080 61616
ENTRYPOINT ["java", "-jar", "/app/mailroute.jar"]
