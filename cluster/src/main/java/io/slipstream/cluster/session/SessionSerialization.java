package io.slipstream.cluster.session;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * The {@code IdentifiedDataSerializable} ids of this package and the factory that builds them.
 * Every member must register it ({@link #register}) before it joins: a session, an entry processor
 * or an answer from a member without it cannot be read.
 *
 * <p>Stateless and thread-safe. The ids are part of the cluster's wire format: never reuse or
 * renumber one; a changed layout gets a new {@code FORMAT} byte in its class instead.
 */
public final class SessionSerialization {

  /** This package's factory id ("SS" in ASCII), unique among the cluster's factories. */
  public static final int FACTORY_ID = 0x5353;

  static final int STORED_SESSION = 1;
  static final int OPEN = 2;
  static final int RESUME = 3;
  static final int SUSPEND = 4;
  static final int TAKE = 5;
  static final int DETACH = 6;
  static final int REPLICATE = 7;
  static final int ANSWER = 8;
  static final int ATTACHED_TO = 9;
  static final int KEEP_QOS = 10;
  static final int TOKEN_DELIVERED = 11;

  private SessionSerialization() {}

  /** Adds the factory to {@code config}; returns it for chaining. */
  public static SerializationConfig register(SerializationConfig config) {
    return config.addDataSerializableFactory(FACTORY_ID, SessionSerialization::create);
  }

  /** The factory, for a serialization service built by hand (tests). */
  public static DataSerializableFactory factory() {
    return SessionSerialization::create;
  }

  private static IdentifiedDataSerializable create(int classId) {
    switch (classId) {
      case STORED_SESSION:
        return new StoredSession();
      case OPEN:
        return new OpenSession();
      case RESUME:
        return new ResumeSession();
      case SUSPEND:
        return new SuspendSession();
      case TAKE:
        return new TakeHandedOver();
      case DETACH:
        return new DetachNodes();
      case REPLICATE:
        return new ReplicateSession();
      case ANSWER:
        return new SessionAnswer();
      case ATTACHED_TO:
        return new AttachedTo();
      case KEEP_QOS:
        return new KeepQos();
      case TOKEN_DELIVERED:
        return new TokenDelivered();
      default:
        // Null makes Hazelcast report the unknown class id with its factory id.
        return null;
    }
  }
}
