package io.slipstream.core.message;

/**
 * The {@code code} of a protocol {@code error} message or of an HTTP error body (docs/protocol.md
 * §4, §9, §10). Each constant documents what the client did wrong.
 *
 * <p>Immutable.
 */
public enum ErrorCode {
  /** The frame or body is not valid JSON, or not a JSON object where one is required. */
  BAD_JSON("bad-json", 400),
  /** A required field is missing or has the wrong type. */
  BAD_MESSAGE("bad-message", 400),
  /** The message's {@code type} is not one the server knows. */
  UNKNOWN_TYPE("unknown-type", 400),
  /** A topic name is not {@code [A-Za-z0-9._-]{1,128}}. */
  BAD_TOPIC("bad-topic", 400),
  /** A key is empty or longer than 256 characters. */
  BAD_KEY("bad-key", 400),
  /** A change's {@code op} is not INSERT, UPDATE or DELETE. */
  BAD_OP("bad-op", 400),
  /** A row is missing for INSERT/UPDATE, present for DELETE, or not a JSON object. */
  BAD_ROW("bad-row", 400),
  /** A {@code from} position is malformed. */
  BAD_POSITION("bad-position", 400),
  /** A message other than {@code hello} arrived before {@code hello}. */
  HELLO_REQUIRED("hello-required", 400),
  /** {@code hello} was sent twice on one connection. */
  ALREADY_HELLO("already-hello", 400),
  /** A binary frame arrived; the protocol is text JSON only. */
  BINARY_NOT_SUPPORTED("binary-not-supported", 400),
  /** {@code unsubscribe} or {@code ack} named a topic this connection is not subscribed to. */
  NOT_SUBSCRIBED("not-subscribed", 400),
  /** The connection already holds the most subscriptions allowed ({@code maxSubscriptions}). */
  TOO_MANY_SUBSCRIPTIONS("too-many-subscriptions", 400),
  /** Creating the topic would exceed {@code maxTopics}. */
  TOPIC_LIMIT("topic-limit", 400),
  /** The connection sends faster than {@code rateLimit}; the message was not processed. */
  RATE_LIMITED("rate-limited", 429),
  /** Missing or invalid credentials. */
  UNAUTHORIZED("unauthorized", 401),
  /**
   * The credentials do not allow this: a subscribe to a topic outside the token's {@code topics}
   * (nothing was subscribed), or a handshake from an Origin outside {@code allowedOrigins}.
   */
  FORBIDDEN("forbidden", 403),
  /**
   * The remote address holds {@code maxConnectionsPerAddress} connections already: the WebSocket
   * handshake is refused; close the others, or retry later.
   */
  TOO_MANY_CONNECTIONS("too-many-connections", 429),
  /** The request body is larger than allowed. */
  TOO_LARGE("too-large", 413),
  /** No such resource. */
  NOT_FOUND("not-found", 404),
  /** An operator named a QoS class the node does not define (docs/protocol.md §5). */
  UNKNOWN_QOS("unknown-qos", 400),
  /**
   * An {@code Idempotency-Key} already used for this topic, within its dedupe window, with a
   * different body (docs/protocol.md §10). Nothing was applied; the first answer stands.
   */
  IDEMPOTENCY_CONFLICT("idempotency-conflict", 409),
  /**
   * The publish would take the node's topic state (all rows and replay logs) past {@code
   * topicStateBudgetBytes}. Nothing was applied; delete topics or retry after others shrank.
   */
  STORAGE_FULL("storage-full", 507),
  /** The server is starting or draining. */
  UNAVAILABLE("unavailable", 503),
  /**
   * The topic's sequencer already holds {@code maxPendingPublishes} publishes, or this one waited
   * past its deadline before it could be applied. Not applied: retry after {@code Retry-After}.
   */
  OVERLOADED("overloaded", 503),
  /**
   * The server cannot tell whether the publish was applied (its outcome was lost or came too late).
   * Retry with the same {@code Idempotency-Key} to apply it at most once.
   */
  INDETERMINATE("indeterminate", 503),
  /**
   * The cluster has fewer than {@code cluster.minMembers} members, so an acknowledgement could not
   * be on two copies (docs/protocol.md §9, guarantee 9). Not applied: retry later or elsewhere.
   */
  NO_QUORUM("no-quorum", 503),
  /** A fault of the server, not of the client. */
  INTERNAL("internal", 500);

  private final String wireName;
  private final int httpStatus;

  ErrorCode(String wireName, int httpStatus) {
    this.wireName = wireName;
    this.httpStatus = httpStatus;
  }

  /** The value of the {@code code} field. */
  public String wireName() {
    return wireName;
  }

  /** The HTTP status that carries this error in the HTTP API. */
  public int httpStatus() {
    return httpStatus;
  }
}
