/**
 * The wire format: the only package that knows JSON field names. Parses client messages
 * ({@code Inbound}), serializes control messages ({@code Outbound}), and serializes each change
 * once for every connection to share ({@code ChangeFrames}).
 *
 * <p>It also owns every other JSON the server speaks, each in a class named for what it describes:
 * the HTTP answers ({@code ErrorJson}, {@code PublishJson}, {@code TopicJson}, {@code RowsJson},
 * {@code ConnectionStats}, {@code HealthJson}; docs/protocol.md §10), the event-bus bodies ({@code
 * PublishJson}, {@code LifecycleJson}; §11), the published changes ({@code Changes}) and the
 * fields of a {@code hello.token} ({@code JwtJson}; §3). Other packages hand an event-bus {@code
 * JsonObject} along at most, never build or read one (ArchitectureTest).
 */
package io.slipstream.server.protocol;
