package io.slipstream.cluster.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import io.slipstream.cluster.log.LogSerialization;
import io.slipstream.cluster.log.TopicAuthority;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ClusterSettings} validation and what {@link MemberConfig} makes of them. */
class ClusterSettingsTest {

  @Test
  void theTopicMapHasOneSyncBackupObjectFormatAndTheQuorum() {
    Config cfg = MemberConfig.build(ClusterSettings.defaults(List.of("127.0.0.1:5701")));

    MapConfig topics = cfg.getMapConfig(TopicAuthority.MAP_NAME);
    assertThat(topics.getBackupCount()).isEqualTo(1);
    assertThat(topics.getAsyncBackupCount()).isZero();
    assertThat(topics.getInMemoryFormat()).isEqualTo(InMemoryFormat.OBJECT);
    assertThat(topics.getSplitBrainProtectionName()).isEqualTo(MemberConfig.QUORUM_NAME);
    assertThat(cfg.getSplitBrainProtectionConfig(MemberConfig.QUORUM_NAME).getMinimumClusterSize())
        .isEqualTo(ClusterSettings.DEFAULT_MIN_MEMBERS);
    assertThat(cfg.getProperty("hazelcast.operation.fail.on.indeterminate.state"))
        .isEqualTo("true");
    assertThat(cfg.getSerializationConfig().getDataSerializableFactories())
        .containsKey(LogSerialization.FACTORY_ID);
    assertThat(cfg.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    // The event bus's own maps come from Vert.x's base config.
    assertThat(cfg.getMultiMapConfigs()).containsKey("__vertx.subs");
  }

  @Test
  void invalidValuesAreRefusedNamingTheirKey() {
    assertThatThrownBy(() -> new ClusterSettings(
            "s", "127.0.0.1", 5701, List.of(), 271, 0, 5_000, 5, 10_000, 5, 30))
        .hasMessageContaining("cluster.minMembers");
    assertThatThrownBy(() -> new ClusterSettings(
            "s", "127.0.0.1", 5701, List.of(), 271, 2, 5_000, 5, 10_000, 5, 5))
        .hasMessageContaining("cluster.maxNoHeartbeatSeconds");
  }
}
