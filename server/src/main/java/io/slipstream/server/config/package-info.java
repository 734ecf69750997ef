/**
 * The settings of a node: {@link io.slipstream.server.config.SlipstreamConfig}, an immutable,
 * validated record with a builder, and {@link io.slipstream.server.config.ConfigLoader}, which binds
 * it once at start from defaults, a JSON file, system properties, the environment and flags
 * (docs/protocol.md §12). A single table of keys ({@code Setting}) names each setting the same way
 * in every source and in {@code --help}; nothing else in the server reads the environment. Lists
 * and maps ({@code FileOnly}) come from the configuration file alone (contract §10); the JWT key
 * material ({@link io.slipstream.server.config.JwtKeys}) is read and checked at start, so that a
 * key that cannot be used stops the server with exit code 2.
 */
package io.slipstream.server.config;
