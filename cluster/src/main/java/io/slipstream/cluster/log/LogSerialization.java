package io.slipstream.cluster.log;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * The {@code IdentifiedDataSerializable} ids of this package and the factory that builds them.
 * Every member must register it ({@link #register}) before it joins: an entry, an entry processor
 * or an answer from a member without it cannot be read.
 *
 * <p>Stateless and thread-safe. The ids are part of the cluster's wire format: never reuse or
 * renumber one; a changed layout gets a new {@code FORMAT} byte in its class instead.
 */
public final class LogSerialization {

  /** This package's factory id ("SL" in ASCII), unique among the cluster's factories. */
  public static final int FACTORY_ID = 0x534C;

  static final int TOPIC_LOG = 1;
  static final int APPEND = 2;
  static final int APPLY_AT = 3;
  static final int VERIFY_AT = 4;
  static final int VALIDATED_READ = 5;
  static final int READ_TIP = 6;
  static final int APPEND_OUTCOME = 7;
  static final int LOG_READ = 8;
  static final int LOG_TIP = 9;
  static final int DELETE = 10;
  static final int ENSURE = 11;
  static final int REMOVE_IF_EMPTY = 12;

  private LogSerialization() {}

  /** Adds the factory to {@code config}; returns it for chaining. */
  public static SerializationConfig register(SerializationConfig config) {
    return config.addDataSerializableFactory(FACTORY_ID, LogSerialization::create);
  }

  /** The factory, for a serialization service built by hand (tests). */
  public static DataSerializableFactory factory() {
    return LogSerialization::create;
  }

  private static IdentifiedDataSerializable create(int classId) {
    switch (classId) {
      case TOPIC_LOG:
        return new TopicLog();
      case APPEND:
        return new Append();
      case APPLY_AT:
        return new ApplyAt();
      case VERIFY_AT:
        return new VerifyAt();
      case VALIDATED_READ:
        return new ValidatedRead();
      case READ_TIP:
        return ReadTip.INSTANCE;
      case APPEND_OUTCOME:
        return new AppendOutcome();
      case LOG_READ:
        return new LogRead();
      case LOG_TIP:
        return new LogTip();
      case DELETE:
        return new Delete();
      case ENSURE:
        return new Ensure();
      case REMOVE_IF_EMPTY:
        return new RemoveIfEmpty();
      default:
        // Null makes Hazelcast report the unknown class id with its factory id.
        return null;
    }
  }
}
